"""Pages of the cla app: visits, follow-ups, the calendar, raising alerts, and coverage.

Views stay thin: reads go through cla.selectors and cla.coverage, changes through cla.services.
"""

import calendar
import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import capability_required
from core.roles import can
from networks.identities import identities_reveal
from networks.models import Location, Network

from . import selectors, services
from .constants import COVERAGE_PLACE_KINDS, MAX_ID
from .coverage import coverage_compute
from .forms import (
    AlertForm,
    FollowUpFormSet,
    MonthForm,
    RecruitFormSet,
    VisitForm,
    add_service_errors,
)
from .models import FieldVisit, FollowUp
from .offline import offline_settings

PAGE_SIZE = 30
# Sent by visit-draft.js: the answer is then JSON, so the script can keep or clear the draft.
DRAFT_HEADER = "X-Kengele-Draft"


reads_visits = capability_required("read_field_records")
records_visits = capability_required("write_field_records")
any_role = capability_required()


def _visit_for(request: HttpRequest, pk: int, *, edit: bool = False) -> FieldVisit:
    """The visit if the user may read it (404 otherwise) and, for a change, edit it (403)."""
    visible = selectors.field_visits_visible_to(
        selectors.field_visit_detail(reader=request.user), user=request.user
    )
    visit = get_object_or_404(visible, pk=pk)
    if edit and not selectors.may_edit_visit(user=request.user, visit=visit):
        raise PermissionDenied
    return visit


# --- Visits ----------------------------------------------------------------------------------


@require_GET
@reads_visits
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = selectors.field_visits_visible_to(selectors.field_visit_list(), user=request.user)
    filterset = selectors.FieldVisitFilter(request.GET, queryset=visits, request=request)
    filterset.is_valid()  # a wrong value leaves its filter out and shows the form's error
    page = Paginator(filterset.qs.order_by("-visited_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cla/visit_list.html",
        {
            "page": page,
            "filter": filterset,
            "sees_all": selectors.sees_every_visit(request.user),
            "may_record": selectors.may_record_visits(request.user),
            "filter_query": params.urlencode(),
            "clas": selectors.cla_users(),
            "places": Location.objects.filter(kind__in=COVERAGE_PLACE_KINDS)
            .select_related("parent")
            .order_by("name"),
            "networks": Network.objects.order_by("name"),
        },
    )


def _visit_saved_response(request: HttpRequest, visit: FieldVisit, created: bool):
    url = reverse("cla:visit", args=[visit.pk])
    if created:
        messages.success(request, gettext("Visit recorded."))
        for link in visit.alert_links.select_related("alert"):
            _alert_raised_message(request, link.alert)
    else:
        messages.info(request, gettext("This visit was already recorded: nothing was duplicated."))
    if request.headers.get(DRAFT_HEADER):
        return JsonResponse({"url": url, "created": created}, status=201 if created else 200)
    return redirect(url)


def _alert_raised_message(request: HttpRequest, alert) -> None:
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            gettext("Alert raised and sent to the analysts:"),
            reverse("dashboard:alert", args=[alert.pk]),
            alert.reference,
        ),
    )


