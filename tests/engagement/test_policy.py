"""Who sees which town hall meetings and deployments, by role and area, on the API and the
dashboard: the answers written out by hand. The analyst covers Beni, the Masisi analyst Masisi,
the CLA works in Beni; Oicha is in Beni, Kitshanga in Masisi."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from engagement.models import Deployment, TownHall
from tests.factories import DeploymentFactory, TownHallFactory

pytestmark = pytest.mark.django_db

FORBIDDEN = "403"
# role -> the places whose town halls they see in the list.
TOWN_HALLS = {
    "admin": {"Oicha", "Kitshanga"},
    "supervisor": {"Oicha", "Kitshanga"},
    "viewer": {"Oicha", "Kitshanga"},
    "analyst": {"Oicha"},
    "masisi_analyst": {"Kitshanga"},
    "cla": {"Oicha"},
}
DEPLOYMENTS = {
    "admin": {"Oicha", "Kitshanga"},
    "supervisor": {"Oicha", "Kitshanga"},
    "viewer": FORBIDDEN,
    "analyst": {"Oicha"},
    "masisi_analyst": {"Kitshanga"},
    "cla": FORBIDDEN,
}
# role -> may they record a town hall / a deployment at Oicha (API status).
CREATE_AT_OICHA = {
    "admin": (201, 201),
    "supervisor": (201, 201),
    "viewer": (403, 403),
    "analyst": (201, 201),
    "masisi_analyst": (400, 400),  # not one of their places
    "cla": (201, 403),
}


@pytest.fixture
def records(gazetteer, users):
    return {
        "town_halls": {
            name: TownHallFactory(place=gazetteer[name.lower()], convener=users["supervisor"])
            for name in ("Oicha", "Kitshanga")
        },
        "deployments": {
            name: DeploymentFactory(area=gazetteer[name.lower()], by=users["supervisor"])
            for name in ("Oicha", "Kitshanga")
        },
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed(client, url: str, place_field: str):
    response = client.get(url)
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code == 200
    return {row[place_field] for row in response.json()["results"]}


@pytest.mark.parametrize("role", sorted(TOWN_HALLS))
def test_town_halls_by_role_and_area_on_the_api(role, users, records):
    assert listed(api(users[role]), "/api/v1/town-halls/", "place_name") == TOWN_HALLS[role]


@pytest.mark.parametrize("role", sorted(DEPLOYMENTS))
def test_deployments_by_role_and_area_on_the_api(role, users, records):
    assert listed(api(users[role]), "/api/v1/deployments/", "area_name") == DEPLOYMENTS[role]


@pytest.mark.parametrize("role", sorted(TOWN_HALLS))
def test_each_town_hall_retrieved_or_hidden_on_the_api_and_dashboard(role, users, records, client):
    client.force_login(users[role])
    for name, town_hall in records["town_halls"].items():
        expected = 200 if name in TOWN_HALLS[role] else 404
        assert api(users[role]).get(f"/api/v1/town-halls/{town_hall.pk}/").status_code == expected
        assert client.get(f"/dashboard/town-halls/{town_hall.pk}/").status_code == expected


@pytest.mark.parametrize("role", sorted(DEPLOYMENTS))
def test_each_deployment_retrieved_or_hidden_on_the_api_and_dashboard(role, users, records, client):
    client.force_login(users[role])
    for name, deployment in records["deployments"].items():
        if DEPLOYMENTS[role] == FORBIDDEN:
            expected = 403
        else:
            expected = 200 if name in DEPLOYMENTS[role] else 404
        assert api(users[role]).get(f"/api/v1/deployments/{deployment.pk}/").status_code == expected
        assert client.get(f"/dashboard/deployments/{deployment.pk}/").status_code == expected


@pytest.mark.parametrize("role", sorted(TOWN_HALLS))
def test_the_dashboard_lists_the_same_town_halls(role, users, records, client):
    client.force_login(users[role])
    rows = client.get("/dashboard/town-halls/").context["rows"]
    assert {t.place.name for t in rows} == TOWN_HALLS[role]


@pytest.mark.parametrize("role", sorted(CREATE_AT_OICHA))
def test_who_may_record_at_oicha_through_the_api(role, users, gazetteer):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    town_hall = api(users[role]).post(
        "/api/v1/town-halls/",
        {"place": gazetteer["oicha"].pk, "held_on": yesterday, "participants": {"women": 3}},
        format="json",
    )
    deployment = api(users[role]).post(
        "/api/v1/deployments/",
        {"kind": "jam", "area": gazetteer["oicha"].pk, "started_on": yesterday, "team": {}},
        format="json",
    )
    assert (town_hall.status_code, deployment.status_code) == CREATE_AT_OICHA[role]
    assert TownHall.objects.count() == (1 if CREATE_AT_OICHA[role][0] == 201 else 0)
    assert Deployment.objects.count() == (1 if CREATE_AT_OICHA[role][1] == 201 else 0)
