"""POST /api/v1/alerts/ takes the sources an operator types in, with who reported it."""

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    user = UserFactory(username="alf", role="analyst")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.mark.parametrize("source", ["radio", "phone", "in_person", "town_hall"])
def test_it_creates_an_alert_typed_in_by_an_operator(
    api, source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            "/api/v1/alerts/",
            {"source": source, "text": "Tirs à Mbau", "reporter_name": "Chef Mumbere"},
            format="json",
        )
    assert response.status_code == 201, response.content
    alert = Alert.objects.get(pk=response.json()["id"])
    assert (alert.source, alert.status, alert.created_by) == (source, "new", api.user)
    assert alert.reporter_name == "Chef Mumbere" and alert.reporter is None
    assert "reporter_name" not in response.json()  # a name is never echoed back
    assert len(callbacks) == 1  # triage queued after commit
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name FROM alerts_alert WHERE id = %s", [alert.pk])
        assert "Mumbere" not in cursor.fetchone()[0]


def test_the_reporter_name_is_optional(api):
    response = api.post("/api/v1/alerts/", {"source": "radio", "text": "Tirs"}, format="json")
    assert response.status_code == 201
    assert Alert.objects.get().reporter_name == ""


def test_the_schema_lists_the_operator_sources(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schemas = schema["components"]["schemas"]
    assert "reporter_name" in schemas["AlertCreate"]["properties"]
    assert set(schemas["AlertCreateSourceEnum"]["enum"]) == {
        "web",
        "lpc",
        "cla",
        "radio",
        "phone",
        "in_person",
        "town_hall",
    }
