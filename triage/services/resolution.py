"""Resolving incidents: the situation is over, its alerts are closed, and what was done is
written down. An incident stays resolved only while nothing new comes in: an alert joining it
(triage's grouping, or a merge with an open incident) reopens it, and its history says which
alert did. Every change is a line of the incident's history (IncidentEvent)."""

from collections.abc import Collection

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import Alert
from alerts.services import alert_transition

from ..constants import RESOLUTION_NOTE_MAX_LENGTH
from ..models import Incident, IncidentEvent
from ..selectors import UNACKNOWLEDGED
from .history import incident_event_record, incident_reopened_apply, working_language
from .incidents import IncidentRefused, areas_lock, incidents_locked


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > RESOLUTION_NOTE_MAX_LENGTH:
        raise IncidentRefused(
            _("Say what was done in at most %(max)s characters.")
            % {"max": RESOLUTION_NOTE_MAX_LENGTH}
        )
    return note


def _references(alerts) -> str:
    return ", ".join(alert.reference for alert in alerts)


@transaction.atomic
def incident_resolve(
    *, incident: Incident, by, note: str = "", seen_alert_ids: Collection[int] | None = None
) -> Incident:
    """Mark the incident resolved and close its alerts that are still open, each with a line in
    its own history. Refused while an alert of it waits to be acknowledged (nobody looked at it
    yet), and, given `seen_alert_ids` (the alerts on the page the person resolved from), when
    an alert joined it since: resolving must never hide an alert nobody saw."""
    note = _clean_note(note)
    areas_lock(incident)  # no alert joins it meanwhile (triage takes the same lock)
    locked = incidents_locked(incident.pk)
    if incident.pk not in locked:
        raise IncidentRefused(_("This incident no longer exists: it was merged meanwhile."))
    incident = locked[incident.pk]
    if incident.is_resolved:
        raise IncidentRefused(
            _("%(incident)s is already resolved.") % {"incident": incident.reference}
        )
    alerts = list(
        Alert.objects.filter(incident=incident)
        .select_for_update()
        .defer("sender", "explanation")
        .order_by("received_at", "pk")
    )
    if seen_alert_ids is not None:
        unseen = [alert for alert in alerts if alert.pk not in set(seen_alert_ids)]
        if unseen:
            raise IncidentRefused(
                _(
                    "New alerts joined %(incident)s since you opened it: %(alerts)s. "
                    "Read them first."
                )
                % {"incident": incident.reference, "alerts": _references(unseen)}
            )
    waiting = [alert for alert in alerts if alert.status in UNACKNOWLEDGED]
    if waiting:
        raise IncidentRefused(
            _("Acknowledge these alerts before resolving %(incident)s: %(alerts)s.")
            % {"incident": incident.reference, "alerts": _references(waiting)}
        )
    closing_note = working_language(gettext_lazy("Closed when %(incident)s was resolved.")) % {
        "incident": incident.reference
    }
    closed = []
    for alert in alerts:
        if alert.status in Alert.OPEN_STATUSES:
            alert_transition(alert=alert, to=Alert.Status.CLOSED, by=by, note=closing_note)
            closed.append(alert.pk)
    values = {"resolved_at": timezone.now(), "resolved_by": by, "resolution_note": note}
    Incident.objects.filter(pk=incident.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(incident, name, value)
    incident_event_record(
        incident=incident, kind=IncidentEvent.Kind.RESOLVED, by=by, note=note, closed=closed
    )
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, by, note: str = "") -> Incident:
    """Reopen a resolved incident by hand (the situation is not over after all). Its alerts
    keep their status: each is reopened on its own page if it needs work again."""
    note = _clean_note(note)
    locked = incidents_locked(incident.pk)
    if incident.pk not in locked:
        raise IncidentRefused(_("This incident no longer exists: it was merged meanwhile."))
    incident = locked[incident.pk]
    if not incident.is_resolved:
        raise IncidentRefused(_("%(incident)s is not resolved.") % {"incident": incident.reference})
    incident_reopened_apply(incident=incident)
    incident_event_record(incident=incident, kind=IncidentEvent.Kind.REOPENED, by=by, note=note)
    return incident
