"""Data retention: past MESSAGE_RETENTION_DAYS, what people wrote goes and the counts stay.

Messages (inbound and outbound) lose their text, the raw provider request, the number and any
media links; closed alerts lose their text and the sender's number. Every row stays with its
timestamps, status, direction, kind, segments, categories, priority, place and lookup hashes, so
statistics (alerts per week, per category, per place; SMS segments sent) do not change.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from networks.audit import Action, audit_record

from ..models import Alert, Message

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
    return Message.objects.filter(created_at__lt=cutoff).filter(
        ~Q(body="") | Q(raw__isnull=False) | ~Q(peer="") | ~Q(media_urls=[])
    )


def alerts_to_purge(*, cutoff: dt.datetime) -> QuerySet[Alert]:
    """Finished alerts received and closed before `cutoff` that still hold text or a number."""
    return (
        Alert.objects.filter(status__in=FINISHED_STATUSES, received_at__lt=cutoff)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__lt=cutoff))
        .filter(~Q(text="") | ~Q(sender=""))
    )


def _blank_in_batches(queryset: QuerySet, **blank) -> int:
    # Ids first, then batches by id: each batch commits on its own, so an interrupted purge
    # keeps what it did and the next run carries on (the rows done no longer match).
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            # QuerySet.update writes the columns as given: updated_at and the like stay.
            queryset.model.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(**blank)
    return len(ids)


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
    message_count = _blank_in_batches(messages, body="", raw=None, peer="", media_urls=[])
    alert_count = _blank_in_batches(alerts, text="", sender="")
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
