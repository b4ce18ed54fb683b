"""Deadlines to acknowledge an alert, per priority, and the escalation of missed ones.

Triage sets `sla_due_at` (received + the priority's target); a priority change resets it. Every
minute `alerts_escalate_overdue` marks each alert still not acknowledged past its deadline as
escalated (once per breach; the dashboard shows the breach) and adds it to each supervisor's
pending list. Supervisors are told in digests, not one SMS per alert: at most one per
ESCALATION_DIGEST_MINUTES (the first breach after a quiet spell at once) and
ESCALATION_SMS_PER_HOUR per person, counting and naming the most urgent; past the cap the
breaches wait on the dashboard's list of overdue alerts.
"""

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import Alert, AlertEvent, Message
from alerts.segments import count_segments
from alerts.services import SendRefused, alert_event_build, sms_send

from ..constants import DIGEST_ID_CHUNK, DIGEST_MAX_SEGMENTS, DIGEST_WORST, ESCALATION_BATCH
from ..models import AnalystProfile, EscalationPending, EscalationSMS, Incident
from ..selectors import (
    alerts_breach_unnotified,
    alerts_breached,
    alerts_past_deadline,
    escalation_sms_last,
    escalation_sms_times,
    supervisors_to_notify,
)
from .incidents import incident_recount

log = logging.getLogger(__name__)


def deadline_for(*, priority: int | None, received_at: dt.datetime) -> dt.datetime | None:
    """When an alert of this priority must be acknowledged (ACK_TARGET_MINUTES); None for a
    priority without a target, or none yet."""
    minutes = settings.ACK_TARGET_MINUTES.get(priority) if priority is not None else None
    return received_at + dt.timedelta(minutes=minutes) if minutes else None


@transaction.atomic
def alert_deadline_reset(*, alert: Alert) -> Alert:
    """After a person changed the alert's priority: the deadline follows the new priority
    (counted from when the alert was received), a breach of the old one no longer counts (a
    breach of the new one is escalated again), and the alert's incident takes the new priority
    into account."""
    due = deadline_for(priority=alert.priority, received_at=alert.received_at)
    Alert.objects.filter(pk=alert.pk).update(sla_due_at=due, sla_escalated_at=None)
    alert.sla_due_at, alert.sla_escalated_at = due, None
    if alert.incident_id:
        incident = Incident.objects.select_for_update().filter(pk=alert.incident_id).first()
        if incident is not None:
            incident_recount(incident=incident)
    return alert


