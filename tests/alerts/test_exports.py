"""Partner exports of alerts: CSV, HXL-tagged CSV and GeoJSON, never naming the reporter."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from networks.models import Location
from tests.factories import UserFactory


@pytest.fixture
def places(db):
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    territory = Location.objects.create(name="Beni", kind="territory", parent=province)
    chiefdom = Location.objects.create(name="Watalinga", kind="chiefdom", parent=territory)
    groupement = Location.objects.create(name="Bambuba", kind="groupement", parent=chiefdom)
    mbau = Location.objects.create(
        name="Mbau", kind="village", parent=groupement, latitude="0.5820", longitude="29.4580"
    )
    quartier = Location.objects.create(name="Mbau-Centre", kind="locality", parent=mbau)
    return {"territory": territory, "mbau": mbau, "quartier": quartier}


@pytest.fixture
def alerts(places, focal_point):
    placed = Alert.objects.create(
        source="sms",
        text="Hommes armés à Mbau, appelez Kavira au +243991234567",
        reporter=focal_point,
        sender=focal_point.phone,
        sender_known=True,
        location=places["quartier"],
        status="verified",
        outcome="verified",
        priority=1,
        categories=["attack", "displacement"],
        risk_factors=["RF1", "RF13"],
        language="fr",
    )
    unplaced = Alert.objects.create(source="lpc", text="Tracts menaçants", priority=3)
    return placed, unplaced


def _client(role="analyst") -> APIClient:
    user = UserFactory(username=f"{role}-x", role=role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _body(response) -> str:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode()


def test_csv_export_names_places_up_to_the_province_and_never_the_reporter(db, alerts):
    response = _client().get("/api/v1/alerts/export/")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = _body(response)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    placed = rows[0]
    assert placed["reference"] == alerts[0].reference
    assert (placed["province"], placed["territory"], placed["place"]) == (
        "Nord-Kivu",
        "Beni",
        "Mbau-Centre",
    )
    assert placed["categories"] == "attack displacement" and placed["priority"] == "1"
    assert placed["mechanism"] == "can" and rows[1]["mechanism"] == "lpc"
    assert "text" not in placed
    for secret in ("+243991234567", "991234567", "Kavira", "reporter", "sender"):
        assert secret not in body


def test_the_text_comes_only_when_asked(db, alerts):
    body = _body(_client().get("/api/v1/alerts/export/?text=true"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[1]["text"] == "Tracts menaçants"


def test_hxl_export_has_a_hashtag_row_under_the_headers(db, alerts):
    body = _body(_client().get("/api/v1/alerts/export/?as=hxl"))
    headers, tags, *data = list(csv.reader(io.StringIO(body)))
    assert len(headers) == len(tags) and len(data) == 2
    tag_of = dict(zip(headers, tags, strict=True))
    assert tag_of["received_at"] == "#date+received"
    assert tag_of["province"] == "#adm1+name" and tag_of["territory"] == "#adm2+name"
    assert tag_of["place"] == "#loc+name"
    assert (tag_of["latitude"], tag_of["longitude"]) == ("#geo+lat", "#geo+lon")
    assert tag_of["categories"] == "#event+type" and tag_of["priority"] == "#severity"
    assert tag_of["status"] == "#status"
    assert all(tag.startswith("#") for tag in tags)


def test_geojson_export_is_a_feature_collection_with_points_where_known(db, alerts):
    response = _client("viewer").get("/api/v1/alerts/export/?as=geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(_body(response))
    assert collection["type"] == "FeatureCollection"
    placed, unplaced = collection["features"]
    assert placed["geometry"] == {"type": "Point", "coordinates": [29.458, 0.582]}
    assert unplaced["geometry"] is None
    assert placed["properties"]["territory"] == "Beni"
    assert "reporter" not in placed["properties"]


def test_the_alert_list_filters_select_what_is_exported(db, alerts, places):
    client = _client()
    territory = places["territory"].pk
    rows = list(
        csv.DictReader(
            io.StringIO(_body(client.get(f"/api/v1/alerts/export/?location={territory}")))
        )
    )
    assert [row["reference"] for row in rows] == [alerts[0].reference]
    rows = list(csv.DictReader(io.StringIO(_body(client.get("/api/v1/alerts/export/?source=lpc")))))
    assert [row["reference"] for row in rows] == [alerts[1].reference]


def test_bad_options_are_a_400_and_strangers_are_refused(db, alerts):
    client = _client()
    assert client.get("/api/v1/alerts/export/?as=xlsx").status_code == 400
    assert client.get("/api/v1/alerts/export/?text=perhaps").status_code == 400
    assert client.get("/api/v1/alerts/export/?priority=9").status_code == 400
    assert APIClient().get("/api/v1/alerts/export/").status_code == 401


def test_the_export_reads_alerts_and_their_places_in_one_query_however_many(db, alerts, places):
    client = _client()
    _body(client.get("/api/v1/alerts/export/"))  # warm up auth and session lookups
    with CaptureQueriesContext(connection) as few:
        _body(client.get("/api/v1/alerts/export/"))
    Alert.objects.bulk_create(
        Alert(source="web", text=f"n{i}", location=places["mbau"]) for i in range(30)
    )
    with CaptureQueriesContext(connection) as many:
        body = _body(client.get("/api/v1/alerts/export/"))
    assert body.count("\n") == 33
    assert len(many.captured_queries) == len(few.captured_queries)