def _invalid(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if request.headers.get(DRAFT_HEADER):
        # The script then sends the form the ordinary way, so the page shows what is wrong.
        return JsonResponse({"invalid": True}, status=422)
    return render(request, template, context, status=400)


def _stored_draft(request: HttpRequest) -> FieldVisit | None:
    """The user's visit already stored under the posted draft key, if any."""
    try:
        key = uuid.UUID(str(request.POST.get("idempotency_key", "")))
    except ValueError:
        return None
    return FieldVisit.objects.filter(idempotency_key=key, cla=request.user).first()


@require_http_methods(["GET", "POST"])
@records_visits
def visit_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = VisitForm(data, user=user, initial={"visited_on": timezone.localdate()})
    recruits = RecruitFormSet(data, prefix="recruits", form_kwargs={"user": user})
    follow_ups = FollowUpFormSet(data, prefix="follow_ups")
    context = {"form": form, "recruits": recruits, "follow_ups": follow_ups, "creating": True}
    if request.method == "GET":
        return render(request, "cla/visit_form.html", context)
    stored = _stored_draft(request)
    if stored is not None:
        # A draft sent again after its first sending was stored: whatever the form says now
        # (a recruit registered since, a date gone by), the answer is the visit already kept.
        return _visit_saved_response(request, stored, False)
    if not (form.is_valid() and recruits.is_valid() and follow_ups.is_valid()):
        return _invalid(request, "cla/visit_form.html", context)
    cleaned = form.cleaned_data
    try:
        visit, created = services.field_visit_create(
            cla=user,
            idempotency_key=cleaned["idempotency_key"],
            visited_on=cleaned["visited_on"],
            places=cleaned["places"],
            purpose=cleaned["purpose"],
            women_met=cleaned["women_met"],
            men_met=cleaned["men_met"],
            others_met=cleaned["others_met"],
            organisations_met=cleaned["organisations_met"],
            networks=cleaned["networks"],
            lpcs=cleaned["lpcs"],
            observations=cleaned["observations"],
            categories=cleaned["categories"],
            risk_factors=cleaned["risk_factors"],
            recruits=recruits.as_data(),
            follow_ups=follow_ups.as_data(),
            alert_text=cleaned["alert_text"],
            alert_location=cleaned["alert_location"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _invalid(request, "cla/visit_form.html", context)
    return _visit_saved_response(request, visit, created)


@require_GET
@reads_visits
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for(request, pk)
    # Recruits' names and numbers as far as networks.identities allows.
    shown = identities_reveal(
        request=request,
        focal_point_ids=[r.focal_point_id for r in visit.recruitments.all()],
        where="field_visit",
        visit=visit.pk,
    )
    return render(
        request,
        "cla/visit_detail.html",
        {
            "visit": visit,
            "shown": shown,
            "may_edit": selectors.may_edit_visit(user=request.user, visit=visit),
            "may_admin": can(request.user, "edit_any_field_record"),
        },
    )


@require_http_methods(["GET", "POST"])
@records_visits
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for(request, pk, edit=True)
    user = request.user
    data = request.POST if request.method == "POST" else None
    initial = {
        "visited_on": visit.visited_on,
        "places": list(visit.places.all()),
        "purpose": visit.purpose,
        "women_met": visit.women_met,
        "men_met": visit.men_met,
        "others_met": visit.others_met,
        "organisations_met": visit.organisations_met,
        "networks": list(visit.networks.all()),
        "lpcs": list(visit.lpcs.all()),
        "observations": visit.observations,
        "categories": visit.categories,
        "risk_factors": visit.risk_factors,
    }
    form = VisitForm(data, user=user, editing=True, initial=initial)
    # Places visited stay choosable even when outside the CLA's current assignment.
    form.fields["places"].queryset = (
        form.fields["places"].queryset | Location.objects.filter(pk__in=visit.places.all())
    ).distinct()
    recruits = RecruitFormSet(data, prefix="recruits", form_kwargs={"user": user})
    follow_ups = FollowUpFormSet(data, prefix="follow_ups")
    context = {
        "form": form,
        "recruits": recruits,
        "follow_ups": follow_ups,
        "creating": False,
        "visit": visit,
    }
    if request.method == "GET":
        return render(request, "cla/visit_form.html", context)
    if not (form.is_valid() and recruits.is_valid() and follow_ups.is_valid()):
        return _invalid(request, "cla/visit_form.html", context)
    cleaned = dict(form.cleaned_data)
    try:
        services.field_visit_update(
            visit=visit,
            by=user,
            places=cleaned.pop("places"),
            networks=cleaned.pop("networks"),
            lpcs=cleaned.pop("lpcs"),
            recruits=recruits.as_data(),
            follow_ups=follow_ups.as_data(),
            **cleaned,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _invalid(request, "cla/visit_form.html", context)
    messages.success(request, gettext("Visit updated."))
    if request.headers.get(DRAFT_HEADER):
        return JsonResponse({"url": reverse("cla:visit", args=[visit.pk])})
    return redirect("cla:visit", pk=visit.pk)


@require_http_methods(["GET", "POST"])
@records_visits
def visit_alert(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for(request, pk, edit=True)
    form = AlertForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.visit_alert_raise(
                visit=visit,
                text=form.cleaned_data["text"],
                by=request.user,
                location=form.cleaned_data["location"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _alert_raised_message(request, alert)
            return redirect("cla:visit", pk=visit.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cla/visit_alert.html", {"visit": visit, "form": form}, status=status)


# --- Offline use --------------------------------------------------------------------------------


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps the field pages on the phone. Served under /cla/ so that
    its scope is the field pages and nothing else; it holds no personal data, so needs no login
    (the pages it fetches do)."""
    response = render(
        request, "cla/sw.js", offline_settings(), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = reverse("cla:visits")
    return response


@require_GET
@never_cache
@records_visits
def csrf_token(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for sending what was kept on the phone: the copy of the form the
    phone kept may carry a token from an older session."""
    return JsonResponse({"token": get_token(request)})


# --- Follow-ups ------------------------------------------------------------------------------


@require_GET
@reads_visits
def follow_up_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    follow_ups = list(selectors.follow_ups_open(user=request.user))
    return render(
        request,
        "cla/follow_ups.html",
        {
            "overdue": [f for f in follow_ups if f.due_on < today],
            "upcoming": [f for f in follow_ups if f.due_on >= today],
            "today": today,
            "sees_all": selectors.sees_every_visit(request.user),
            "user_id": request.user.pk,
            "may_admin": can(request.user, "edit_any_field_record"),
        },
    )


@require_POST
@records_visits
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("visit"), pk=pk)
    if not selectors.may_close_follow_up(user=request.user, follow_up=follow_up):
        raise PermissionDenied
    services.follow_up_mark_done(follow_up=follow_up, by=request.user)
    messages.success(request, gettext("Follow-up marked as done."))
    target = request.POST.get("next", "")
    if target == "visit":
        return redirect("cla:visit", pk=follow_up.visit_id)
    if target == "profile":
        return redirect("cla:profile", pk=follow_up.holder_id)
    return redirect("cla:follow-ups")


# --- Calendar --------------------------------------------------------------------------------


def _shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@require_GET
@reads_visits
def visit_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = MonthForm(request.GET)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    first = (month or today).replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    visible = selectors.field_visits_visible_to(
        selectors.field_visit_list(), user=request.user
    ).select_related("cla")
    by_day = selectors.field_visits_in_month(visible, first=first, last=last)
    weeks = [
        [
            {"date": day, "in_month": day.month == first.month, "visits": by_day.get(day, [])}
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = _shift_month(first, -1)
    following = _shift_month(first, 1)
    return render(
        request,
        "cla/calendar.html",
        {
            "form": form,
            "first": first,
            "weeks": weeks,
            "weekdays": [day for day in calendar.Calendar(firstweekday=0).iterweekdays()],
            "previous": previous,
            "following": following,
            "today": today,
            "count": sum(len(v) for v in by_day.values()),
            "sees_all": selectors.sees_every_visit(request.user),
        },
        status=200 if form.is_valid() else 400,
    )


# --- Coverage --------------------------------------------------------------------------------


def _coverage_area(request: HttpRequest) -> tuple[int | None, str | None]:
    """The `within` place id from the query string, or an error message."""
    raw = request.GET.get("within", "").strip()
    if not raw:
        return None, None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        return None, gettext("“within” must be the id of a place.")
    return int(raw), None


@require_GET
@any_role
def coverage_page(request: HttpRequest) -> HttpResponse:
    within, error = _coverage_area(request)
    coverage = coverage_compute(within=within)
    areas = Location.objects.filter(
        Q(kind=Location.Kind.PROVINCE) | Q(kind=Location.Kind.TERRITORY)
    ).order_by("kind", "name")
    return render(
        request,
        "cla/coverage.html",
        {
            "coverage": coverage,
            "areas": areas,
            "within": within,
            "error": error,
            "window_days": (coverage.today - coverage.since).days,
        },
        status=400 if error else 200,
    )


@require_GET
@any_role
def coverage_json(request: HttpRequest) -> HttpResponse:
    within, error = _coverage_area(request)
    if error:
        return JsonResponse({"within": [error]}, status=400)
    return JsonResponse(coverage_compute(within=within).as_json())