def alerts_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate the alerts past their deadline and still not acknowledged, each exactly once per
    breach even when two beats run at the same moment, then text the supervisors their digests
    (escalation_digests_send). Returns how many were escalated."""
    now = now or timezone.now()
    escalated = 0
    while True:  # a batch per transaction, until none is left
        found, claimed = _escalate_batch(now=now)
        escalated += claimed
        if found < ESCALATION_BATCH or not claimed:
            break
    escalation_digests_send(now=now)
    return escalated


def _escalate_batch(*, now: dt.datetime) -> tuple[int, int]:
    """Mark up to ESCALATION_BATCH breaches escalated, with their history entries, and add them
    to each supervisor's pending list, in one transaction. A conditional update claims each
    alert, so one acknowledged meanwhile or taken by another run is skipped. Returns how many
    were found and how many this run claimed."""
    ids = list(alerts_breach_unnotified(now=now).values_list("pk", flat=True)[:ESCALATION_BATCH])
    if not ids:
        return 0, 0
    with transaction.atomic():
        pending = _pending_locked([p.user_id for p in supervisors_to_notify()])
        claimed = [
            pk
            for pk in ids
            if alerts_breach_unnotified(now=now).filter(pk=pk).update(sla_escalated_at=now)
        ]
        if not claimed:
            return len(ids), 0
        alerts = Alert.objects.filter(pk__in=claimed).only("pk", "sla_due_at").order_by("pk")
        AlertEvent.objects.bulk_create(
            alert_event_build(
                alert=alert,
                kind=AlertEvent.Kind.SLA_BREACHED,
                before={"due": alert.sla_due_at.isoformat()},
                after={"supervisors_to_notify": len(pending)},
            )
            for alert in alerts
        )
        for row in pending:
            row.alert_ids = sorted({*row.alert_ids, *claimed})
            row.save(update_fields=["alert_ids", "updated_at"])
    return len(ids), len(claimed)


def _pending_locked(user_ids: list[int]) -> list[EscalationPending]:
    """These supervisors' pending lists, made when missing, locked in one order (user id) so
    that concurrent runs wait for each other rather than deadlock."""
    for user_id in user_ids:
        EscalationPending.objects.get_or_create(user_id=user_id)
    return list(
        EscalationPending.objects.select_for_update()
        .filter(user_id__in=user_ids)
        .order_by("user_id")
    )


# --- Digests ---------------------------------------------------------------------------------


def escalation_digests_send(*, now: dt.datetime | None = None) -> int:
    """Text each supervisor with breaches pending one digest, unless one went to them less than
    ESCALATION_DIGEST_MINUTES ago (the next run after that gathers what came meanwhile) or
    ESCALATION_SMS_PER_HOUR went in the last hour (the breaches wait, on the dashboard, and go
    in the next digest the cap allows). Returns how many SMS were queued."""
    now = now or timezone.now()
    return sum(_digest_send(profile, now=now) for profile in supervisors_to_notify())


def _digest_send(profile: AnalystProfile, *, now: dt.datetime) -> bool:
    with transaction.atomic():
        pending = (
            EscalationPending.objects.select_for_update().filter(user_id=profile.user_id).first()
        )
        if pending is None or not pending.alert_ids:
            return False
        last = escalation_sms_last(user_id=profile.user_id)
        if last is not None and now - last < dt.timedelta(
            minutes=settings.ESCALATION_DIGEST_MINUTES
        ):
            return False
        hour = escalation_sms_times(user_id=profile.user_id, since=now - dt.timedelta(hours=1))
        if len(hour) >= settings.ESCALATION_SMS_PER_HOUR:
            return False
        digest = _digest_of(pending.alert_ids, now=now)
        pending.alert_ids = []
        pending.save(update_fields=["alert_ids", "updated_at"])
        if digest is None:
            return False  # all attended to meanwhile: nothing to tell
        resume_at = None
        if len(hour) + 1 >= settings.ESCALATION_SMS_PER_HOUR:
            minutes = dt.timedelta(minutes=settings.ESCALATION_DIGEST_MINUTES)
            resume_at = max([*hour, now][0] + dt.timedelta(hours=1), now + minutes)
        with translation.override(profile.language):
            body = digest_text(digest, resume_at=resume_at)
        try:
            message = sms_send(to=profile.phone, body=body, kind=Message.Kind.NOTICE)
        except SendRefused as exc:
            log.warning("deadline digest to supervisor %s not sent: %s", profile.user_id, exc)
            return False
        EscalationSMS.objects.create(
            user_id=profile.user_id,
            sent_at=now,
            alert_count=digest.count,
            by_priority={str(p): n for p, n in digest.by_priority.items()},
            last_of_hour=resume_at is not None,
            message=message,
        )
    return True


@dataclass(frozen=True)
class Digest:
    count: int  # newly overdue alerts, still unattended
    by_priority: dict[int | None, int]  # in priority order, None ("?") last
    worst: list[Alert]  # the most urgent few, P1 first, then the longest overdue
    total: int  # every alert overdue now, these included


def _digest_of(alert_ids: list[int], *, now: dt.datetime) -> Digest | None:
    """What a digest of these breaches says, leaving out those attended to meanwhile."""
    rows = []
    for start in range(0, len(alert_ids), DIGEST_ID_CHUNK):
        chunk = alert_ids[start : start + DIGEST_ID_CHUNK]
        rows += alerts_breached().filter(pk__in=chunk).values_list("pk", "priority", "sla_due_at")
    if not rows:
        return None
    rows.sort(key=lambda row: (row[1] is None, row[1] or 0, row[2], row[0]))
    by_priority = Counter(priority for _pk, priority, _due in rows)
    worst_ids = [pk for pk, _priority, _due in rows[:DIGEST_WORST]]
    found = Alert.objects.select_related("location__parent").filter(pk__in=worst_ids)
    worst = sorted(found, key=lambda alert: worst_ids.index(alert.pk))
    return Digest(
        count=len(rows),
        by_priority=dict(
            sorted(by_priority.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ),
        worst=worst,
        total=alerts_past_deadline(now=now).count(),
    )


def notice_place(alert: Alert) -> str:
    """The alert's place as an SMS notice names it: "Mbau (Beni)"."""
    place = alert.location.name if alert.location_id else _("unknown place")
    if alert.location_id and alert.location.parent_id:
        place = f"{place} ({alert.location.parent.name})"
    return place


