"""Who is working on what, on the dashboard: claiming an alert ("I am working on this") and
an analyst's duty."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from alerts.models import Alert
from core.permissions import require
from triage.services import ClaimRefused, alert_claim, alert_release, analyst_duty_set

from .alert_access import alert_action


class DutyForm(forms.Form):
    on_duty = forms.TypedChoiceField(
        label=_("On duty"), coerce=lambda value: value == "1", choices=[("1", "1"), ("0", "0")]
    )


@alert_action
def alert_claim_view(request: HttpRequest, alert: Alert):
    try:
        alert_claim(alert=alert, by=request.user)
    except ClaimRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("You are working on this alert: others see it."))


@alert_action
def alert_release_view(request: HttpRequest, alert: Alert):
    try:
        alert_release(alert=alert, by=request.user)
    except ClaimRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("You are no longer working on this alert."))


@require_POST
@login_required
def duty_set(request: HttpRequest) -> HttpResponse:
    """An analyst starts or ends their duty: only those on duty receive new alerts."""
    require(request.user, "work_alerts")
    form = DutyForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose on duty or off duty."))
    else:
        on_duty = form.cleaned_data["on_duty"]
        analyst_duty_set(user=request.user, on_duty=on_duty)
        if on_duty:
            messages.success(
                request, gettext("You are on duty: new alerts of your areas come to you.")
            )
        else:
            messages.success(request, gettext("You are off duty: new alerts go to others."))
    return redirect("dashboard:queue")
