"""Deadlines to acknowledge an alert, per priority, and the escalation of missed ones.

Triage sets `sla_due_at` (received + the priority's target); a priority change resets it. Every
minute `alerts_escalate_overdue` marks each alert still not acknowledged past its deadline as
escalated (once per breach) and tells the supervisors by SMS; the dashboard shows the breach.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent
from alerts.services import SendRefused, alert_event_record, sms_send

from ..constants import ESCALATION_BATCH
from ..models import AnalystProfile, Incident
from ..selectors import alerts_breach_unnotified, supervisors_to_notify
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
    """Escalate the alerts past their deadline and still not acknowledged: each exactly once
    per breach, even when two beats run at the same moment (a conditional update claims it),
    with an SMS to every supervisor who has a number. Returns how many were escalated."""
    now = now or timezone.now()
    ids = list(alerts_breach_unnotified(now=now).values_list("pk", flat=True)[:ESCALATION_BATCH])
    if not ids:
        return 0
    supervisors = list(supervisors_to_notify())
    escalated = 0
    for pk in ids:
        with transaction.atomic():
            claimed = alerts_breach_unnotified(now=now).filter(pk=pk).update(sla_escalated_at=now)
            if not claimed:
                continue  # acknowledged meanwhile, or another beat got there first
            alert = Alert.objects.select_related("location__parent").get(pk=pk)
            sent = sum(_notify(profile, alert) for profile in supervisors)
            alert_event_record(
                alert=alert,
                kind=AlertEvent.Kind.SLA_BREACHED,
                before={"due": alert.sla_due_at.isoformat()},
                after={"supervisors_notified": sent},
            )
        escalated += 1
    return escalated


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


def _notify(profile: AnalystProfile, alert: Alert) -> bool:
    with translation.override(profile.language):
        body = breach_notice(alert)
    try:
        sms_send(to=profile.phone, body=body, kind="notice")
    except SendRefused as exc:
        log.warning("deadline notice to supervisor %s not sent: %s", profile.user_id, exc)
        return False
    return True
