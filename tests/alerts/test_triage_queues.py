"""Triage's queues: a text naming a threat to life goes ahead of the line, and the sweeper
queues again only what is really lost, not what still waits in line."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.constants import PUBLISH_FAILED_AT
from alerts.models import Alert
from alerts.services import (
    alerts_requeue_stale,
    enqueue_triage,
    thread_texts_requeue_stale,
    triage_queue_depths,
    triage_queue_for,
    urgent_check_register,
)
from tests.factories import AlertFactory
from tests.outages import broker_down
from tests.twilio_support import post_signed, sms_params
from triage.engine import has_priority1_evidence

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/webhooks/twilio/sms/"
KILLINGS = "Ils tirent sur la population à Mbau, trois morts"
GREETING = "Bonjour, merci pour le crédit"


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


@pytest.fixture
def no_urgent_check():
    urgent_check_register(None)
    yield
    urgent_check_register(has_priority1_evidence)  # as triage's ready() left it


# --- Urgent first ---------------------------------------------------------------------------


def test_an_sms_naming_killings_is_queued_on_the_urgent_queue(client, empty_triage_queues):
    post_signed(client, URL, sms_params(KILLINGS))
    assert triage_queue_depths() == {"triage_urgent": 1, "triage": 0, "default": 0}


def test_a_greeting_waits_in_the_triage_queue(client, empty_triage_queues):
    post_signed(client, URL, sms_params(GREETING))
    assert triage_queue_depths() == {"triage_urgent": 0, "triage": 1, "default": 0}


def test_without_a_registered_check_every_alert_goes_to_the_triage_queue(no_urgent_check):
    assert triage_queue_for(text=KILLINGS) == "triage"


def test_a_failing_check_still_queues_triage(caplog):
    def broken(text: str) -> bool:
        raise RuntimeError("lexicon unreadable")

    urgent_check_register(broken)
    try:
        assert triage_queue_for(text=KILLINGS) == "triage"
    finally:
        urgent_check_register(has_priority1_evidence)
    assert "urgent check failed" in caplog.text


def test_a_flooding_sender_waits_with_housekeeping_even_when_urgent():
    assert triage_queue_for(text=KILLINGS, flooded=True) == "default"


def test_an_alert_raised_from_the_web_is_routed_by_its_text(empty_triage_queues):
    from alerts.services import alert_create

    alert_create(source="web", text=KILLINGS)
    assert triage_queue_depths()["triage_urgent"] == 1


# --- The sweeper ------------------------------------------------------------------------------


def test_the_sweeper_adds_no_task_for_alerts_still_waiting_in_the_queue(empty_triage_queues):
    waiting = AlertFactory.create_batch(3, text=GREETING, received_at=ago(120))
    for alert in waiting:
        assert enqueue_triage(alert.pk, text=alert.text)
    assert alerts_requeue_stale() == 0
    assert triage_queue_depths()["triage"] == 3
    assert set(Alert.objects.values_list("queued_at", flat=True)) == {None}


def test_a_line_on_the_triage_queue_does_not_hold_back_a_lost_urgent_alert(empty_triage_queues):
    for alert in AlertFactory.create_batch(2, text=GREETING, received_at=ago(120)):
        enqueue_triage(alert.pk, text=alert.text)
    lost = AlertFactory(text=KILLINGS, received_at=ago(120))  # its queue is empty: lost
    assert alerts_requeue_stale() == 1
    assert triage_queue_depths() == {"triage_urgent": 1, "triage": 2, "default": 0}
    lost.refresh_from_db()
    assert lost.queued_at is not None


def test_the_sweeper_queues_again_an_alert_whose_task_was_lost(empty_triage_queues):
    lost = AlertFactory(text=GREETING, received_at=ago(61))
    AlertFactory(text=GREETING, received_at=ago(30))  # may still be on its way
    assert alerts_requeue_stale() == 1
    assert triage_queue_depths()["triage"] == 1
    lost.refresh_from_db()
    assert lost.queued_at is not None


def test_a_failed_publish_is_queued_again_at_the_next_sweep_ten_seconds_on(empty_triage_queues):
    with broker_down():
        alert = AlertFactory(text=GREETING)
        assert not enqueue_triage(alert.pk, text=alert.text)
    alert.refresh_from_db()
    assert alert.queued_at == PUBLISH_FAILED_AT
    # Others still wait in line: the failed one is queued again all the same, since nothing
    # else will bring it to triage.
    for other in AlertFactory.create_batch(2, text=GREETING, received_at=ago(5)):
        enqueue_triage(other.pk, text=other.text)
    assert alerts_requeue_stale() == 0  # the broker may only just be back
    Alert.objects.filter(pk=alert.pk).update(received_at=ago(11))
    assert alerts_requeue_stale() == 1
    assert triage_queue_depths()["triage"] == 3
    alert.refresh_from_db()
    assert alert.queued_at > PUBLISH_FAILED_AT


def test_a_sweep_with_the_broker_down_leaves_every_alert_for_the_next(empty_triage_queues):
    alerts = AlertFactory.create_batch(3, text=GREETING, received_at=ago(120))
    with broker_down():
        assert alerts_requeue_stale() == 0
    assert {a.queued_at for a in Alert.objects.filter(pk__in=[a.pk for a in alerts])} == {
        PUBLISH_FAILED_AT
    }
    assert alerts_requeue_stale() == 3  # the broker is back


def test_the_sweeper_leaves_thread_texts_waiting_in_line(focal_point, empty_triage_queues):
    from alerts.models import Message
    from alerts.services import thread_text_enqueue

    alert = AlertFactory()
    at = ago(120)
    message = Message.objects.create(
        alert=alert, direction="inbound", body="Oui", status="received", triage_pending=True
    )
    Message.objects.filter(pk=message.pk).update(created_at=at, updated_at=at)
    assert thread_text_enqueue(message.pk, text=message.body)
    assert thread_texts_requeue_stale() == 0
    empty_triage_queues()  # the worker took it, and lost it
    assert thread_texts_requeue_stale() == 1
