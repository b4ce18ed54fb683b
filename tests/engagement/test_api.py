"""The API's town halls and deployments: what a create takes and what comes back."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from alerts.models import AlertEvent
from tests.factories import AlertFactory

pytestmark = pytest.mark.django_db
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_town_hall_with_concerns_and_commitments(
    gazetteer, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        response = api(users["cla"]).post(
            "/api/v1/town-halls/",
            {
                "place": gazetteer["mbau"].pk,
                "held_on": YESTERDAY,
                "participants": {"women": 14, "displaced": 30},
                "concerns": [
                    {
                        "text": "Tracts menaçants",
                        "categories": ["hate_speech"],
                        "raise_alert": True,
                    },
                    {"text": "Route coupée", "risk_factors": ["RF3"]},
                ],
                "commitments": [
                    {
                        "text": "Relayer aux autorités",
                        "owner": users["analyst"].pk,
                        "due_on": YESTERDAY,
                    }
                ],
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["participants"] == {
        "women": 14,
        "youth": 0,
        "authorities": 0,
        "civil_society": 0,
        "displaced": 30,
    }
    assert body["convener"] == users["cla"].pk
    first, second = body["concerns"]
    assert first["alert"] is not None and second["alert"] is None
    assert body["commitments"][0]["status"] == "open"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"place": 999999}, "place"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"participants": {"women": -1}}, "participants"),
        ({"concerns": [{"text": "x", "categories": ["invasion"]}]}, "concerns"),
        ({"commitments": [{"text": "x", "owner": 999999, "due_on": YESTERDAY}]}, "commitments"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(gazetteer, users, change, field):
    data = {"place": gazetteer["oicha"].pk, "held_on": YESTERDAY, "participants": {}} | change
    response = api(users["analyst"]).post("/api/v1/town-halls/", data, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_deployment_answers_only_alerts_the_caller_sees(gazetteer, users):
    mine = AlertFactory(location=gazetteer["oicha"], status="escalated")
    theirs = AlertFactory(location=gazetteer["kitshanga"], status="escalated")
    data = {
        "kind": "jpt",
        "area": gazetteer["oicha"].pk,
        "started_on": YESTERDAY,
        "team": {"military": 5, "investigators": 2},
        "recommendations": ["Patrouilles de nuit"],
    }
    refused = api(users["analyst"]).post(
        "/api/v1/deployments/", data | {"alerts": [mine.pk, theirs.pk]}, format="json"
    )
    assert refused.status_code == 400 and "alerts" in refused.json()
    created = api(users["analyst"]).post(
        "/api/v1/deployments/", data | {"alerts": [mine.pk]}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["alerts"] == [mine.pk] and body["team"]["investigators"] == 2
    assert body["recommendations"][0]["status"] == "open"
    assert mine.events.filter(kind=AlertEvent.Kind.DEPLOYMENT_SENT).count() == 1
    assert not theirs.events.filter(kind=AlertEvent.Kind.DEPLOYMENT_SENT).exists()
