"""Data retention: past MESSAGE_RETENTION_DAYS, what people wrote goes and the counts stay.

Messages (inbound and outbound) lose their text, the raw provider request, the number, any
media links and the provider's error text (with its send attempts'); closed alerts lose their
text, the sender's number and the call's recording. Every row stays with its timestamps,
status, direction, kind, segments, error codes, categories, priority, place, recording length
and lookup hashes, so statistics (alerts per week, per category, per place; SMS segments sent)
do not change.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from networks.audit import Action, audit_record

from ..models import Alert, Message, Recording, SendAttempt

BATCH_SIZE = 500
# Alerts that may still move on keep their text: only these are done with.
FINISHED_STATUSES = (Alert.Status.CLOSED, Alert.Status.DISMISSED)


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.datetime | None
    messages: int
    alerts: int
    dry_run: bool


def messages_to_purge(*, cutoff: dt.datetime) -> QuerySet[Message]:
    """Messages older than `cutoff` that still hold something to blank."""
    # Encrypted columns hold "" (or NULL) when empty, so "holds something" is plain SQL.
    attempts_with_text = SendAttempt.objects.exclude(error_message="").values("message_id")
    return Message.objects.filter(created_at__lt=cutoff).filter(
        ~Q(body="")
        | Q(raw__isnull=False)
        | ~Q(peer="")
        | ~Q(media_urls=[])
        | ~Q(error_message="")
        | Q(pk__in=attempts_with_text)
    )


def alerts_to_purge(*, cutoff: dt.datetime) -> QuerySet[Alert]:
    """Finished alerts received and closed before `cutoff` that still hold text or a number."""
    return (
        Alert.objects.filter(status__in=FINISHED_STATUSES, received_at__lt=cutoff)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__lt=cutoff))
        .filter(~Q(text="") | ~Q(sender="") | ~Q(recording_url=""))
    )


def _blank_in_batches(queryset: QuerySet, also=None, **blank) -> int:
    # Ids first, then batches by id: each batch commits on its own, so an interrupted purge
    # keeps what it did and the next run carries on (the rows done no longer match). `also`
    # does the same batch's dependent rows, in its transaction.
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            # QuerySet.update writes the columns as given: updated_at and the like stay.
            queryset.model.objects.filter(pk__in=batch).update(**blank)
            if also is not None:
                also(batch)
    return len(ids)


def _attempts_blank(message_ids: list[int]) -> None:
    SendAttempt.objects.filter(message_id__in=message_ids).exclude(error_message="").update(
        error_message=""
    )


def _recordings_drop(alert_ids: list[int]) -> None:
    # The voice itself: nothing of it is a statistic (the length stays on the alert).
    Recording.objects.filter(alert_id__in=alert_ids).delete()


def retention_purge(
    *,
    days: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> RetentionResult:
    """Blank what people wrote in messages and finished alerts older than `days` (default:
    MESSAGE_RETENTION_DAYS; 0 keeps everything). Idempotent; one audit entry with the counts."""
    days = settings.MESSAGE_RETENTION_DAYS if days is None else days
    if days <= 0:
        return RetentionResult(cutoff=None, messages=0, alerts=0, dry_run=dry_run)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    messages, alerts = messages_to_purge(cutoff=cutoff), alerts_to_purge(cutoff=cutoff)
    if dry_run:
        return RetentionResult(
            cutoff=cutoff, messages=messages.count(), alerts=alerts.count(), dry_run=True
        )
    # Encrypted columns are blanked with "" and NULL, which their fields store as such.
    message_count = _blank_in_batches(
        messages,
        also=_attempts_blank,
        body="",
        raw=None,
        peer="",
        media_urls=[],
        error_message="",
    )
    alert_count = _blank_in_batches(
        alerts, also=_recordings_drop, text="", sender="", recording_url=""
    )
    audit_record(
        actor=by,
        action=Action.RETENTION_PURGE,
        details={
            "days": days,
            "cutoff": cutoff.isoformat(),
            "messages": message_count,
            "alerts": alert_count,
        },
    )
    return RetentionResult(cutoff=cutoff, messages=message_count, alerts=alert_count, dry_run=False)
