"""An alert keeps the time of its first SMS reply (Alert.first_reply_at), which the statistics'
time to first reply reads."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from alerts.models import Alert, Message
from alerts.services import sms_send

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def alert(focal_point):
    return Alert.objects.create(source="sms", reporter=focal_point, received_at=T0, text="…")


def message(alert, at, *, direction="outbound", kind=Message.Kind.REPLY) -> Message:
    return Message.objects.create(
        alert=alert, direction=direction, kind=kind, status="sent", body="…", created_at=at
    )


def first_reply(alert) -> dt.datetime | None:
    alert.refresh_from_db()
    return alert.first_reply_at


def test_a_reply_sent_to_the_reporter_is_the_alerts_first_reply(alert):
    before = timezone.now()
    sent = sms_send(alert=alert, body="Merci, nous vérifions.")
    assert first_reply(alert) == sent.created_at
    assert sent.created_at >= before


def test_only_the_earliest_reply_counts_whatever_the_order_they_are_stored_in(alert):
    message(alert, minutes(45))
    assert first_reply(alert) == minutes(45)
    message(alert, minutes(60))
    assert first_reply(alert) == minutes(45)
    message(alert, minutes(20))  # stored late, written earlier (an import, a retried sync)
    assert first_reply(alert) == minutes(20)


def test_inbound_messages_notices_and_broadcasts_are_no_replies(alert):
    message(alert, minutes(1), direction="inbound", kind=Message.Kind.ALERT)
    message(alert, minutes(2), kind=Message.Kind.NOTICE)
    message(alert, minutes(3), kind=Message.Kind.BROADCAST)
    message(None, minutes(4))  # a reply to nobody's alert
    assert first_reply(alert) is None


def test_saving_a_reply_again_changes_nothing(alert):
    reply = message(alert, minutes(30))
    message(alert, minutes(40))
    reply.status = "delivered"
    reply.save()
    assert first_reply(alert) == minutes(30)


def test_the_migration_fills_it_from_the_replies_already_stored(alert, focal_point):
    other = Alert.objects.create(source="sms", reporter=focal_point, received_at=T0, text="…")
    silent = Alert.objects.create(source="sms", reporter=focal_point, received_at=T0, text="…")
    message(alert, minutes(45))
    message(alert, minutes(20))
    message(other, minutes(5), kind=Message.Kind.NOTICE)
    message(other, minutes(90))
    Alert.objects.update(first_reply_at=None)  # as the rows were before the migration
    migration = importlib.import_module("alerts.migrations.0010_alert_first_reply_and_stats_index")
    migration.first_replies_fill(apps, None)
    assert [first_reply(a) for a in (alert, other, silent)] == [minutes(20), minutes(90), None]
