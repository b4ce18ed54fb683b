"""What the dashboard's pages show beyond the alert itself: its incident, who is working on
it, missed deadlines, an analyst's duty. Reads only (through triage.selectors)."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from access.alerts import alerts_visible, incidents_visible
from access.engagement import town_halls_visible
from alerts.models import Alert
from core.roles import can
from engagement.selectors import commitments_overdue, town_hall_list
from networks.audit import identity_refusals
from triage.constants import MERGE_SUGGESTIONS
from triage.selectors import (
    UNACKNOWLEDGED,
    alerts_breached,
    analyst_profile,
    claim_holder,
    incident_alerts,
    incident_list,
    incidents_nearby,
)

BREACHES_SHOWN = 20
IDENTITY_REFUSALS_SHOWN = dt.timedelta(hours=24)  # the queue tells supervisors of these


def queue_page_context(request: HttpRequest) -> dict:
    """The queue page's duty switch and, for supervisors, the alerts whose missed deadline was
    escalated and that nobody has acknowledged since, and how many bulk reads of names and
    numbers were refused within a day."""
    context: dict = {"may_take_duty": can(request.user, "work_alerts")}
    if context["may_take_duty"]:
        profile = analyst_profile(user=request.user)
        context["on_duty"] = bool(profile and profile.on_duty)
        context["duty_areas"] = list(profile.areas.all()) if profile else []
    if can(request.user, "supervise"):
        context["identity_refusals"] = identity_refusals(
            since=timezone.now() - IDENTITY_REFUSALS_SHOWN
        ).count()
        context["overdue_commitments"] = commitments_overdue(
            town_halls=town_halls_visible(town_hall_list(), request.user)
        ).count()
        breached = alerts_breached()
        context["breached"] = list(breached[:BREACHES_SHOWN])
        context["breached_total"] = (
            len(context["breached"])
            if len(context["breached"]) < BREACHES_SHOWN
            else breached.count()
        )
    return context


def is_overdue(alert: Alert, *, now=None) -> bool:
    """Past its deadline and nobody has acknowledged it yet."""
    return bool(
        alert.sla_due_at
        and alert.acknowledged_at is None
        and alert.status in UNACKNOWLEDGED
        and alert.sla_due_at < (now or timezone.now())
    )


def alert_page_context(request: HttpRequest, alert: Alert) -> dict:
    """The alert page's incident (with its other alerts and incidents nearby to merge with),
    who is working on it, and its deadline."""
    now = timezone.now()
    context = {
        "claim_holder": claim_holder(alert, now=now),
        "overdue": is_overdue(alert, now=now),
        "breach_escalated": bool(alert.sla_escalated_at) and is_overdue(alert, now=now),
        "incident": alert.incident,
        "siblings": [],
        "nearby_incidents": [],
    }
    if alert.incident is not None:
        # Only the incident's alerts, and the incidents nearby, that the reader may see.
        siblings = alerts_visible(incident_alerts(incident=alert.incident), request.user)
        context["siblings"] = [a for a in siblings if a != alert]
        if can(request.user, "work_alerts"):
            context["nearby_incidents"] = incidents_nearby(
                incident=alert.incident,
                limit=MERGE_SUGGESTIONS,
                among=incidents_visible(incident_list(), request.user),
            )
    return context
