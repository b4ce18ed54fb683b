"""A reporter's new message stays marked on its alert until an analyst reads it: by opening
the alert (see tests/triage/test_thread_pages.py), replying to it or acknowledging it."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertEvent
from alerts.services import alert_message_read, alert_transition, alert_update, sms_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst")


def marked_alert(*, status=Alert.Status.TRIAGED, **fields) -> Alert:
    return Alert.objects.create(
        source=Alert.Source.SMS,
        status=status,
        priority=2,
        text="Hommes armés vus près du marché",
        new_message_at=timezone.now() - dt.timedelta(minutes=2),
        **fields,
    )


def reads(alert: Alert) -> list[AlertEvent]:
    return list(alert.events.filter(kind=AlertEvent.Kind.MESSAGE_READ))


def test_acknowledging_reads_the_new_message(analyst):
    alert = marked_alert()
    alert_transition(alert=alert, to=Alert.Status.ACKNOWLEDGED, by=analyst)
    alert.refresh_from_db()
    assert alert.new_message_at is None
    [event] = reads(alert)
    assert event.by == analyst


def test_replying_reads_the_new_message(analyst, focal_point):
    alert = marked_alert(status=Alert.Status.ACKNOWLEDGED, reporter=focal_point)
    sms_send(alert=alert, body="Nous avons bien reçu, restez à l'abri.", sent_by=analyst)
    alert.refresh_from_db()
    assert alert.new_message_at is None
    assert [event.by for event in reads(alert)] == [analyst]


def test_a_notice_or_another_change_leaves_it_unread(analyst, focal_point):
    alert = marked_alert(status=Alert.Status.ACKNOWLEDGED, reporter=focal_point)
    sms_send(to="+243990000009", body="Kengele: nouveau message", kind="notice")
    alert_update(alert=alert, by=analyst, priority=1)
    alert.refresh_from_db()
    assert alert.new_message_at is not None and reads(alert) == []


def test_a_message_newer_than_the_one_seen_stays_unread(analyst):
    alert = marked_alert(status=Alert.Status.ACKNOWLEDGED)
    seen = alert.new_message_at
    newer = seen + dt.timedelta(seconds=30)
    Alert.objects.filter(pk=alert.pk).update(new_message_at=newer)  # came in meanwhile
    assert alert_message_read(alert=alert, by=analyst, seen=seen) is False
    alert.refresh_from_db()
    assert alert.new_message_at == newer and reads(alert) == []


def test_reading_twice_records_one_read(analyst):
    alert = marked_alert(status=Alert.Status.ACKNOWLEDGED)
    assert alert_message_read(alert=alert, by=analyst) is True
    assert alert_message_read(alert=alert, by=analyst) is False
    assert len(reads(alert)) == 1