def breach_notice(alert: Alert) -> str:
    """The SMS to supervisors: reference, priority and place only, never who reported it or
    from which number."""
    values = {
        "reference": alert.reference,
        "priority": alert.priority or "?",
        "place": notice_place(alert),
        "due": f"{timezone.localtime(alert.sla_due_at):%H:%M}",
    }
    if alert.acknowledged_at is not None:  # acknowledged, but the reporter's new text unread
        return (
            _(
                "Kengele: the reporter's new message on alert %(reference)s (P%(priority)s, "
                "%(place)s) was not read by %(due)s. Please see to it on the dashboard."
            )
            % values
        )
    return (
        _(
            "Kengele: alert %(reference)s (P%(priority)s, %(place)s) was not acknowledged by "
            "%(due)s. Please see to it on the dashboard."
        )
        % values
    )


def digest_text(digest: Digest, *, resume_at: dt.datetime | None = None) -> str:
    """The digest SMS, in the active language, within DIGEST_MAX_SEGMENTS: how many alerts
    newly missed their deadline, per priority, and the most urgent by reference, priority and
    place, never who reported them or from which number. A lone breach reads as it always did.
    With `resume_at`, the hourly cap is reached: it says when the next SMS may come."""
    total = []
    if digest.total > digest.count:
        total = [_("%(n)s overdue in all.") % {"n": digest.total}]
    cap = []
    if resume_at is not None:
        time = f"{timezone.localtime(resume_at):%H:%M}"
        cap = [
            _(
                "SMS limit reached: the next one after %(time)s. Every overdue alert is on the "
                "dashboard."
            )
            % {"time": time}
        ]
    candidates = []  # the fullest first; the first that fits is sent
    if digest.count == 1:
        notice = breach_notice(digest.worst[0])
        candidates += [[notice, *total, *cap], [notice, *cap]]
    counts = ", ".join(
        _("P%(priority)s: %(n)s") % {"priority": priority or "?", "n": n}
        for priority, n in digest.by_priority.items()
    )
    head = ngettext(
        "Kengele: %(n)s new alert past its deadline (%(counts)s).",
        "Kengele: %(n)s new alerts past their deadline (%(counts)s).",
        digest.count,
    ) % {"n": digest.count, "counts": counts}
    for shown in range(len(digest.worst), -1, -1):  # as many of the worst as fit
        named = [
            f"{a.reference} (P{a.priority or '?'}, {_place_name(a)})" for a in digest.worst[:shown]
        ]
        worst = [_("Most urgent: %(alerts)s.") % {"alerts": ", ".join(named)}] if named else []
        candidates.append([head, *total, *worst, _("See the dashboard."), *cap])
    bodies = [_sms_plain(" ".join(parts)) for parts in candidates]
    fitting = (b for b in bodies if count_segments(b).segments <= DIGEST_MAX_SEGMENTS)
    return next(fitting, bodies[-1])


def _sms_plain(text: str) -> str:
    """Typographic apostrophes and no-break spaces (in the French catalogue) as their plain
    forms: one character outside GSM-7 would make every segment hold 67 characters, not 153."""
    return text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")


def _place_name(alert: Alert) -> str:
    return alert.location.name if alert.location_id else _("unknown place")
