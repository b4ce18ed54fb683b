"""Creating alerts from any source and making sure each one reaches triage."""

import datetime as dt
import logging
from collections.abc import Callable

from celery import current_app as celery_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..constants import (
    FLOODED_QUEUE,
    MISSED_CALL_PRIORITY,
    PUBLISH_FAILED_AT,
    PUBLISH_RETRY_AFTER,
    RECORDING_GRACE,
    TRIAGE_QUEUE,
    TRIAGE_TASK_QUEUES,
    TRIAGE_URGENT_QUEUE,
)
from ..models import Alert, Message
from .queueing import BatchKind, publish_soon, task_publish, triage_publish

log = logging.getLogger(__name__)

# Triage's task for a reporter's text that joined an existing alert's thread, by name: intake
# never imports triage.
THREAD_TEXT_TASK = "triage.tasks.triage_message"
# The same tasks for a list of ids, as intake's dispatcher sends them (queueing.publish_soon).
ALERTS_TASK = "triage.tasks.triage_alerts"
THREAD_TEXTS_TASK = "triage.tasks.triage_messages"
REQUEUE_BATCH = 500  # the most alerts, and the most thread texts, each sweep queues again

_urgent_check: Callable[[str], bool] | None = None


def urgent_check_register(check: Callable[[str], bool] | None) -> None:
    """Set the function that tells, from a text alone, whether its triage goes ahead of the
    rest (triage registers its priority-1 evidence when the app is ready: intake never imports
    triage). None removes it: every alert then waits in the one triage queue."""
    global _urgent_check
    _urgent_check = check


def triage_queue_for(*, text: str, flooded: bool = False) -> str:
    """The queue of a text's triage task: a flooding sender's with housekeeping, a text naming
    a threat to life on the urgent queue, the rest on the triage queue."""
    if flooded:
        return FLOODED_QUEUE
    check = _urgent_check
    if check is not None and text:
        try:
            if check(text):
                return TRIAGE_URGENT_QUEUE
        except Exception:  # a faulty check must never keep an alert from triage
            log.exception("urgent check failed; queueing triage in line")
    return TRIAGE_QUEUE


def enqueue_triage(alert_id: int, *, flooded: bool = False, text: str = "") -> bool:
    """Publish the triage task on the queue `text` calls for. A broker failure is logged and
    recorded on the alert (queued_at = PUBLISH_FAILED_AT), not raised: the next sweep after
    PUBLISH_RETRY_AFTER queues it again."""
    queue = triage_queue_for(text=text, flooded=flooded)
    try:
        triage_publish(alert_id, queue=queue)
        return True
    except Exception:  # broker unreachable: the alert is stored, alerts_requeue_stale retries
        log.exception("could not queue triage for alert %s; the sweeper will retry", alert_id)
    try:
        Alert.objects.filter(pk=alert_id, triaged_at__isnull=True).update(
            queued_at=PUBLISH_FAILED_AT
        )
    except DatabaseError:  # then it is found TRIAGE_STALE_SECONDS after it came in
        log.exception("could not record the failed triage publish of alert %s", alert_id)
    return False


def _publish_failed_mark(alert_ids: list[int]) -> None:
    """Record a failed publish on the alerts still untriaged."""
    try:
        Alert.objects.filter(pk__in=alert_ids, triaged_at__isnull=True).update(
            queued_at=PUBLISH_FAILED_AT
        )
    except DatabaseError:  # then they are found TRIAGE_STALE_SECONDS after they came in
        log.exception("could not record the failed triage publish of alerts %s", alert_ids)


def _alert_queue(item: tuple[bool, str]) -> str:
    flooded, text = item
    return triage_queue_for(text=text, flooded=flooded)


ALERT_BATCH = BatchKind(
    task=ALERTS_TASK,
    queue_for=_alert_queue,
    on_failure=_publish_failed_mark,
    default_queue=TRIAGE_QUEUE,
)
# A thread text whose publish failed stays triage_pending: thread_texts_requeue_stale finds it.
THREAD_TEXT_BATCH = BatchKind(
    task=THREAD_TEXTS_TASK,
    queue_for=lambda text: triage_queue_for(text=text),
    on_failure=lambda ids: None,
    default_queue=TRIAGE_QUEUE,
)


def enqueue_triage_soon(alert_id: int, *, flooded: bool = False, text: str = "") -> None:
    """As enqueue_triage, for intake's hot path: the alert's triage is published within
    TRIAGE_PUBLISH_WINDOW, in one batch with the others received meanwhile, and the caller
    never waits for the broker. Only for a committed alert (call it from on_commit)."""
    publish_soon(ALERT_BATCH, alert_id, (flooded, text))


def thread_text_enqueue_soon(message_id: int, *, text: str = "") -> None:
    """As thread_text_enqueue, batched like enqueue_triage_soon."""
    publish_soon(THREAD_TEXT_BATCH, message_id, text)


