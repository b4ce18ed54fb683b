"""Closing the loop for a whole incident once it is resolved: each reporter of its closed alerts
hears what was done once, however many alerts they sent (about the first of them, in their
language, in neutral words when in discreet mode), and the networks of its place get the news
as a broadcast draft. The single-alert wording and rules are those of engagement.loop."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent, Broadcast, Message
from alerts.services import SendRefused, alert_event_record, sms_send
from triage.models import Incident, IncidentEvent
from triage.services import incident_event_record

from .loop import (
    loop_area_draft,
    loop_place_networks,
    loop_reporter_discreet,
    loop_reporter_reachable,
    loop_text,
)


@dataclass
class LoopReporter:
    """One reporter of the incident: told once, in a message naming the first of their alerts."""

    alert: Alert
    alerts: list[Alert] = field(default_factory=list)  # all of theirs in the incident, closed
    told: bool = False  # already told since the incident was last reopened (or ever)

    @property
    def discreet(self) -> bool:
        return loop_reporter_discreet(alert=self.alert)

    @property
    def language(self) -> str:
        return self.alert.reporter.language


@dataclass
class IncidentLoop:
    reporters: list[LoopReporter]
    unreachable: list[Alert]  # closed alerts with nobody to tell (no focal point, opted out)

    @property
    def to_tell(self) -> list[LoopReporter]:
        return [reporter for reporter in self.reporters if not reporter.told]


def _told_since(incident: Incident):
    """Telling counts from the last time the incident was reopened: what was said before was
    about a situation that came back."""
    return (
        IncidentEvent.objects.filter(incident=incident, kind=IncidentEvent.Kind.REOPENED)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )


def loop_incident(*, incident: Incident, alerts: QuerySet[Alert] | None = None) -> IncidentLoop:
    """Who of the incident's closed alerts' reporters can be told (each focal point once), and
    which alerts have nobody to tell. `alerts`: the reader's visible ones, else all."""
    alerts = Alert.objects.all() if alerts is None else alerts
    closed = list(
        alerts.filter(incident=incident, status=Alert.Status.CLOSED)
        .select_related("reporter")
        .defer("sender", "explanation")
        .order_by("received_at", "pk")
    )
    told = AlertEvent.objects.filter(
        alert__in=[a.pk for a in closed], kind=AlertEvent.Kind.REPORTER_TOLD
    )
    since = _told_since(incident)
    if since is not None:
        told = told.filter(at__gte=since)
    told_alerts = set(told.values_list("alert_id", flat=True))
    reporters: dict[int, LoopReporter] = {}
    unreachable = []
    for alert in closed:
        if not loop_reporter_reachable(alert=alert):
            unreachable.append(alert)
            continue
        reporter = reporters.setdefault(alert.reporter_id, LoopReporter(alert=alert))
        reporter.alerts.append(alert)
        reporter.told = reporter.told or alert.pk in told_alerts
    return IncidentLoop(reporters=list(reporters.values()), unreachable=unreachable)


def loop_incident_offered(*, incident: Incident) -> bool:
    """Is telling the reporters offered: the incident is resolved, someone is left to tell?"""
    return incident.is_resolved and bool(loop_incident(incident=incident).to_tell)


def loop_incident_area_offered(*, incident: Incident) -> bool:
    return incident.is_resolved and incident.location_id is not None


def loop_incident_area_networks(*, incident: Incident) -> list[int]:
    return loop_place_networks(incident.location_id)


@transaction.atomic
def loop_incident_tell(
    *, incident: Incident, outcome: str = "", text: str = "", by
) -> list[Message]:
    """Tell each reporter of the resolved incident not yet told what was done: one SMS each,
    about the first of their alerts, every one of their alerts' histories recording it (so the
    share of reporters who heard back counts them all). All or nothing: a text refused for one
    reporter (too long in their language, revealing to a discreet one) sends none."""
    locked = Incident.objects.select_for_update().filter(pk=incident.pk).first()
    if locked is None:
        raise SendRefused(_("This incident no longer exists: it was merged meanwhile."))
    if not locked.is_resolved:
        raise SendRefused(_("Tell the reporters once the incident is resolved."))
    loop = loop_incident(incident=locked)
    if not loop.reporters:
        raise SendRefused(
            _("No reporter of this incident can be told: none is a focal point with a phone.")
        )
    if not loop.to_tell:
        raise SendRefused(_("Every reporter of this incident has already been told."))
    sent = []
    for reporter in loop.to_tell:
        body = loop_text(alert=reporter.alert, outcome=outcome, text=text)
        message = sms_send(
            body=body,
            focal_point=reporter.alert.reporter,
            alert=reporter.alert,
            kind=Message.Kind.REPLY,
            sent_by=by,
        )
        for alert in reporter.alerts:
            alert_event_record(
                alert=alert,
                kind=AlertEvent.Kind.REPORTER_TOLD,
                by=by,
                after={"message": message.pk, "incident": locked.pk},
            )
        sent.append(message)
    incident_event_record(
        incident=locked,
        kind=IncidentEvent.Kind.REPORTERS_TOLD,
        by=by,
        messages=[message.pk for message in sent],
    )
    return sent


@transaction.atomic
def loop_incident_area_tell(*, incident: Incident, text: str, by) -> Broadcast:
    """Prepare the news for the networks of the resolved incident's place as a broadcast draft
    a supervisor sends (see engagement.loop.loop_area_tell)."""
    if not incident.is_resolved:
        raise ValidationError(_("Tell the area once the incident is resolved."))
    if incident.location_id is None:
        raise ValidationError(_("The incident has no place: there is no area to tell."))
    broadcast = loop_area_draft(
        reference=incident.reference, location=incident.location, text=text, by=by
    )
    incident_event_record(
        incident=incident, kind=IncidentEvent.Kind.AREA_TOLD, by=by, broadcast=broadcast.pk
    )
    return broadcast
