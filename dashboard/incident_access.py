"""The incident a page is about, as its viewer may see it: a 404 when it holds no alert they
may see, and for acting on it (merging, splitting, resolving, telling its reporters) a 403
unless they see every alert in it."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from access.alerts import incident_workable, incidents_visible
from core.permissions import require
from triage.models import Incident
from triage.selectors import incident_list

OUTSIDE_AREAS = _(
    "This incident holds alerts outside your areas: a supervisor can merge, split, resolve "
    "or reopen it."
)


def visible_incident(request: HttpRequest, pk: int) -> Incident:
    """The incident, or a 404 when it holds no alert the user may see."""
    return get_object_or_404(
        incidents_visible(incident_list().select_related("resolved_by"), request.user), pk=pk
    )


def workable_incident(request: HttpRequest, pk: int) -> Incident:
    """The incident, for acting on it: only by who works alerts and sees every alert in it."""
    require(request.user, "work_alerts")
    incident = visible_incident(request, pk)
    if not incident_workable(incident, request.user):
        raise PermissionDenied(OUTSIDE_AREAS)
    return incident
