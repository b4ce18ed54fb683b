"""The dashboard map: alerts and incidents per place, coloured by priority, with the queue's
filters; the base map comes from a configurable tile server, the data from us."""

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from access.alerts import alerts_visible, incidents_visible
from alerts.models import Alert
from alerts.selectors import AlertFilter, alert_list
from core.permissions import capability_required
from core.roles import can
from core.taxonomy import CATEGORY_CHOICES
from triage.selectors import incident_list

from .mapdata import alert_places, incident_places

PERIODS = {1: _("Last 24 hours"), 7: _("Last 7 days"), 30: _("Last 30 days"), 90: _("Last 90 days")}
DEFAULT_PERIOD = 7
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def _period(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_PERIOD))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _coverage_url() -> str:
    """The coverage layer's data, when the cla app serves it."""
    try:
        return reverse("cla:coverage-json")
    except NoReverseMatch:
        return ""


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def map_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    query["days"] = str(_period(request))
    filterset = AlertFilter(request.GET, queryset=Alert.objects.none())
    filterset.is_valid()
    context = {
        "periods": PERIODS,
        "days": _period(request),
        "form": filterset.form,
        "category_choices": CATEGORY_CHOICES,
        "source_choices": Alert.Source.choices,
        "selected_sources": request.GET.getlist("source"),
        "open_only": request.GET.get("open", "1") != "0",
        "data_url": f"{reverse('dashboard:map-data')}?{query.urlencode()}",
        "coverage_url": _coverage_url(),
        "deployments_url": reverse("dashboard:map-deployments")
        if can(request.user, "read_deployments")
        else "",
        "tile_url": getattr(settings, "MAP_TILE_URL", DEFAULT_TILE_URL),
        "tile_attribution": getattr(
            settings, "MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors"
        ),
    }
    return render(request, "dashboard/map.html", context)


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def map_data(request: HttpRequest) -> HttpResponse:
    """Alerts per place and incidents for the period and filters, as two GeoJSON collections."""
    since = timezone.now() - dt.timedelta(days=_period(request))
    visible = alerts_visible(alert_list(), request.user).filter(received_at__gte=since)
    filterset = AlertFilter(request.GET, queryset=visible, request=request)
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.errors}, status=400)
    queryset = filterset.qs
    if request.GET.get("open", "1") != "0":
        queryset = queryset.filter(status__in=Alert.OPEN_STATUSES)
    return JsonResponse(
        {
            "since": since.isoformat(),
            "alerts": alert_places(queryset),
            "incidents": incident_places(
                since=since, among=incidents_visible(incident_list(), request.user)
            ),
        }
    )
