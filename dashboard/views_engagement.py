"""Town hall meetings and deployments (JPT/JAM): their lists, pages and forms, the overdue
commitments supervisors follow, and telling a closed alert's reporter and place what was done.
Everything through engagement's services; who sees what through access.engagement."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.alerts import alerts_visible, incidents_visible
from access.engagement import deployments_visible, town_halls_visible
from alerts.models import Alert, AlertEvent
from alerts.selectors import alert_list
from alerts.services import RevealingRefused, SendRefused
from core.permissions import capability_required, require
from core.roles import can
from engagement import services
from engagement.loop import (
    loop_area_tell,
    loop_offered,
    loop_reporter_discreet,
    loop_reporter_tell,
)
from engagement.models import Commitment, Concern, Recommendation
from engagement.selectors import (
    commitments_overdue,
    deployment_detail,
    deployment_list,
    deployments_of_alert,
    later_meetings,
    town_hall_detail,
    town_hall_list,
)
from triage.selectors import incident_list

from .alert_access import alert_action
from .engagement_forms import (
    AnswerForm,
    CommitmentFormSet,
    ConcernFormSet,
    DeploymentForm,
    FindingsForm,
    FollowUpForm,
    TellAreaForm,
    TellReporterForm,
    TownHallForm,
)

PAGE_SIZE = 50
INCIDENTS_OFFERED = dt.timedelta(days=90)  # a deployment answers recent incidents


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Town halls -------------------------------------------------------------------------------


def _town_halls(request: HttpRequest):
    return town_halls_visible(town_hall_list(), request.user)


@require_GET
@capability_required("read_town_halls", htmx_login_next="dashboard:town-halls")
def town_hall_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(_town_halls(request), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/town_hall_list.html",
        {
            "page": page,
            "rows": list(page),
            "may_record": can(request.user, "record_town_halls"),
            "may_supervise": can(request.user, "supervise"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("record_town_halls", htmx_login_next="dashboard:town-halls")
def town_hall_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = TownHallForm(data, user=request.user)
    concerns = ConcernFormSet(data, prefix="concern")
    commitments = CommitmentFormSet(data, prefix="commitment")
    if data is not None and form.is_valid() and concerns.is_valid() and commitments.is_valid():
        if any(c.get("raise_alert") for c in concerns.cleaned_data):
            require(request.user, "raise_alert")
        fields = form.cleaned_data
        try:
            town_hall = services.town_hall_create(
                by=request.user,
                place=fields["place"],
                held_on=fields["held_on"],
                convener=fields["convener"],
                participants={group: fields[group] for group in services.TownHall.GROUPS},
                notes=fields["notes"],
                concerns=[
                    services.ConcernInput(
                        text=c["text"],
                        categories=tuple(c["categories"]),
                        risk_factors=tuple(c["risk_factors"]),
                        raise_alert=c["raise_alert"],
                    )
                    for c in concerns.cleaned_data
                    if (c.get("text") or "").strip()
                ],
                commitments=[
                    services.CommitmentInput(text=c["text"], owner=c["owner"], due_on=c["due_on"])
                    for c in commitments.cleaned_data
                    if (c.get("text") or "").strip()
                ],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("Town hall meeting recorded."))
            return redirect("dashboard:town-hall", pk=town_hall.pk)
    context = {"form": form, "concerns": concerns, "commitments": commitments}
    return render(request, "dashboard/town_hall_form.html", context, status=400 if data else 200)


@require_GET
@capability_required("read_town_halls", htmx_login_next="dashboard:town-halls")
def town_hall_page(request: HttpRequest, pk: int) -> HttpResponse:
    town_hall = get_object_or_404(town_hall_detail(_town_halls(request)), pk=pk)
    visible_alerts = set(
        alerts_visible(
            Alert.objects.filter(town_hall_concern__town_hall=town_hall), request.user
        ).values_list("pk", flat=True)
    )
    may_record = can(request.user, "record_town_halls")
    commitments = []
    for commitment in town_hall.commitments.all():
        form = None
        if may_record and commitment.status == Commitment.Status.OPEN:
            meetings = later_meetings(commitment=commitment, town_halls=_town_halls(request))
            form = AnswerForm(meetings=meetings, prefix=f"c{commitment.pk}")
        commitments.append((commitment, form))
    context = {
        "town_hall": town_hall,
        "visible_alerts": visible_alerts,
        "may_record": may_record,
        "may_raise": may_record and can(request.user, "raise_alert"),
        "commitments": commitments,
        "today": timezone.localdate(),
    }
    return render(request, "dashboard/town_hall.html", context)


@require_POST
@capability_required("raise_alert", htmx_login_next="dashboard:town-halls")
def concern_raise(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "record_town_halls")
    concern = get_object_or_404(
        Concern.objects.filter(town_hall__in=_town_halls(request)).select_related("town_hall"),
        pk=pk,
    )
    try:
        alert = services.concern_alert_raise(concern=concern, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, gettext("Alert %(reference)s raised.") % {"reference": alert.reference}
        )
    return redirect("dashboard:town-hall", pk=concern.town_hall_id)


@require_POST
@capability_required("record_town_halls", htmx_login_next="dashboard:town-halls")
def commitment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(
        Commitment.objects.filter(town_hall__in=_town_halls(request)).select_related("town_hall"),
        pk=pk,
    )
    meetings = later_meetings(commitment=commitment, town_halls=_town_halls(request))
    form = AnswerForm(request.POST, meetings=meetings, prefix=f"c{commitment.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.commitment_answer(
                commitment=commitment,
                answer=form.cleaned_data["answer"],
                at=form.cleaned_data["at"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("The answer is recorded."))
    return redirect("dashboard:town-hall", pk=commitment.town_hall_id)


@require_GET
@capability_required("supervise", htmx_login_next="dashboard:queue")
def commitments_overdue_page(request: HttpRequest) -> HttpResponse:
    """Promises made to communities and not answered by their due date, oldest first."""
    today = timezone.localdate()
    overdue = commitments_overdue(town_halls=_town_halls(request), today=today)
    page = Paginator(overdue, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    context = {"page": page, "rows": list(page), "today": today}
    return render(request, "dashboard/commitments_overdue.html", context)


# --- Deployments ------------------------------------------------------------------------------


def _deployments(request: HttpRequest):
    return deployments_visible(deployment_list(), request.user)


@require_GET
@capability_required("read_deployments", htmx_login_next="dashboard:deployments")
def deployment_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(_deployments(request), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": list(page),
        "may_record": can(request.user, "record_deployments"),
    }
    return render(request, "dashboard/deployment_list.html", context)


def _offered_alerts(request: HttpRequest, wanted: int | None):
    """Escalated alerts the user sees, and the one the page was opened from."""
    alerts = alerts_visible(alert_list(), request.user)
    chosen = alerts.filter(status=Alert.Status.ESCALATED)
    if wanted is not None:
        chosen = chosen | alerts.filter(pk=wanted)
    return chosen.order_by("-received_at")


@require_http_methods(["GET", "POST"])
@capability_required("record_deployments", htmx_login_next="dashboard:deployments")
def deployment_new(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("alert", "")
    wanted = int(wanted) if wanted.isdigit() and len(wanted) < 19 else None
    incidents = incidents_visible(incident_list(), request.user).filter(
        last_seen_at__gte=timezone.now() - INCIDENTS_OFFERED
    )
    data = request.POST if request.method == "POST" else None
    initial = {"alerts": [wanted]} if wanted else {}
    form = DeploymentForm(
        data,
        initial=initial,
        user=request.user,
        alerts=_offered_alerts(request, wanted),
        incidents=incidents.order_by("-last_seen_at"),
    )
    if data is not None and form.is_valid():
        fields = form.cleaned_data
        try:
            deployment = services.deployment_create(
                by=request.user,
                kind=fields["kind"],
                area=fields["area"],
                started_on=fields["started_on"],
                ended_on=fields["ended_on"],
                team={
                    part: fields[part]
                    for part in ("military", "police", "civilians", "investigators")
                },
                alerts=fields["alerts"],
                incidents=fields["incidents"],
                findings=fields["findings"],
                recommendations=fields["recommendations"].splitlines(),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("Deployment recorded."))
            return redirect("dashboard:deployment", pk=deployment.pk)
    return render(
        request, "dashboard/deployment_form.html", {"form": form}, status=400 if data else 200
    )


@require_GET
@capability_required("read_deployments", htmx_login_next="dashboard:deployments")
def deployment_page(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = get_object_or_404(deployment_detail(_deployments(request)), pk=pk)
    may_record = can(request.user, "record_deployments")
    context = {
        "deployment": deployment,
        # Only the alerts and incidents the reader may see are named.
        "alerts": alerts_visible(deployment.alerts.all(), request.user),
        "incidents": incidents_visible(deployment.incidents.all(), request.user),
        "may_record": may_record,
        "findings_form": FindingsForm(
            initial={"findings": deployment.findings, "ended_on": deployment.ended_on}
        ),
        "recommendations": [
            (
                r,
                FollowUpForm(
                    initial={"status": r.status, "follow_up": r.follow_up}, prefix=f"r{r.pk}"
                )
                if may_record
                else None,
            )
            for r in deployment.recommendations.all()
        ],
    }
    return render(request, "dashboard/deployment.html", context)


@require_POST
@capability_required("record_deployments", htmx_login_next="dashboard:deployments")
def deployment_findings(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = get_object_or_404(_deployments(request), pk=pk)
    form = FindingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write the findings."))
    else:
        try:
            services.deployment_findings_record(
                deployment=deployment,
                findings=form.cleaned_data["findings"],
                ended_on=form.cleaned_data["ended_on"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("Findings recorded."))
    return redirect("dashboard:deployment", pk=deployment.pk)


@require_POST
@capability_required("record_deployments", htmx_login_next="dashboard:deployments")
def recommendation_follow(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.filter(deployment__in=_deployments(request)), pk=pk
    )
    form = FollowUpForm(request.POST, prefix=f"r{recommendation.pk}")
    if not form.is_valid():
        messages.error(request, gettext("Choose a valid status."))
    else:
        services.recommendation_follow(
            recommendation=recommendation,
            status=form.cleaned_data["status"],
            follow_up=form.cleaned_data["follow_up"],
        )
        messages.success(request, gettext("Follow-up recorded."))
    return redirect("dashboard:deployment", pk=recommendation.deployment_id)


# --- Closing the loop -------------------------------------------------------------------------


@alert_action
def alert_tell_reporter(request: HttpRequest, alert: Alert):
    form = TellReporterForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write in a few words what was done."))
        return None
    try:
        with transaction.atomic():
            loop_reporter_tell(alert=alert, outcome=form.cleaned_data["outcome"], by=request.user)
    except RevealingRefused as exc:
        messages.error(request, str(exc))
    except (SendRefused, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, gettext("The reporter will be told by SMS."))
    return None


@alert_action
def alert_tell_area(request: HttpRequest, alert: Alert):
    form = TellAreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write the message for the area."))
        return None
    try:
        broadcast = loop_area_tell(alert=alert, text=form.cleaned_data["text"], by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return None
    messages.success(
        request,
        gettext("A broadcast draft is ready for a supervisor to send: %(title)s")
        % {"title": broadcast.title},
    )
    if can(request.user, "send_broadcasts"):
        return redirect(reverse("dashboard:broadcast", args=[broadcast.pk]))
    return None


def alert_engagement_context(request: HttpRequest, alert: Alert) -> dict:
    """What the alert page adds: the deployments that answered it, and once it is closed, the
    offer to tell its reporter (and its place) what was done."""
    closed = alert.status == Alert.Status.CLOSED
    context = {
        "deployments": list(
            deployments_visible(deployments_of_alert(alert_id=alert.pk), request.user)
        )
        if can(request.user, "read_deployments")
        else [],
        "may_record_deployment": can(request.user, "record_deployments")
        and alert.status == Alert.Status.ESCALATED,
        "loop_offered": can(request.user, "work_alerts") and loop_offered(alert=alert),
        "loop_area_offered": can(request.user, "work_alerts") and closed and alert.location_id,
    }
    if context["loop_offered"]:
        context["loop_discreet"] = loop_reporter_discreet(alert=alert)
        context["loop_told"] = alert.events.filter(kind=AlertEvent.Kind.REPORTER_TOLD).exists()
        context["tell_reporter_form"] = TellReporterForm()
    if context["loop_area_offered"]:
        context["tell_area_form"] = TellAreaForm()
    return context


# --- Map layer --------------------------------------------------------------------------------

MAP_DEPLOYMENTS_SINCE = dt.timedelta(days=90)


def _point(place) -> list[float] | None:
    """The place's coordinates, else its parent's (a territory with none set takes its
    province's): [longitude, latitude] as GeoJSON has them."""
    while place is not None:
        if place.latitude is not None and place.longitude is not None:
            return [float(place.longitude), float(place.latitude)]
        place = place.parent
    return None


@require_GET
@capability_required("read_deployments", htmx_login_next="dashboard:map")
def deployment_map_data(request: HttpRequest) -> HttpResponse:
    """The map's deployments layer: those of the reader's areas under way or started within
    MAP_DEPLOYMENTS_SINCE, one GeoJSON point each at their area."""
    since = timezone.localdate() - MAP_DEPLOYMENTS_SINCE
    deployments = (
        _deployments(request)
        .filter(Q(started_on__gte=since) | Q(ended_on__isnull=True))
        .select_related("area__parent__parent")
    )
    features = []
    for deployment in deployments:
        point = _point(deployment.area)
        if point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": {
                    "kind": deployment.get_kind_display(),
                    "area": deployment.area.name,
                    "from": deployment.started_on.isoformat(),
                    "until": deployment.ended_on.isoformat() if deployment.ended_on else None,
                    "url": reverse("dashboard:deployment", args=[deployment.pk]),
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})
