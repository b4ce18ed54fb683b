"""Creating alerts from any source and making sure each one reaches triage."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..constants import MISSED_CALL_PRIORITY, RECORDING_GRACE
from ..models import Alert
from .queueing import triage_publish

log = logging.getLogger(__name__)


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
    ids = list(stale.values_list("pk", "flooded")[:500])
    if not ids:
        return 0
    Alert.objects.filter(pk__in=[pk for pk, _ in ids]).update(queued_at=now)
    return sum(enqueue_triage(pk, flooded=flooded) for pk, flooded in ids)
