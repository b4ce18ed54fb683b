"""The dashboard map: alerts gathered per place and incidents, with the queue's filters."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AlertFactory,
    LocationFactory,
    TerritoryFactory,
    UserFactory,
    VillageFactory,
)
from triage.models import Incident


@pytest.fixture
def places(db):
    territory = TerritoryFactory(name="Beni", parent=None)
    mbau = VillageFactory(name="Mbau", parent=territory, latitude="0.58", longitude="29.45")
    centre = LocationFactory(name="Mbau-Centre", kind="locality", parent=mbau)
    oicha = VillageFactory(name="Oicha", parent=territory, latitude="0.70", longitude="29.52")
    nowhere = VillageFactory(name="Sans coordonnées", parent=None)
    return {"mbau": mbau, "centre": centre, "oicha": oicha, "nowhere": nowhere}


@pytest.fixture
def analyst_client(client, db):
    client.force_login(UserFactory(username="ana", role="analyst"))
    return client


def _data(client, query=""):
    response = client.get(f"/dashboard/map/data/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _by_place(collection):
    return {f["properties"]["place"]: f for f in collection["features"]}


def test_alerts_are_gathered_per_place_with_the_most_urgent_priority(analyst_client, places):
    AlertFactory(triaged=True, location=places["mbau"], priority=3)
    AlertFactory(triaged=True, location=places["mbau"], priority=1)
    AlertFactory(triaged=True, location=places["mbau"], priority=2, status="closed")
    AlertFactory(triaged=True, location=places["oicha"], priority=4)
    features = _by_place(_data(analyst_client, "open=0")["alerts"])
    mbau = features["Mbau"]["properties"]
    assert (mbau["total"], mbau["open"], mbau["priority"]) == (3, 2, 1)
    assert mbau["territory"] == "Beni"
    assert features["Mbau"]["geometry"]["coordinates"] == [29.45, 0.58]
    assert features["Oicha"]["properties"]["priority"] == 4


def test_open_only_by_default_and_the_period_and_filters_apply(analyst_client, places):
    AlertFactory(triaged=True, location=places["mbau"], priority=1, status="closed")
    AlertFactory(
        triaged=True,
        location=places["oicha"],
        priority=2,
        received_at=timezone.now() - dt.timedelta(days=20),
    )
    AlertFactory(triaged=True, location=places["oicha"], priority=3)
    assert set(_by_place(_data(analyst_client)["alerts"])) == {"Oicha"}
    assert _by_place(_data(analyst_client)["alerts"])["Oicha"]["properties"]["total"] == 1
    assert (
        _by_place(_data(analyst_client, "days=30")["alerts"])["Oicha"]["properties"]["total"] == 2
    )
    assert (
        _data(analyst_client, "days=30&priority=2")["alerts"]["features"][0]["properties"][
            "priority"
        ]
        == 2
    )


def test_a_locality_without_a_point_is_drawn_at_its_village_and_no_point_means_no_marker(
    analyst_client, places
):
    AlertFactory(triaged=True, location=places["centre"], priority=2)
    AlertFactory(triaged=True, location=places["nowhere"], priority=1)
    AlertFactory(triaged=True, location=None, priority=1)
    features = _by_place(_data(analyst_client)["alerts"])
    assert set(features) == {"Mbau-Centre"}
    assert features["Mbau-Centre"]["geometry"]["coordinates"] == [29.45, 0.58]


def test_incidents_of_the_period_are_drawn_with_their_corroboration(analyst_client, places):
    now = timezone.now()
    Incident.objects.create(
        location=places["mbau"],
        priority=1,
        reporter_count=3,
        mechanism_count=2,
        corroboration="several_mechanisms",
        first_seen_at=now,
        last_seen_at=now,
    )
    Incident.objects.create(
        location=places["oicha"],
        priority=2,
        first_seen_at=now - dt.timedelta(days=40),
        last_seen_at=now - dt.timedelta(days=40),
    )
    (incident,) = _data(analyst_client)["incidents"]["features"]
    assert incident["properties"]["reporters"] == 3
    assert incident["properties"]["corroboration"] == "several_mechanisms"


def test_bad_filters_are_a_400_and_an_unknown_period_falls_back(analyst_client, places):
    assert analyst_client.get("/dashboard/map/data/?priority=9").status_code == 400
    assert analyst_client.get("/dashboard/map/data/?days=abc").status_code == 200


def test_the_page_renders_for_viewers_too_and_strangers_are_sent_to_log_in(client, db, places):
    assert client.get("/dashboard/map/").status_code == 302
    client.force_login(UserFactory(username="vera", role="viewer"))
    page = client.get("/dashboard/map/")
    assert page.status_code == 200
    assert b"vendor/leaflet/leaflet.js" in page.content and b'id="map"' in page.content
    assert client.get("/dashboard/map/data/").status_code == 200


def test_the_map_data_costs_the_same_queries_however_many_alerts(analyst_client, places):
    AlertFactory(triaged=True, location=places["mbau"], priority=1)
    _data(analyst_client)
    with CaptureQueriesContext(connection) as few:
        _data(analyst_client)
    for place in (places["oicha"], places["centre"]):
        for priority in (1, 2, 3, 4):
            AlertFactory(triaged=True, location=place, priority=priority)
    with CaptureQueriesContext(connection) as many:
        _data(analyst_client)
    assert len(many.captured_queries) == len(few.captured_queries)
