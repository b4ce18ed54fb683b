"""Retention: past MESSAGE_RETENTION_DAYS the words go, the rows and the statistics stay."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, Message, Recording, SendAttempt
from alerts.services import retention_purge
from networks.models import AuditEntry
from tests.factories import AlertFactory, MessageFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD = NOW - dt.timedelta(days=400)
RECENT = NOW - dt.timedelta(days=30)

# What statistics read: none of it may change.
ALERT_STATS = (
    "id",
    "status",
    "priority",
    "categories",
    "risk_factors",
    "language",
    "source",
    "reporter_id",
    "sender_known",
    "sender_hash",
    "location_id",
    "received_at",
    "triaged_at",
    "acknowledged_at",
    "closed_at",
    "outcome",
    "updated_at",
)
MESSAGE_STATS = (
    "id",
    "alert_id",
    "direction",
    "kind",
    "status",
    "segments",
    "error_code",
    "provider_sid",
    "peer_hash",
    "focal_point_id",
    "created_at",
    "updated_at",
)


TEXT = "Hommes armés vus à Mbau"
PHONE = "+243991234567"
# What intake keeps of an SMS: its words, its number, the provider's request and media.
SAID = {"text": TEXT, "sender": PHONE, "priority": 2, "categories": ["armed_presence"]}
SENT = {
    "body": TEXT,
    "peer": PHONE,
    "segments": 2,
    "raw": {"From": PHONE, "Body": TEXT},
    "media_urls": ["https://api.twilio.com/media/ME1"],
}


@pytest.fixture
def history():
    old_closed = AlertFactory(
        triaged=True, status="closed", received_at=OLD, closed_at=OLD + dt.timedelta(days=2), **SAID
    )
    old_open = AlertFactory(triaged=True, status="acknowledged", received_at=OLD, **SAID)
    old_but_closed_lately = AlertFactory(
        triaged=True, status="closed", received_at=OLD, closed_at=RECENT, **SAID
    )
    recent_closed = AlertFactory(
        triaged=True, status="closed", received_at=RECENT, closed_at=RECENT, **SAID
    )
    messages = {
        "old_in": MessageFactory(alert=old_closed, created_at=OLD, **SENT),
        "old_out": MessageFactory(
            alert=old_closed, created_at=OLD, reply=True, status="delivered", **SENT
        ),
        "old_on_open_alert": MessageFactory(alert=old_open, created_at=OLD, **SENT),
        "recent": MessageFactory(alert=recent_closed, created_at=RECENT, **SENT),
    }
    alerts = {
        "old_closed": old_closed,
        "old_open": old_open,
        "old_but_closed_lately": old_but_closed_lately,
        "recent_closed": recent_closed,
    }
    return alerts, messages


def stats():
    return (
        list(Alert.objects.order_by("id").values_list(*ALERT_STATS)),
        list(Message.objects.order_by("id").values_list(*MESSAGE_STATS)),
    )


def test_old_texts_numbers_and_raw_requests_are_blanked(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 365
    alerts, messages = history
    result = retention_purge()
    assert (result.messages, result.alerts) == (3, 1)

    for key in ("old_in", "old_out", "old_on_open_alert"):
        message = Message.objects.get(pk=messages[key].pk)
        assert (message.body, message.raw, message.peer, message.media_urls) == ("", None, "", [])
    old_closed = Alert.objects.get(pk=alerts["old_closed"].pk)
    assert (old_closed.text, old_closed.sender) == ("", "")


def test_old_provider_error_texts_and_recordings_are_blanked_too(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 365
    alerts, messages = history
    failed, recent = messages["old_out"], messages["recent"]
    for message in (failed, recent):
        Message.objects.filter(pk=message.pk).update(
            error_code="30003", error_message="Unreachable destination handset"
        )
        SendAttempt.objects.create(
            message=message, http_status=503, error_code="20500", error_message="Service down"
        )
    old_call, recent_call = alerts["old_closed"], alerts["recent_closed"]
    for alert in (old_call, recent_call):
        Alert.objects.filter(pk=alert.pk).update(
            recording_url="https://api.twilio.com/x/Recordings/RE1", recording_duration=40
        )
        Recording.objects.create(
            alert=alert, provider_url="https://api.twilio.com/x/Recordings/RE1", audio=b"ID3voice"
        )
    result = retention_purge()
    assert (result.messages, result.alerts) == (3, 1)

    failed.refresh_from_db()
    assert (failed.error_code, failed.error_message) == ("30003", "")  # the code still counts
    assert SendAttempt.objects.get(message=failed).error_message == ""
    assert SendAttempt.objects.get(message=failed).error_code == "20500"
    old_call.refresh_from_db()
    assert (old_call.recording_url, old_call.recording_duration) == ("", 40)
    assert not Recording.objects.filter(alert=old_call).exists()
    # Recent ones are kept.
    assert Message.objects.get(pk=recent.pk).error_message == "Unreachable destination handset"
    assert SendAttempt.objects.get(message=recent).error_message == "Service down"
    assert Recording.objects.get(alert=recent_call).audio == b"ID3voice"


def test_nothing_statistics_read_changes(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 365
    before = stats()
    retention_purge()
    assert stats() == before
    assert Alert.objects.count() == 4 and Message.objects.count() == 4


def test_recent_messages_and_open_or_lately_closed_alerts_are_kept(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 365
    alerts, messages = history
    retention_purge()
    recent = Message.objects.get(pk=messages["recent"].pk)
    assert recent.body == TEXT and recent.peer == PHONE
    assert recent.raw["Body"] == TEXT
    for key in ("old_open", "old_but_closed_lately", "recent_closed"):
        alert = Alert.objects.get(pk=alerts[key].pk)
        assert alert.text == TEXT, key
        assert alert.sender == PHONE, key


def test_the_blanked_values_are_gone_from_the_database_itself(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 365
    _, messages = history
    retention_purge()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT body, raw, peer, media_urls FROM {Message._meta.db_table} WHERE id = %s",
            [messages["old_in"].pk],
        )
        assert cursor.fetchone() == ("", None, "", "")


def test_it_is_idempotent_and_audited_once_per_run(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 365
    retention_purge()
    after_first = stats()
    second = retention_purge()
    assert (second.messages, second.alerts) == (0, 0)
    assert stats() == after_first
    first_entry, second_entry = AuditEntry.objects.filter(
        action=AuditEntry.Action.RETENTION_PURGE
    ).order_by("id")
    assert first_entry.details["messages"] == 3 and first_entry.details["alerts"] == 1
    assert second_entry.details["messages"] == 0


def test_zero_days_keeps_everything(history, settings):
    settings.MESSAGE_RETENTION_DAYS = 0
    result = retention_purge()
    assert result.cutoff is None
    assert not Message.objects.filter(body="").exists()


def test_the_command_has_a_dry_run(history, settings, capsys):
    settings.MESSAGE_RETENTION_DAYS = 365
    call_command("purge_old_messages", "--dry-run")
    assert "Would blank 3 messages and 1 closed alerts" in capsys.readouterr().out
    assert not Message.objects.filter(body="").exists()
    call_command("purge_old_messages")
    assert "Blanked 3 messages and 1 closed alerts" in capsys.readouterr().out
    assert Message.objects.filter(body="").count() == 3


def test_the_purge_runs_daily_on_the_beat_schedule(settings):
    from config.celery import app

    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"].endswith("purge_old_messages")
    ]
    assert entry["schedule"] == 24 * 3600
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
