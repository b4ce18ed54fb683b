"""An incident's history (IncidentEvent): written once, never edited. Kept apart from the
grouping and resolution services, which both write it."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert

from ..models import Incident, IncidentEvent

# Cleared on the incident when it is reopened; its history keeps what they were.
REOPENED = {"resolved_at": None, "resolved_by": None, "resolution_note": ""}


def incident_event_record(
    *, incident: Incident, kind: str, by=None, alert: Alert | None = None, note: str = "", **details
) -> IncidentEvent:
    """Write one line of the incident's history. `details`: ids and counts, never personal
    data (the history is shown to every role that sees the incident)."""
    event = incident_event_build(incident=incident, kind=kind, by=by, alert=alert, note=note)
    event.details = details
    event.save(force_insert=True)
    return event


def incident_event_build(
    *, incident: Incident, kind: str, by=None, alert: Alert | None = None, note: str = ""
) -> IncidentEvent:
    """The line incident_event_record writes, not yet saved (for a caller that writes it with
    its other changes, see core.writebatch)."""
    if kind not in IncidentEvent.Kind.values:
        raise ValueError(f"unknown incident event kind: {kind!r}")
    return IncidentEvent(
        incident=incident, kind=kind, by=by, alert=alert, note=note, at=timezone.now(), details={}
    )


def working_language(message) -> str:
    """A lazy translation in the users' working language: a history line written by the
    system (or as a side effect) is written once and read later by anyone."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


def incident_reopened_event(*, incident: Incident, alert: Alert) -> IncidentEvent:
    """The history line of a resolved incident reopened because `alert` joined it (unsaved)."""
    note = working_language(_("A new alert joined it: %(reference)s.")) % {
        "reference": alert.reference
    }
    return incident_event_build(
        incident=incident, kind=IncidentEvent.Kind.REOPENED, alert=alert, note=note
    )


def incident_reopened_apply(*, incident: Incident) -> None:
    """Clear the resolution on the incident's row and on the object (the caller records why)."""
    Incident.objects.filter(pk=incident.pk).update(**REOPENED, updated_at=timezone.now())
    for name, value in REOPENED.items():
        setattr(incident, name, value)
