"""Partner exports of incidents: CSV, HXL-tagged CSV and GeoJSON, with counts, never names."""

import csv
import io
import json

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from networks.audit import AuditEntry
from networks.models import Location
from tests.factories import UserFactory
from triage.models import Incident


@pytest.fixture
def incidents(db):
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    beni = Location.objects.create(name="Beni", kind="territory", parent=province)
    mbau = Location.objects.create(
        name="Mbau", kind="village", parent=beni, latitude="0.58", longitude="29.45"
    )
    now = timezone.now()
    corroborated = Incident.objects.create(
        location=mbau,
        priority=1,
        categories=["attack", "displacement"],
        alert_count=3,
        reporter_count=3,
        mechanism_count=2,
        corroboration="several_mechanisms",
        first_seen_at=now,
        last_seen_at=now,
    )
    lone = Incident.objects.create(location=None, priority=3, alert_count=1, reporter_count=1)
    return corroborated, lone


def _client(role="viewer"):
    client = APIClient()
    user = UserFactory(username=role, role=role)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _body(response) -> str:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode()


def test_hxl_export_tags_places_severity_and_counts(db, incidents):
    body = _body(_client().get("/api/v1/incidents/export/?as=hxl"))
    headers, tags, *rows = list(csv.reader(io.StringIO(body)))
    tag = dict(zip(headers, tags, strict=True))
    assert tag["province"] == "#adm1+name" and tag["territory"] == "#adm2+name"
    assert tag["priority"] == "#severity" and tag["categories"] == "#event+type"
    first = dict(zip(headers, rows[0], strict=True))
    assert (first["territory"], first["place"], first["independent_reporters"]) == (
        "Beni",
        "Mbau",
        "3",
    )
    assert first["corroboration"] == "several_mechanisms"
    assert AuditEntry.objects.filter(action="export").exists()


def test_geojson_and_csv_exports_and_the_list_filters(db, incidents):
    client = _client()
    collection = json.loads(_body(client.get("/api/v1/incidents/export/?as=geojson")))
    geometries = [f["geometry"] for f in collection["features"]]
    assert {"type": "Point", "coordinates": [29.45, 0.58]} in geometries and None in geometries
    rows = list(
        csv.DictReader(io.StringIO(_body(client.get("/api/v1/incidents/export/?priority=1"))))
    )
    assert [row["reference"] for row in rows] == [str(incidents[0])]


def test_bad_options_are_a_400_and_strangers_401(db, incidents):
    assert _client().get("/api/v1/incidents/export/?as=pdf").status_code == 400
    assert APIClient().get("/api/v1/incidents/export/").status_code == 401
