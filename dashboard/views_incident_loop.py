"""Closing the loop for a resolved incident on its page: telling each of its reporters once what
was done, and preparing the news for the networks of its place. Through engagement's loop
services; only who may act on the incident (every alert of it in their areas) is offered it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from access.alerts import alerts_visible
from alerts.models import Alert
from alerts.services import SendRefused
from core.permissions import capability_required
from core.roles import can
from engagement.loop_incidents import (
    loop_incident,
    loop_incident_area_offered,
    loop_incident_area_tell,
    loop_incident_tell,
)
from triage.models import Incident

from .engagement_forms import TellAreaForm, TellReporterForm
from .incident_access import workable_incident


def incident_loop_context(request: HttpRequest, incident: Incident, *, may_act: bool) -> dict:
    """What the incident page adds once the incident is resolved: its reporters to tell (each
    once), how many are in discreet mode or already told, and the forms."""
    if not (may_act and incident.is_resolved):
        return {"loop_offered": False, "loop_area_offered": False}
    loop = loop_incident(
        incident=incident, alerts=alerts_visible(Alert.objects.all(), request.user)
    )
    context = {
        "loop_offered": True,
        "loop_reachable": bool(loop.reporters),
        "loop_area_offered": loop_incident_area_offered(incident=incident),
        "loop_to_tell": len(loop.to_tell),
        "loop_discreet": sum(1 for reporter in loop.to_tell if reporter.discreet),
        "loop_unreachable": len(loop.unreachable),
    }
    if loop.to_tell:
        context["tell_reporter_form"] = TellReporterForm()
    if context["loop_area_offered"]:
        context["tell_area_form"] = TellAreaForm()
    return context


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@capability_required("work_alerts", htmx_login_next="dashboard:queue")
def incident_tell_reporters(request: HttpRequest, pk: int) -> HttpResponse:
    incident = workable_incident(request, pk)
    form = TellReporterForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write in a few words what was done."))
        return redirect("dashboard:incident", pk=incident.pk)
    try:
        sent = loop_incident_tell(
            incident=incident, outcome=form.cleaned_data["outcome"], by=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    except SendRefused as exc:  # RevealingRefused among them: nobody was sent anything
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s reporter will be told by SMS.",
                "%(n)s reporters will be told by SMS.",
                len(sent),
            )
            % {"n": len(sent)},
        )
    return redirect("dashboard:incident", pk=incident.pk)


@require_POST
@capability_required("work_alerts", htmx_login_next="dashboard:queue")
def incident_tell_area(request: HttpRequest, pk: int) -> HttpResponse:
    incident = workable_incident(request, pk)
    form = TellAreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write the message for the area."))
        return redirect("dashboard:incident", pk=incident.pk)
    try:
        broadcast = loop_incident_area_tell(
            incident=incident, text=form.cleaned_data["text"], by=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("dashboard:incident", pk=incident.pk)
    messages.success(
        request,
        gettext("A broadcast draft is ready for a supervisor to send: %(title)s")
        % {"title": broadcast.title},
    )
    if can(request.user, "send_broadcasts"):
        return redirect(reverse("dashboard:broadcast", args=[broadcast.pk]))
    return redirect("dashboard:incident", pk=incident.pk)
