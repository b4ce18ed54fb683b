"""Creating alerts from any source and making sure each one reaches triage."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.celery import app as celery_app

from ..constants import MISSED_CALL_PRIORITY, RECORDING_GRACE
from ..models import Alert, Message
from .queueing import triage_publish

log = logging.getLogger(__name__)

# Triage's task for a reporter's text that joined an existing alert's thread, by name: intake
# never imports triage.
THREAD_TEXT_TASK = "triage.tasks.triage_message"
REQUEUE_BATCH = 500  # the most alerts, and the most thread texts, each sweep queues again


def enqueue_triage(alert_id: int, *, flooded: bool = False) -> bool:
    """Publish the triage task. A broker failure is logged, not raised: the sweeper retries."""
    try:
        # Flooding senders go through the housekeeping queue so they never delay others.
        triage_publish(alert_id, queue="default" if flooded else "triage")
        return True
    except Exception:  # broker unreachable: the alert is stored, alerts_requeue_stale retries
        log.exception("could not queue triage for alert %s; the sweeper will retry", alert_id)
        return False


def alert_create(
    *,
    source: str,
    text: str,
    created_by=None,
    reporter=None,
    reporter_name: str = "",
    location=None,
    category_hint: str = "",
    received_at=None,
) -> Alert:
    """An alert raised from the web, an LPC meeting, a CLA visit or typed in by an operator
    (radio, phone, in person: `reporter_name` for someone who is not a focal point, kept
    encrypted); triaged after commit."""
    alert = Alert.objects.create(
        source=source,
        text=text,
        created_by=created_by,
        reporter=reporter,
        reporter_name=(reporter_name or "").strip(),
        sender_known=reporter is not None,
        location=location,
        category_hint=category_hint,
        received_at=received_at or timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_triage(alert.pk))
    return alert


def unrecorded_calls_mark_missed(*, alerts: QuerySet[Alert], at: dt.datetime) -> int:
    """Voice calls among `alerts` that ended with no recording become missed-call alerts (priority
    2, someone calls back): a call hung up before recording must still leave an alert."""
    return alerts.filter(
        status=Alert.Status.NEW, source=Alert.Source.VOICE, recording_url=""
    ).update(
        source=Alert.Source.MISSED_CALL,
        priority=MISSED_CALL_PRIORITY,
        callback_requested_at=at,
    )


def alerts_requeue_stale() -> int:
    """Queue triage again for alerts still untriaged TRIAGE_STALE_SECONDS after they arrived, or
    after they were last queued (broker was down, worker died before acknowledging, ...).
    Triage is idempotent, so a duplicate is harmless."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TRIAGE_STALE_SECONDS)
    # A call with no recording after the grace period was hung up before recording, and the
    # call-status callback that would have said so never came: call the person back.
    unrecorded_calls_mark_missed(
        alerts=Alert.objects.filter(received_at__lt=now - RECORDING_GRACE), at=now
    )
    stale = Alert.objects.filter(triaged_at__isnull=True, received_at__lt=cutoff).exclude(
        queued_at__gte=cutoff
    )
    # A voice call may still be recording: give it time to complete before triaging.
    stale = stale.exclude(source=Alert.Source.VOICE, received_at__gte=now - RECORDING_GRACE)
    ids = list(stale.values_list("pk", "flooded")[:REQUEUE_BATCH])
    if not ids:
        return 0
    Alert.objects.filter(pk__in=[pk for pk, _ in ids]).update(queued_at=now)
    return sum(enqueue_triage(pk, flooded=flooded) for pk, flooded in ids)


def thread_text_enqueue(message_id: int) -> bool:
    """Publish triage of a text that joined an alert's thread. A broker failure is logged, not
    raised: the message stays triage_pending and thread_texts_requeue_stale retries."""
    try:
        celery_app.send_task(THREAD_TEXT_TASK, args=[message_id], queue="triage")
        return True
    except Exception:  # broker unreachable: the text is stored, the sweeper retries
        log.exception("could not queue triage of thread text %s; the sweeper retries", message_id)
        return False


def thread_texts_requeue_stale() -> int:
    """Queue triage again for thread texts still unread by triage a minute after they arrived
    (broker down, worker lost). Each one is queued at most once a minute (its updated_at says
    when it last was); triage of a text it already read does nothing."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TRIAGE_STALE_SECONDS)
    stale = Message.objects.filter(
        triage_pending=True, created_at__lt=cutoff, updated_at__lt=cutoff
    ).order_by("created_at")  # the message_untriaged index
    ids = list(stale.values_list("pk", flat=True)[:REQUEUE_BATCH])
    if not ids:
        return 0
    Message.objects.filter(pk__in=ids).update(updated_at=now)
    return sum(thread_text_enqueue(pk) for pk in ids)
