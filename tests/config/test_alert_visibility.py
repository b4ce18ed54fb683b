"""Who sees which alerts: analysts their areas, CLAs their places; the same rule in the API,
its exports, the dashboard's alert page and the map."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from cla.models import CLAProfile
from networks.models import Location
from tests.factories import UserFactory
from triage.models import AnalystProfile


@pytest.fixture
def world(db):
    beni = Location.objects.create(name="Beni", kind="territory")
    lubero = Location.objects.create(name="Lubero", kind="territory")
    mbau = Location.objects.create(
        name="Mbau", kind="village", parent=beni, latitude="0.58", longitude="29.45"
    )
    kanyabayonga = Location.objects.create(
        name="Kanyabayonga", kind="village", parent=lubero, latitude="-0.7", longitude="29.2"
    )
    analyst = UserFactory(username="beni-analyst", role="analyst")
    AnalystProfile.objects.create(user=analyst).areas.add(beni)
    cla = UserFactory(username="cla-lubero", role="cla")
    CLAProfile.objects.create(user=cla).assigned_places.add(lubero)

    def alert(text, location=None, **extra):
        return Alert.objects.create(
            source="sms", text=text, location=location, status="triaged", priority=2, **extra
        )

    other = UserFactory(username="other-analyst", role="analyst")
    return {
        "analyst": analyst,
        "cla": cla,
        "other": other,
        "in_beni": alert("Mbau", mbau),
        "in_lubero": alert("Kanyabayonga", kanyabayonga),
        "unplaced": alert("quelque part"),
        "lubero_mine": alert("assignée", kanyabayonga, assignee=analyst),
        "raised_by_cla": Alert.objects.create(
            source="cla", text="rumeur", location=mbau, created_by=cla
        ),
    }


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _texts(client, url="/api/v1/alerts/?page_size=200"):
    return {row["text"] for row in client.get(url).json()["results"]}


def test_an_analyst_with_areas_sees_them_the_unplaced_and_what_is_assigned_to_them(world):
    assert _texts(_api(world["analyst"])) == {"Mbau", "quelque part", "assignée", "rumeur"}


def test_an_analyst_without_areas_and_a_supervisor_see_everything(world, db):
    everything = {"Mbau", "Kanyabayonga", "quelque part", "assignée", "rumeur"}
    assert _texts(_api(world["other"])) == everything
    assert _texts(_api(UserFactory(username="sup", role="supervisor"))) == everything
    assert _texts(_api(UserFactory(username="vee", role="viewer"))) == everything


def test_a_cla_sees_alerts_in_their_places_and_those_they_raised(world):
    assert _texts(_api(world["cla"])) == {"Kanyabayonga", "assignée", "rumeur"}


def test_an_alert_outside_ones_areas_is_not_found_by_id_nor_exported(world):
    client = _api(world["analyst"])
    assert client.get(f"/api/v1/alerts/{world['in_lubero'].pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/alerts/{world['in_lubero'].pk}/", {"priority": 1}, format="json"
        ).status_code
        == 404
    )
    export = b"".join(client.get("/api/v1/alerts/export/").streaming_content).decode()
    assert world["in_beni"].reference in export
    assert world["in_lubero"].reference not in export


def test_the_dashboard_alert_page_and_map_follow_the_same_rule(client, world):
    client.force_login(world["analyst"])
    assert client.get(f"/dashboard/alerts/{world['in_beni'].pk}/").status_code == 200
    assert client.get(f"/dashboard/alerts/{world['in_lubero'].pk}/").status_code == 404
    assert client.post(f"/dashboard/alerts/{world['in_lubero'].pk}/acknowledge/").status_code == 404
    places = {
        f["properties"]["place"]
        for f in client.get("/dashboard/map/data/?open=0").json()["alerts"]["features"]
    }
    assert places == {"Mbau", "Kanyabayonga"}  # Kanyabayonga: the alert assigned to them
