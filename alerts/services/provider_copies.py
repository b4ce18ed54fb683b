"""The provider's copies: Twilio keeps every message (its text and both numbers) and every call
recording in the account until they are deleted through its REST API. Kengele keeps its own,
encrypted, and deletes the provider's: an inbound message once stored, an outbound one once its
final status is known, a recording once fetched and stored here (Recording).

Each deletion is a Celery task of its own (alerts.tasks.provider_*, on the default queue),
retried on transient errors; a 404 means an earlier try got there first. Delivery callbacks
and recordings queue theirs at once. Inbound messages are queued by the sweep (every 30 s,
CELERY_BEAT_SCHEDULE), so the SMS webhook publishes nothing more than triage; the sweep
also queues again whatever a lost task or a refusal left behind, PROVIDER_COPY_RETRY_AFTER
after its last try. TWILIO_DELETE_PROVIDER_COPIES off keeps every provider copy (recordings are
still fetched and kept here).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..channels.backends import get_backend
from ..channels.base import TransientProviderError
from ..channels.twilio import RecordingUnavailable, recording_fetch
from ..constants import (
    OUTBOUND_SETTLED_AFTER,
    PROVIDER_COPY_BATCH,
    PROVIDER_COPY_QUEUE,
    PROVIDER_COPY_RETRY_AFTER,
)
from ..models import Alert, Message, Recording
from .queueing import task_publish

log = logging.getLogger(__name__)

MESSAGE_TASK = "alerts.tasks.provider_message_delete"
RECORDING_TASK = "alerts.tasks.provider_recording_keep"
# Outbound statuses after which the provider holds the message still but delivers it no more.
FINAL_OUTBOUND = (Message.Status.DELIVERED, Message.Status.UNDELIVERED, Message.Status.FAILED)


def deleting() -> bool:
    return settings.TWILIO_DELETE_PROVIDER_COPIES


# --- Queueing ---------------------------------------------------------------------------------
def _publish(task: str, model, ids: list[int], now: dt.datetime) -> int:
    """Mark `ids` queued now and publish one task each, within the intake's publish deadline
    (a delivery report's webhook waits for it); the ids not published are unmarked, so the
    next sweep takes them again."""
    if not ids:
        return 0
    model.objects.filter(pk__in=ids).update(provider_delete_queued_at=now)
    for done, pk in enumerate(ids):
        try:
            task_publish(task, (pk,), queue=PROVIDER_COPY_QUEUE)
        except Exception:  # broker down: the sweep queues them again
            log.exception("could not queue %s for %s; the sweep will retry", task, pk)
            model.objects.filter(pk__in=ids[done:]).update(provider_delete_queued_at=None)
            return done
    return len(ids)


def messages_provider_copy_enqueue(*, message_ids: list[int]) -> None:
    """Queue the deletion of these messages' provider copies once the transaction commits."""
    if deleting() and message_ids:
        transaction.on_commit(
            lambda: _publish(MESSAGE_TASK, Message, list(message_ids), timezone.now())
        )


def recording_register(*, alert: Alert, url: str) -> Recording:
    """A call's recording is ready at the provider: note it, and once the transaction commits
    queue fetching it here (then deleting the provider's copy). Twilio retrying the webhook
    registers it once."""
    recording, created = Recording.objects.get_or_create(
        alert=alert, defaults={"provider_url": url}
    )
    if created:
        transaction.on_commit(
            lambda: _publish(RECORDING_TASK, Recording, [recording.pk], timezone.now())
        )
    return recording


def _due(now: dt.datetime) -> Q:
    return Q(provider_delete_queued_at__isnull=True) | Q(
        provider_delete_queued_at__lt=now - PROVIDER_COPY_RETRY_AFTER
    )


def messages_with_provider_copy(*, now: dt.datetime) -> QuerySet[Message]:
    """Messages whose provider copy is due for deletion: inbound ones once stored, outbound
    ones once final (or settled: no callback for OUTBOUND_SETTLED_AFTER)."""
    settled = Q(status__in=FINAL_OUTBOUND) | Q(updated_at__lt=now - OUTBOUND_SETTLED_AFTER)
    return Message.objects.filter(
        provider_deleted_at__isnull=True, provider_sid__isnull=False
    ).filter(
        Q(direction=Message.Direction.INBOUND) | (Q(direction=Message.Direction.OUTBOUND) & settled)
    )


def recordings_with_provider_copy() -> QuerySet[Recording]:
    return Recording.objects.filter(provider_deleted_at__isnull=True)


def provider_copies_queue(*, now: dt.datetime | None = None) -> int:
    """The sweep: queue the deletions due (and the recordings still to fetch), up to
    PROVIDER_COPY_BATCH of each kind, oldest first. Returns how many tasks it published."""
    now = now or timezone.now()
    recordings = recordings_with_provider_copy().filter(_due(now))
    if not deleting():
        recordings = recordings.filter(fetched_at__isnull=True)
    queued = _publish(
        RECORDING_TASK,
        Recording,
        list(recordings.order_by("created_at").values_list("pk", flat=True)[:PROVIDER_COPY_BATCH]),
        now,
    )
    if deleting():
        messages = messages_with_provider_copy(now=now).filter(_due(now))
        ids = list(
            messages.order_by("created_at").values_list("pk", flat=True)[:PROVIDER_COPY_BATCH]
        )
        queued += _publish(MESSAGE_TASK, Message, ids, now)
    return queued


# --- The tasks' work --------------------------------------------------------------------------
def message_provider_copy_delete(*, message_id: int) -> bool:
    """Delete the provider's copy of one message (idempotent). True when it is gone, now or
    before; False when there is nothing to do yet (not final) or deleting is off. Raises
    TransientProviderError to be retried."""
    if not deleting():
        return False
    message = Message.objects.filter(pk=message_id).first()
    if message is None or not message.provider_sid:
        return False
    if message.provider_deleted_at is not None:
        return True
    now = timezone.now()
    if (
        message.direction == Message.Direction.OUTBOUND
        and message.status not in FINAL_OUTBOUND
        and message.updated_at >= now - OUTBOUND_SETTLED_AFTER
    ):
        return False  # still being delivered: the provider refuses to delete it yet
    get_backend().delete_message(provider_sid=message.provider_sid)
    Message.objects.filter(pk=message.pk, provider_deleted_at__isnull=True).update(
        provider_deleted_at=timezone.now()
    )
    return True


def recording_keep(*, recording_id: int) -> Recording | None:
    """Fetch a call's recording from the provider and keep it here, encrypted, then delete the
    provider's copy (idempotent: each step is done once). Raises TransientProviderError to be
    retried."""
    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None:
        return None
    if recording.fetched_at is None:
        try:
            audio, content_type = recording_fetch(recording.provider_url)
        except RecordingUnavailable as exc:
            if exc.transient:
                raise TransientProviderError(str(exc)) from exc
            log.warning("recording %s cannot be fetched: %s", recording.pk, exc)
            if exc.gone:  # the provider holds no copy: nothing to keep, nothing to delete
                Recording.objects.filter(pk=recording.pk).update(provider_deleted_at=timezone.now())
            # Otherwise never delete what was not kept: the sweep tries again later.
            return None
        now = timezone.now()
        Recording.objects.filter(pk=recording.pk, fetched_at__isnull=True).update(
            audio=audio, content_type=content_type[:40], size=len(audio), fetched_at=now
        )
        recording.refresh_from_db()
    if deleting() and recording.provider_deleted_at is None:
        get_backend().delete_recording(url=recording.provider_url)
        Recording.objects.filter(pk=recording.pk, provider_deleted_at__isnull=True).update(
            provider_deleted_at=timezone.now()
        )
        recording.refresh_from_db()
    return recording
