"""The alert a page is about, as its viewer may see it, and the wrapper of every action on it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from access.alerts import alerts_visible
from alerts.models import Alert
from alerts.selectors import alert_list
from core.permissions import require


def alert_for_user(pk: int, user=None) -> Alert:
    """The alert, or a 404 when it does not exist or `user` may not see it."""
    alerts = alert_list().select_related("location__parent", "incident__location", "claimed_by")
    if user is not None:  # analysts see their areas, CLAs their places
        alerts = alerts_visible(alerts, user)
    return get_object_or_404(alerts, pk=pk)


def alert_action(handler):
    """POST-only, logged in, for those who work alerts; back to the alert page afterwards."""

    @wraps(handler)
    @require_POST
    @login_required
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        require(request.user, "work_alerts")
        alert = alert_for_user(pk, request.user)
        response = handler(request, alert)
        return response or redirect("dashboard:alert", pk=alert.pk)

    return wrapper
