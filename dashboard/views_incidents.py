"""Incidents on the dashboard: the incident page, and merging, splitting, resolving and
reopening incidents. An incident shows the alerts one may see (a 404 when none); only who sees
all of them acts on it."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from access.alerts import alerts_visible, incident_workable, incidents_visible
from alerts.selectors import MAX_ID
from core.permissions import capability_required
from core.roles import can
from triage.constants import MERGE_SUGGESTIONS, RESOLUTION_NOTE_MAX_LENGTH
from triage.models import Incident
from triage.selectors import (
    UNACKNOWLEDGED,
    incident_alerts,
    incident_history,
    incident_list,
    incidents_nearby,
)
from triage.services import (
    IncidentRefused,
    incident_merge,
    incident_reopen,
    incident_resolve,
    incident_split,
)

from .incident_access import OUTSIDE_AREAS, visible_incident, workable_incident
from .views_incident_loop import incident_loop_context

INCIDENT_REFERENCE = re.compile(r"^\s*(?:I-?)?0*(\d{1,19})\s*$", re.IGNORECASE)


class MergeForm(forms.Form):
    other = forms.CharField(
        label=_("Merge with incident"),
        max_length=30,
        help_text=_("Its reference, e.g. I-12: its alerts join this incident."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_other(self) -> Incident:
        match = INCIDENT_REFERENCE.match(self.cleaned_data["other"])
        pk = int(match.group(1)) if match else 0
        visible = incidents_visible(incident_list(), self.user)
        incident = visible.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
        if incident is None:
            raise forms.ValidationError(
                gettext("There is no incident “%(ref)s”.") % {"ref": self.cleaned_data["other"]}
            )
        if not incident_workable(incident, self.user):
            raise forms.ValidationError(str(OUTSIDE_AREAS))
        return incident


class SplitForm(forms.Form):
    alerts = forms.TypedMultipleChoiceField(
        label=_("Alerts to split out"),
        coerce=int,
        error_messages={
            "required": _("Choose at least one alert to split out."),
            "invalid_choice": _("Only alerts of this incident can be split out of it."),
        },
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alerts"].choices = [
            (pk, str(pk)) for pk in incident.alerts.values_list("pk", flat=True)
        ]


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=RESOLUTION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the incident's history. Its open alerts are closed."),
    )
    # The alerts on the page the person resolved from: one that joined since refuses it.
    seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20_000)

    def clean_seen(self) -> list[int]:
        ids = [part for part in self.cleaned_data["seen"].split(",") if part.strip()]
        if not all(part.strip().isdigit() and len(part.strip()) < 19 for part in ids):
            raise forms.ValidationError(gettext("The page was out of date: open it again."))
        return [int(part) for part in ids]


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is reopened"),
        required=False,
        max_length=RESOLUTION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = visible_incident(request, pk)
    may_act = can(request.user, "work_alerts") and incident_workable(incident, request.user)
    nearby = []
    if may_act:
        visible = incidents_visible(incident_list(), request.user)
        nearby = incidents_nearby(incident=incident, limit=MERGE_SUGGESTIONS, among=visible)
    alerts = list(alerts_visible(incident_alerts(incident=incident), request.user))
    context = {
        "incident": incident,
        "alerts": alerts,
        "may_act": may_act,
        "nearby_incidents": nearby,
        "merge_form": MergeForm(user=request.user),
        "history": list(incident_history(incident=incident)),
        "resolve_form": ResolveForm(initial={"seen": ",".join(str(a.pk) for a in alerts)}),
        "reopen_form": ReopenForm(),
        "waiting": [a for a in alerts if a.status in UNACKNOWLEDGED],
        **incident_loop_context(request, incident, may_act=may_act),
    }
    return render(request, "dashboard/incident.html", context)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@login_required
def incident_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the incident named in the form into this one; back to this incident's page."""
    incident = workable_incident(request, pk)
    form = MergeForm(request.POST, user=request.user)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dashboard:incident", pk=incident.pk)
    other = form.cleaned_data["other"]
    try:
        incident_merge(incident=incident, other=other, by=request.user)
    except IncidentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("%(other)s merged into %(incident)s.")
            % {"other": other.reference, "incident": incident.reference},
        )
    return redirect("dashboard:incident", pk=incident.pk)


@require_POST
@login_required
def incident_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the chosen alerts into a new incident, whose page comes next."""
    incident = workable_incident(request, pk)
    form = SplitForm(request.POST, incident=incident)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dashboard:incident", pk=incident.pk)
    try:
        new = incident_split(
            incident=incident, alert_ids=form.cleaned_data["alerts"], by=request.user
        )
    except IncidentRefused as exc:
        messages.error(request, str(exc))
        return redirect("dashboard:incident", pk=incident.pk)
    messages.success(
        request,
        gettext("A new incident %(new)s now holds the alerts split out of %(incident)s.")
        % {"new": new.reference, "incident": incident.reference},
    )
    return redirect("dashboard:incident", pk=new.pk)


@require_POST
@login_required
def incident_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve the incident (its open alerts are closed); its page then offers to tell its
    reporters what was done."""
    incident = workable_incident(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dashboard:incident", pk=incident.pk)
    try:
        incident_resolve(
            incident=incident,
            by=request.user,
            note=form.cleaned_data["note"],
            seen_alert_ids=form.cleaned_data["seen"],
        )
    except IncidentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("%(incident)s is resolved. Tell its reporters what was done, below.")
            % {"incident": incident.reference},
        )
    return redirect("dashboard:incident", pk=incident.pk)


@require_POST
@login_required
def incident_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = workable_incident(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dashboard:incident", pk=incident.pk)
    try:
        incident_reopen(incident=incident, by=request.user, note=form.cleaned_data["note"])
    except IncidentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, gettext("%(incident)s is open again.") % {"incident": incident.reference}
        )
    return redirect("dashboard:incident", pk=incident.pk)
