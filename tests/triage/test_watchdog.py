"""The triage watchdog: stale alerts queued again, a worker heartbeat, and one SMS to the
supervisors per outage (and one when it ends), even when no worker runs at all."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, Message
from alerts.services import alerts_requeue_stale
from tests.factories import UserFactory
from triage.models import AnalystProfile, TriageOutage, WorkerHeartbeat
from triage.services import (
    triage_backlog,
    triage_watchdog_check,
    triage_watchdog_poke,
    triage_watchdog_poke_reset,
    worker_alive,
    worker_heartbeat_record,
)
from triage.tasks import watchdog_check, worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poke_now():
    triage_watchdog_poke_reset()
    yield
    triage_watchdog_poke_reset()


@pytest.fixture
def supervisors():
    """Two supervisors with a number (one reads English), one without; an analyst with one."""
    for username, phone, language in (
        ("sam", "+243990000001", "fr"),
        ("sue", "+243990000002", "en"),
        ("sid", "", "fr"),
    ):
        AnalystProfile.objects.create(
            user=UserFactory(username=username, role="supervisor"), phone=phone, language=language
        )
    AnalystProfile.objects.create(
        user=UserFactory(username="ana", role="analyst"), phone="+243990000003"
    )


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def waiting(*, seconds: int, source: str = "sms", **fields) -> Alert:
    """An alert triage has not reached, received `seconds` ago."""
    return Alert.objects.create(
        source=source, text="Hommes armés à Mbau", received_at=ago(seconds=seconds), **fields
    )


def notices() -> list[Message]:
    return list(Message.objects.filter(kind="notice", direction="outbound").order_by("id"))


# --- Re-queueing -----------------------------------------------------------------------------


@override_settings(TRIAGE_STALE_SECONDS=20)
def test_it_queues_again_an_alert_untriaged_after_triage_stale_seconds(empty_triage_queues):
    fresh = waiting(seconds=10)
    stale = waiting(seconds=25)
    assert alerts_requeue_stale() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.queued_at is not None and fresh.queued_at is None
    assert alerts_requeue_stale() == 0  # queued again only TRIAGE_STALE_SECONDS later
    Alert.objects.filter(pk=stale.pk).update(queued_at=ago(seconds=21))
    empty_triage_queues()  # a worker took the task, and lost it
    assert alerts_requeue_stale() == 1


@override_settings(TRIAGE_STALE_SECONDS=300)
def test_a_longer_setting_waits_longer_before_queueing_again():
    waiting(seconds=120)
    assert alerts_requeue_stale() == 0


def test_the_beat_sweeps_every_15_s_and_beats_the_heart_on_the_triage_queue(settings):
    sweep = settings.CELERY_BEAT_SCHEDULE["requeue-stale"]
    assert sweep["task"] == "alerts.tasks.requeue_stale" and sweep["schedule"] <= 15
    heart = settings.CELERY_BEAT_SCHEDULE["triage-heartbeat"]
    assert heart["task"] == worker_heartbeat.name and heart["schedule"] <= 20
    assert "options" not in heart  # routed with triage.tasks.*: the triage queue itself
    assert worker_heartbeat.name.startswith("triage.tasks.")
    assert settings.CELERY_TASK_ROUTES["triage.tasks.*"] == {"queue": "triage"}
    check = settings.CELERY_BEAT_SCHEDULE["triage-watchdog"]
    assert check["task"] == watchdog_check.name and check["schedule"] <= 30
    assert check["options"] == {"queue": "default"}  # runs when the triage queue is the one stuck


def test_the_settings_have_their_documented_defaults():
    from django.conf import settings

    assert settings.TRIAGE_STALE_SECONDS == 60
    assert settings.TRIAGE_ALARM_MINUTES == 5
    assert settings.TRIAGE_STUCK_SECONDS == 120
    assert settings.TRIAGE_WORKER_SILENCE_SECONDS == 60


# --- Heartbeat -------------------------------------------------------------------------------


def test_the_heartbeat_task_records_that_a_worker_is_alive():
    assert worker_alive() is False  # never heard of a worker
    worker_heartbeat()
    beat = WorkerHeartbeat.objects.get()
    assert timezone.now() - beat.beat_at < dt.timedelta(seconds=5)
    assert worker_alive() is True
    worker_heartbeat()  # runs twice: still one row
    assert WorkerHeartbeat.objects.count() == 1


def test_a_heartbeat_older_than_a_minute_means_no_worker():
    worker_heartbeat_record(hostname="celery@box", at=ago(seconds=61))
    assert worker_alive() is False
    worker_heartbeat_record(hostname="celery@box", at=ago(seconds=30))
    assert worker_alive() is True


# --- Backlog ---------------------------------------------------------------------------------


def test_the_backlog_counts_stale_alerts_and_ages_the_oldest():
    assert triage_backlog().stale == 0 and triage_backlog().oldest_seconds is None
    waiting(seconds=30)
    backlog = triage_backlog()
    assert backlog.stale == 0 and 29 <= backlog.oldest_seconds <= 31
    waiting(seconds=90)
    waiting(seconds=400)
    Alert.objects.create(source="sms", text="x", received_at=ago(hours=2), triaged_at=ago(hours=1))
    backlog = triage_backlog()
    assert backlog.stale == 2 and backlog.oldest_minutes == 6


def test_a_call_still_recording_is_not_waiting_for_triage():
    waiting(seconds=120, source="voice")  # within the recording grace: not triage's turn yet
    assert triage_backlog().stale == 0
    waiting(seconds=300, source="voice")
    assert triage_backlog().stale == 1


# --- Outages ---------------------------------------------------------------------------------


def test_two_checks_in_one_outage_send_one_sms_to_each_supervisor(supervisors, focal_point):
    waiting(seconds=6 * 60, reporter=focal_point, sender=focal_point.phone)
    waiting(seconds=90)
    outage = triage_watchdog_check()
    assert outage is not None and outage.alarmed_at is not None
    assert triage_watchdog_check().pk == outage.pk
    watchdog_check()  # beat's task, once more
    sent = notices()
    assert [m.peer for m in sent] == ["+243990000001", "+243990000002"]
    # Handed to the provider at once, not left to the outbound queue (which may be down too).
    assert [sms["to"] for sms in LocmemBackend.outbox] == ["+243990000001", "+243990000002"]
    assert {m.status for m in Message.objects.filter(pk__in=[m.pk for m in sent])} == {"queued"}
    french, english = (sms["body"] for sms in LocmemBackend.outbox)
    assert "Kengele" in french and "2 alertes" in french and "6 min" in french
    assert "triage has stopped" in english and "2 alerts are waiting" in english
    for sms in LocmemBackend.outbox:  # counts only: never who reported or from which number
        assert focal_point.phone not in sms["body"] and "Kavira" not in sms["body"]
    outage = TriageOutage.objects.get()
    assert (outage.alerts_waiting, outage.peak_waiting, outage.ended_at) == (2, 2, None)


def test_an_outage_younger_than_the_alarm_delay_opens_without_texting(supervisors):
    waiting(seconds=4 * 60)
    outage = triage_watchdog_check()
    assert outage is not None and outage.alarmed_at is None
    assert notices() == []
    Alert.objects.update(received_at=ago(minutes=5, seconds=1))
    assert triage_watchdog_check().alarmed_at is not None
    assert len(notices()) == 2
    assert TriageOutage.objects.count() == 1


@override_settings(TRIAGE_ALARM_MINUTES=15)
def test_the_alarm_delay_is_a_setting(supervisors):
    waiting(seconds=10 * 60)
    assert triage_watchdog_check().alarmed_at is None
    assert notices() == []


def test_the_outage_ends_when_nothing_is_stale_and_the_next_one_alarms_again(supervisors):
    alert = waiting(seconds=10 * 60)
    first = triage_watchdog_check()
    assert len(notices()) == 2
    Alert.objects.filter(pk=alert.pk).update(triaged_at=timezone.now(), status="triaged")
    assert triage_watchdog_check() is None
    first.refresh_from_db()
    assert first.ended_at is not None and first.is_open is None
    # The supervisors who were woken up learn that it is over.
    over = [m.body for m in notices()[2:]]
    assert len(over) == 2 and "Kengele" in over[0] and "running again" in over[1]
    assert triage_watchdog_check() is None  # still fine: nothing more is sent
    assert len(notices()) == 4

    waiting(seconds=7 * 60)
    second = triage_watchdog_check()
    assert second.pk != first.pk and second.alarmed_at is not None
    assert len(notices()) == 6
    assert TriageOutage.objects.filter(is_open=True).count() == 1


def test_an_outage_that_never_alarmed_ends_quietly(supervisors):
    alert = waiting(seconds=90)
    triage_watchdog_check()
    Alert.objects.filter(pk=alert.pk).update(triaged_at=timezone.now())
    assert triage_watchdog_check() is None
    assert notices() == []
    assert TriageOutage.objects.get().ended_at is not None


def test_only_one_outage_may_be_open_at_a_time():
    from django.db import IntegrityError, transaction

    TriageOutage.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageOutage.objects.create()
    TriageOutage.objects.update(is_open=None, ended_at=timezone.now())
    TriageOutage.objects.create()  # once ended, the next may open
    assert TriageOutage.objects.count() == 2


def test_an_outage_without_supervisors_to_text_still_opens():
    waiting(seconds=10 * 60)
    assert triage_watchdog_check().alarmed_at is not None
    assert notices() == []


def test_a_supervisor_who_opted_out_is_skipped(supervisors):
    from alerts.models import OptOut
    from core.crypto import lookup_hash

    OptOut.objects.create(phone_hash=lookup_hash("+243990000001"))
    waiting(seconds=10 * 60)
    triage_watchdog_check()
    assert [m.peer for m in notices()] == ["+243990000002"]


def test_a_provider_failure_leaves_the_notice_for_the_outbound_queue(supervisors, fake_twilio):
    fake_twilio.script = [(503, {}), (503, {})]
    waiting(seconds=10 * 60)
    assert triage_watchdog_check().alarmed_at is not None  # the check itself does not fail
    assert {m.status for m in notices()} == {"pending"}


# --- From the web processes ------------------------------------------------------------------


def test_a_poke_checks_at_most_once_per_30_s_per_process(supervisors):
    waiting(seconds=10 * 60)
    triage_watchdog_poke()
    assert TriageOutage.objects.count() == 1 and len(notices()) == 2
    TriageOutage.objects.all().delete()
    triage_watchdog_poke()  # within 30 s: nothing is read or written
    assert not TriageOutage.objects.exists()
    triage_watchdog_poke_reset()
    triage_watchdog_poke()
    assert TriageOutage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_check_never_breaks_the_request_that_pokes_it():
    from tests.outages import database_down

    with database_down():
        triage_watchdog_poke()  # logged, not raised


def test_the_queue_page_runs_the_check_when_no_worker_does(client, supervisors):
    waiting(seconds=10 * 60)
    client.force_login(UserFactory(username="alf", role="analyst"))
    assert client.get("/dashboard/").status_code == 200
    assert TriageOutage.objects.get().alarmed_at is not None
    assert len(LocmemBackend.outbox) == 2