def triage_queue_depths() -> dict[str, int] | None:
    """Messages waiting in each queue a triage task may be on, as the broker counts them (a
    passive declare: a queue the broker does not hold is empty); None when it cannot say."""
    depths: dict[str, int] = {}
    try:
        with celery_app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)
            channel = conn.default_channel
            for name in TRIAGE_TASK_QUEUES:
                try:
                    depths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except conn.channel_errors:  # no such queue yet: nothing waits in it
                    channel = conn.channel()
                    depths[name] = 0
    except Exception:
        log.warning("could not read the triage queues' depth", exc_info=True)
        return None
    return depths


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
    transaction.on_commit(lambda: enqueue_triage(alert.pk, text=text))
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
    """Queue triage again for alerts whose task is lost, not merely waiting in line: those
    whose publish failed (PUBLISH_RETRY_AFTER after they came in), and those still untriaged
    TRIAGE_STALE_SECONDS after they arrived or were last queued (worker lost mid-task, ...)
    when nothing waits in the queue their task goes to. While a queue holds messages its
    workers are still working through them, and a copy would only lengthen the line. Triage
    is idempotent, so the odd duplicate is harmless."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TRIAGE_STALE_SECONDS)
    # A call with no recording after the grace period was hung up before recording, and the
    # call-status callback that would have said so never came: call the person back.
    unrecorded_calls_mark_missed(
        alerts=Alert.objects.filter(received_at__lt=now - RECORDING_GRACE), at=now
    )
    failed = Q(queued_at=PUBLISH_FAILED_AT, received_at__lt=now - PUBLISH_RETRY_AFTER)
    stale = Q(received_at__lt=cutoff) & (Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff))
    depths = triage_queue_depths()
    if depths is not None and all(depths.values()):
        stale = Q(pk__in=[])  # every queue still has a line: nothing is lost but failed publishes
    candidates = (
        Alert.objects.filter(failed | stale, triaged_at__isnull=True)
        # A voice call may still be recording: give it time to complete before triaging.
        .exclude(source=Alert.Source.VOICE, received_at__gte=now - RECORDING_GRACE)
        .order_by("received_at")  # the alert_untriaged index
        .values_list("pk", "flooded", "text", "queued_at")[:REQUEUE_BATCH]
    )
    due = []
    for pk, flooded, text, queued_at in candidates:
        queue_empty = depths is None or not depths[triage_queue_for(text=text, flooded=flooded)]
        if queued_at == PUBLISH_FAILED_AT or queue_empty:
            due.append((pk, flooded, text))
    if not due:
        return 0
    Alert.objects.filter(pk__in=[pk for pk, _, _ in due]).update(queued_at=now)
    queued = 0
    for index, (pk, flooded, text) in enumerate(due):
        if not enqueue_triage(pk, flooded=flooded, text=text):
            # The broker is down: the rest would fail one by one. Left for the next sweep.
            rest = [pk for pk, _, _ in due[index + 1 :]]
            Alert.objects.filter(pk__in=rest).update(queued_at=PUBLISH_FAILED_AT)
            break
        queued += 1
    return queued


def thread_text_enqueue(message_id: int, *, text: str = "") -> bool:
    """Publish triage of a text that joined an alert's thread, on the queue `text` calls for. A
    broker failure is logged, not raised: the message stays triage_pending and
    thread_texts_requeue_stale retries."""
    try:
        task_publish(THREAD_TEXT_TASK, (message_id,), queue=triage_queue_for(text=text))
        return True
    except Exception:  # broker unreachable: the text is stored, the sweeper retries
        log.exception("could not queue triage of thread text %s; the sweeper retries", message_id)
        return False


def thread_texts_requeue_stale() -> int:
    """Queue triage again for thread texts still unread by triage a minute after they arrived
    (broker down, worker lost), when nothing waits in the queue their task goes to. Each one
    is queued at most once a minute (its updated_at says when it last was); triage of a text
    it already read does nothing."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TRIAGE_STALE_SECONDS)
    stale = Message.objects.filter(
        triage_pending=True, created_at__lt=cutoff, updated_at__lt=cutoff
    ).order_by("created_at")  # the message_untriaged index
    rows = list(stale.values_list("pk", "body")[:REQUEUE_BATCH])
    if not rows:
        return 0
    depths = triage_queue_depths()
    if depths is not None:
        rows = [(pk, body) for pk, body in rows if not depths[triage_queue_for(text=body)]]
    if not rows:
        return 0
    Message.objects.filter(pk__in=[pk for pk, _ in rows]).update(updated_at=now)
    queued = 0
    for pk, body in rows:
        if not thread_text_enqueue(pk, text=body):
            break  # the broker is down: the rest wait for the next sweep
        queued += 1
    return queued
