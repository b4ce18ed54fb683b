"""/healthz names triage when it is stuck: no worker ran the heartbeat within a minute, or the
oldest untriaged alert is older than TRIAGE_STUCK_SECONDS. Webhooks answer all the same."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from alerts.models import Alert
from tests.twilio_support import post_signed, sms_params
from triage.models import TriageOutage
from triage.services import triage_watchdog_poke_reset, worker_heartbeat_record
from triage.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poke_now():
    triage_watchdog_poke_reset()
    yield
    triage_watchdog_poke_reset()


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def untriaged(*, seconds: int) -> Alert:
    return Alert.objects.create(source="sms", text="Tirs à Beni", received_at=ago(seconds=seconds))


def test_it_is_green_with_a_live_worker_and_nothing_waiting(client):
    worker_heartbeat()  # what a worker runs at start and every 20 s
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["worker"], body["triage"], body["oldest_untriaged_seconds"]) == ("ok", "ok", None)


def test_a_young_untriaged_alert_is_fine_and_its_age_reported(client):
    worker_heartbeat_record()
    untriaged(seconds=45)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert 44 <= response.json()["oldest_untriaged_seconds"] <= 47


def test_it_answers_503_naming_triage_when_an_alert_waits_too_long(client):
    worker_heartbeat_record()  # a worker answers, but triage does not keep up
    untriaged(seconds=121)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
    assert body["triage"] == "down" and body["oldest_untriaged_seconds"] >= 121


@override_settings(TRIAGE_STUCK_SECONDS=600)
def test_the_threshold_is_a_setting(client):
    worker_heartbeat_record()
    untriaged(seconds=300)
    assert client.get("/healthz").status_code == 200


def test_it_answers_503_when_no_worker_ever_ran_the_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "down" and response.json()["triage"] == "down"


def test_it_answers_503_when_the_last_heartbeat_is_over_a_minute_old(client):
    worker_heartbeat_record(at=ago(seconds=61))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "down"
    worker_heartbeat()
    assert client.get("/healthz").status_code == 200


def test_it_runs_the_watchdog_since_nothing_else_may(client):
    untriaged(seconds=90)
    client.get("/healthz")
    assert TriageOutage.objects.filter(is_open=True).exists()


def test_webhooks_keep_answering_while_triage_is_stuck(client):
    untriaged(seconds=20 * 60)
    assert client.get("/healthz").status_code == 503
    response = post_signed(client, "/webhooks/twilio/sms/", sms_params("Hommes armés à Mbau"))
    assert response.status_code == 200 and b"<Response" in response.content
    assert Alert.objects.filter(text="Hommes armés à Mbau", status="new").exists()


def test_a_fast_health_check_is_a_handful_of_queries(client, django_assert_max_num_queries):
    worker_heartbeat_record()
    untriaged(seconds=30)
    triage_watchdog_poke_reset()
    with django_assert_max_num_queries(8):  # SELECT 1, heartbeat, backlog, and the watchdog
        assert client.get("/healthz").status_code == 200
