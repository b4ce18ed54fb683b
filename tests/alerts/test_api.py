import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_role(role: str) -> APIClient:
        user = UserFactory(username=f"{role}-user", role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.user = user
        return client

    return as_role


@pytest.fixture
def sms_alert(focal_point):
    return Alert.objects.create(
        source="sms",
        text="Hommes armés à Mbau",
        reporter=focal_point,
        sender_known=True,
        sender=focal_point.phone,
    )


def test_it_refuses_anonymous_requests():
    assert APIClient().get("/api/v1/alerts/").status_code == 401


def test_it_lists_alerts_paginated_with_the_contract_fields(api, sms_alert):
    body = api("analyst").get("/api/v1/alerts/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    row = body["results"][0]
    for field in (
        "id reference status priority categories risk_factors language text source reporter "
        "sender_known location location_name incident assignee received_at triaged_at "
        "acknowledged_at closed_at sla_due_at"
    ).split():
        assert field in row
    assert row["reference"] == sms_alert.reference
    assert row["reporter"] == sms_alert.reporter_id


def test_it_filters_by_text_status_source_category_and_dates(api, sms_alert):
    other = Alert.objects.create(
        source="web",
        text="Tension foncière",
        status="triaged",
        categories=["intercommunal_tension"],
    )
    Alert.objects.filter(pk=other.pk).update(received_at=timezone.now() - dt.timedelta(days=3))
    client = api("analyst")

    def ids(query):
        return [a["id"] for a in client.get(f"/api/v1/alerts/?{query}").json()["results"]]

    assert ids("q=Mbau") == [sms_alert.id]
    assert ids(f"q={sms_alert.reference}") == [sms_alert.id]
    assert ids("status=triaged") == [other.id]
    assert ids("source=web") == [other.id]
    assert ids("category=intercommunal_tension") == [other.id]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(f"received_after={since.replace('+', '%2B')}") == [sms_alert.id]


def test_a_bad_filter_value_is_a_400_not_a_500(api):
    response = api("analyst").get("/api/v1/alerts/?received_after=yesterday&priority=x")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "received_after=0001-01-01T00:00:00",
        "received_after=0001-01-01T00:00:00%2B14:00",
        "received_before=9999-12-31T23:59:59-14:00",
    ],
)
def test_a_moment_beyond_the_calendar_in_utc_is_a_400_not_a_500(api, query):
    response = api("analyst").get(f"/api/v1/alerts/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_date_filter_with_an_offset_beyond_what_postgresql_takes_still_filters(api, sms_alert):
    client = api("analyst")
    received = sms_alert.received_at.astimezone(dt.timezone(-dt.timedelta(hours=23, minutes=42)))
    after = (received - dt.timedelta(minutes=1)).isoformat()
    before = (received + dt.timedelta(minutes=1)).isoformat()
    for query, expected in [(f"received_after={after}", 1), (f"received_before={before}", 1)]:
        response = client.get("/api/v1/alerts/", dict([query.split("=", 1)]))
        assert response.status_code == 200, query
        assert response.json()["count"] == expected, query
    assert client.get("/api/v1/alerts/", {"received_after": before}).json()["count"] == 0


def test_an_empty_status_or_source_is_no_filter(api, sms_alert):
    client = api("analyst")
    for query in ("status=", "source=", "status=&source=sms"):
        response = client.get(f"/api/v1/alerts/?{query}")
        assert response.status_code == 200, query
        assert [a["id"] for a in response.json()["results"]] == [sms_alert.id]
    assert client.get("/api/v1/alerts/?status=bogus").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "location=99999999999999999999",
        "assignee=99999999999999999999",
        "network=99999999999999999999",
        "location=0",
        "assignee=-3",
        "priority=0",
        "priority=5",
    ],
)
def test_an_out_of_range_number_filter_is_a_400(api, query):
    response = api("analyst").get(f"/api/v1/alerts/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_number_filters_in_range_still_filter(api, sms_alert):
    client = api("analyst")
    Alert.objects.filter(pk=sms_alert.pk).update(priority=4)
    location = sms_alert.reporter.home_location_id
    assert client.get("/api/v1/alerts/?priority=4").json()["count"] == 1
    assert client.get("/api/v1/alerts/?priority=1").json()["count"] == 0
    assert client.get(f"/api/v1/alerts/?location={location}").json()["count"] == 0
    assert client.get(f"/api/v1/alerts/?assignee={client.user.pk}").json()["count"] == 0


@pytest.mark.parametrize("source", ["web", "lpc", "cla"])
def test_it_raises_an_alert_from_the_web_an_lpc_or_a_cla(
    api, source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api("cla").post(
            "/api/v1/alerts/", {"source": source, "text": "Rumeur d'attaque"}, format="json"
        )
    assert response.status_code == 201
    alert = Alert.objects.get(pk=response.json()["id"])
    assert (alert.source, alert.status) == (source, "new")
    assert len(callbacks) == 1  # triage queued after commit


def test_it_refuses_to_create_an_sms_alert_over_the_api(api):
    response = api("analyst").post("/api/v1/alerts/", {"source": "sms", "text": "x"}, format="json")
    assert response.status_code == 400
    assert "source" in response.json()


def test_a_viewer_may_read_alerts_but_not_who_reported_them(api, sms_alert):
    client = api("viewer")
    row = client.get(f"/api/v1/alerts/{sms_alert.id}/").json()
    assert row["reporter"] is None
    assert (
        client.post("/api/v1/alerts/", {"source": "web", "text": "x"}, format="json").status_code
        == 403
    )


def test_partial_update_changes_status_and_stamps_times(api, sms_alert):
    client = api("analyst")
    url = f"/api/v1/alerts/{sms_alert.id}/"
    response = client.patch(
        url,
        {"status": "acknowledged", "priority": 1, "categories": ["attack"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    for status in ("verified", "closed"):
        response = client.patch(url, {"status": status, "assignee": client.user.id}, format="json")
        assert response.status_code == 200, response.json()
    sms_alert.refresh_from_db()
    assert sms_alert.status == "closed" and sms_alert.priority == 1
    assert sms_alert.outcome == "verified"
    assert sms_alert.acknowledged_at and sms_alert.closed_at
    assert sms_alert.assignee == client.user


def test_partial_update_refuses_a_status_the_machine_does_not_allow_and_changes_nothing(
    api, sms_alert
):
    response = api("analyst").patch(
        f"/api/v1/alerts/{sms_alert.id}/", {"status": "closed", "priority": 1}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()
    sms_alert.refresh_from_db()
    assert sms_alert.status == "new" and sms_alert.priority != 1
    assert not sms_alert.events.exists()


def test_partial_update_rejects_unknown_categories(api, sms_alert):
    response = api("analyst").patch(
        f"/api/v1/alerts/{sms_alert.id}/", {"categories": ["aliens"]}, format="json"
    )
    assert response.status_code == 400


def test_a_reply_goes_to_the_reporter_and_shows_in_the_thread(api, sms_alert, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = api("analyst")
    response = client.post(
        f"/api/v1/alerts/{sms_alert.id}/replies/",
        {"body": "Merci, restez en sécurité"},
        format="json",
    )
    assert response.status_code == 201
    reply = Message.objects.get(pk=response.json()["id"])
    assert (reply.direction, reply.kind, reply.status, reply.peer) == (
        "outbound",
        "reply",
        "pending",
        sms_alert.reporter.phone,
    )
    assert reply.status_callback.endswith("/webhooks/twilio/status/")
    thread = client.get(f"/api/v1/alerts/{sms_alert.id}/messages/").json()["results"]
    assert [m["id"] for m in thread] == [reply.id]


def test_a_reply_to_an_opted_out_reporter_is_refused_with_a_reason(api, sms_alert):
    sms_alert.reporter.opted_out_at = timezone.now()
    sms_alert.reporter.save()
    response = api("analyst").post(
        f"/api/v1/alerts/{sms_alert.id}/replies/",
        {"body": "Bonjour"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "opted out" in response.json()["detail"]
    assert not Message.objects.filter(direction="outbound").exists()
    assert LocmemBackend.outbox == []


def test_admin_sees_focal_points_names_and_phones(api, focal_point):
    row = api("admin").get("/api/v1/focal-points/").json()["results"][0]
    assert row["phone"] == "+243991234567" and row["name"] == "Kavira Masika"


def test_a_viewer_cannot_list_focal_points(api, focal_point):
    assert api("viewer").get("/api/v1/focal-points/").status_code == 403


@pytest.mark.parametrize("network", ["99999999999999999999", "-1e400", "0"])
def test_an_out_of_range_network_filter_on_focal_points_is_a_400(api, network):
    response = api("admin").get(f"/api/v1/focal-points/?network={network}")
    assert response.status_code == 400
    assert "network" in response.json()


def test_locations_and_networks_are_listed(api, focal_point):
    client = api("viewer")
    assert client.get("/api/v1/locations/?name=mbau").json()["count"] == 1
    assert client.get("/api/v1/networks/").status_code == 200


def test_a_correction_over_the_api_keeps_its_reason_in_the_history(api, sms_alert):
    client = api("analyst")
    response = client.patch(
        f"/api/v1/alerts/{sms_alert.id}/",
        {"language": "sw", "risk_factors": ["RF1", "RF13"], "note": "the reporter speaks Swahili"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    history = client.get(f"/api/v1/alerts/{sms_alert.id}/history/").json()["results"]
    assert sorted((e["kind"], e["before"], e["after"], e["by"]) for e in history) == [
        ("language", "und", "sw", "analyst-user"),
        ("risk_factors", [], ["RF1", "RF13"], "analyst-user"),
    ]
    assert {e["note"] for e in history} == {"the reporter speaks Swahili"}


def test_unknown_risk_factors_and_languages_are_refused(api, sms_alert):
    client = api("analyst")
    url = f"/api/v1/alerts/{sms_alert.id}/"
    assert client.patch(url, {"risk_factors": ["RF15"]}, format="json").status_code == 400
    assert client.patch(url, {"language": "de"}, format="json").status_code == 400


def test_the_history_is_readable_by_every_role_that_reads_alerts(api, sms_alert):
    api("analyst").patch(f"/api/v1/alerts/{sms_alert.id}/", {"status": "acknowledged"})
    for role in ("viewer", "supervisor", "admin"):
        response = api(role).get(f"/api/v1/alerts/{sms_alert.id}/history/")
        assert response.status_code == 200
        assert [e["after"] for e in response.json()["results"]] == ["acknowledged"]
    # A CLA sees the alerts of their places and those they raised: not this one.
    assert api("cla").get(f"/api/v1/alerts/{sms_alert.id}/history/").status_code == 404
