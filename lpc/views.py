"""Committee pages: list, committee, members, meetings with action points, alerts, report.

Views stay thin: reads go through lpc.selectors, changes through lpc.services, and who may see
or change what through lpc.permissions.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from core.permissions import capability_required

from . import permissions as rules
from . import selectors, services
from .constants import ATTENDANCE_BANDS, ATTENDANCE_GENDERS, REPORT_PERIODS
from .forms import (
    ActionPointFormSet,
    ActionPointUpdateForm,
    LPCForm,
    MeetingForm,
    MemberForm,
    RaiseAlertForm,
    add_service_errors,
    places_for_committees,
)
from .models import LPC, ActionPoint, LPCMeeting, LPCMember
from .representation import lpc_representation

PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _lpc(pk: int) -> LPC:
    return get_object_or_404(LPC.objects.select_related("cla").prefetch_related("places"), pk=pk)


def _meeting(pk: int) -> LPCMeeting:
    return get_object_or_404(selectors.meeting_list(), pk=pk)


# --- Committees -----------------------------------------------------------------------------


@require_GET
@capability_required()
def lpc_list(request: HttpRequest) -> HttpResponse:
    filterset = selectors.LPCFilter(request.GET, queryset=selectors.lpc_list(), request=request)
    valid = filterset.is_valid()  # a wrong value leaves the list empty and shows the error
    page = Paginator(filterset.qs if valid else LPC.objects.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lpc/lpc_list.html",
        {
            "lpcs": list(page),
            "page": page,
            "query": query.urlencode(),
            "errors": filterset.errors,
            "status_choices": LPC.Status.choices,
            "kind_choices": LPC.Kind.choices,
            "places": places_for_committees(),
            "selected": {key: request.GET.get(key, "") for key in ("status", "kind", "place", "q")},
            "may_create": rules.can_create_lpc(request.user),
            "editable_ids": set(rules.lpcs_editable_by(request.user).values_list("pk", flat=True)),
        },
    )


@require_GET
@capability_required()
def lpc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lpc = get_object_or_404(selectors.lpc_list(), pk=pk)
    may_read = rules.can_read_records(request.user)
    context = {
        "lpc": lpc,
        "may_read": may_read,
        "may_edit": rules.can_edit_lpc(request.user, lpc),
        "show_names": rules.can_see_member_names(request.user),
        "show_groups": rules.can_see_member_groups(request.user, lpc),
        "meetings": selectors.lpc_meetings(lpc=lpc, reader=request.user),
        "today": timezone.localdate(),
    }
    if may_read:
        context["members"] = selectors.lpc_members(lpc=lpc)
        context["open_points"] = selectors.action_points_open(lpc=lpc)
    return render(request, "lpc/lpc_detail.html", context)


def _lpc_form_save(request: HttpRequest, form: LPCForm, lpc: LPC | None) -> LPC | None:
    data = form.cleaned_data
    places = list(data["places"])
    cla = data.get("cla")
    if not rules.can_place_lpc(
        request.user, cla_id=cla.pk if cla else None, place_ids={p.pk for p in places}
    ):
        form.add_error(
            None,
            gettext(
                "You may record committees only in the places you work in, or that you support."
            ),
        )
        return None
    fields = {name: data.get(name) for name in services.LPC_FIELDS}
    try:
        if lpc is None:
            return services.lpc_create(by=request.user, places=places, **fields)
        return services.lpc_update(lpc=lpc, by=request.user, places=places, **fields)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@require_http_methods(["GET", "POST"])
@capability_required()
def lpc_create(request: HttpRequest) -> HttpResponse:
    _require(rules.can_create_lpc(request.user))
    form = LPCForm(request.POST or None, initial={"cla": request.user.pk})
    if request.method == "POST" and form.is_valid():
        lpc = _lpc_form_save(request, form, None)
        if lpc is not None:
            messages.success(request, gettext("Committee “%(name)s” created.") % {"name": lpc})
            return redirect("lpc:detail", pk=lpc.pk)
    return render(request, "lpc/lpc_form.html", {"form": form, "lpc": None})


@require_http_methods(["GET", "POST"])
@capability_required()
def lpc_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lpc = _lpc(pk)
    _require(rules.can_edit_lpc(request.user, lpc))
    form = LPCForm(request.POST or None, instance=lpc)
    if request.method == "POST" and form.is_valid():
        saved = _lpc_form_save(request, form, LPC.objects.get(pk=lpc.pk))
        if saved is not None:
            messages.success(request, gettext("Committee saved."))
            return redirect("lpc:detail", pk=saved.pk)
    return render(request, "lpc/lpc_form.html", {"form": form, "lpc": lpc})


@require_GET
@capability_required()
def lpc_report(request: HttpRequest, pk: int) -> HttpResponse:
    lpc = _lpc(pk)
    period = request.GET.get("period", "quarter")
    report = lpc_representation(lpc=lpc, period=period)
    return render(
        request,
        "lpc/representation.html",
        {
            "lpc": lpc,
            "report": report,
            "periods": REPORT_PERIODS,
            "genders": ATTENDANCE_GENDERS,
            "bands": ATTENDANCE_BANDS,
            "show_communities": rules.can_see_member_groups(request.user, lpc),
        },
    )


# --- Members --------------------------------------------------------------------------------


def _member_page(request, form, lpc, member):
    return render(request, "lpc/member_form.html", {"form": form, "lpc": lpc, "member": member})


@require_http_methods(["GET", "POST"])
@capability_required()
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    lpc = _lpc(pk)
    _require(rules.can_edit_lpc(request.user, lpc))
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lpc_member_create(
                lpc=lpc, by=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Member added."))
            return redirect("lpc:detail", pk=lpc.pk)
    return _member_page(request, form, lpc, None)


@require_http_methods(["GET", "POST"])
@capability_required()
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(LPCMember.objects.select_related("lpc"), pk=pk)
    _require(rules.can_edit_lpc(request.user, member.lpc))
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.lpc_member_update(
                member=LPCMember.objects.get(pk=member.pk),
                by=request.user,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Member saved."))
            return redirect("lpc:detail", pk=member.lpc_id)
    return _member_page(request, form, member.lpc, member)


# --- Meetings -------------------------------------------------------------------------------


def _meeting_form_page(request, lpc: LPC, meeting: LPCMeeting | None):
    show_names = rules.can_see_member_names(request.user)
    data = request.POST if request.method == "POST" else None
    initial = {"held_on": timezone.localdate()} if meeting is None else None
    form = MeetingForm(data, instance=meeting, lpc=lpc, show_names=show_names, initial=initial)
    formset = ActionPointFormSet(data, instance=meeting or LPCMeeting(lpc=lpc), prefix="actions")
    if data is not None and form.is_valid() and formset.is_valid():
        if formset.check_due_dates(form.cleaned_data["held_on"]):
            try:
                if meeting is None:
                    meeting = services.lpc_meeting_create(
                        lpc=lpc,
                        by=request.user,
                        action_points=formset.inputs(),
                        **form.service_fields(),
                    )
                else:
                    meeting = services.lpc_meeting_update(
                        meeting=LPCMeeting.objects.get(pk=meeting.pk),
                        by=request.user,
                        action_points=formset.inputs(),
                        **form.service_fields(),
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("Meeting saved."))
                return redirect("lpc:meeting", pk=meeting.pk)
    return render(
        request,
        "lpc/meeting_form.html",
        {
            "form": form,
            "formset": formset,
            "lpc": lpc,
            "meeting": meeting,
            "genders": ATTENDANCE_GENDERS,
            "bands": ATTENDANCE_BANDS,
            "attendance_rows": [
                (label, [form[f"{gender}_{band}"] for band, _b in ATTENDANCE_BANDS])
                for gender, label in ATTENDANCE_GENDERS
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required()
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    lpc = _lpc(pk)
    _require(rules.can_edit_lpc(request.user, lpc))
    return _meeting_form_page(request, lpc, None)


@require_http_methods(["GET", "POST"])
@capability_required()
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    _require(rules.can_edit_lpc(request.user, meeting.lpc))
    return _meeting_form_page(request, meeting.lpc, meeting)


@require_GET
@capability_required()
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(rules.can_read_records(request.user))
    meeting = _meeting(pk)
    return render(
        request,
        "lpc/meeting_detail.html",
        {
            "meeting": meeting,
            "lpc": meeting.lpc,
            "may_edit": rules.can_edit_lpc(request.user, meeting.lpc),
            "show_names": rules.can_see_member_names(request.user),
            "attendance_rows": [
                (label, [getattr(meeting, f"{gender}_{band}") for band, _b in ATTENDANCE_BANDS])
                for gender, label in ATTENDANCE_GENDERS
            ],
            "bands": ATTENDANCE_BANDS,
            "alert_links": selectors.meeting_alerts(meeting=meeting, reader=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required()
def meeting_alert(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    _require(rules.can_edit_lpc(request.user, meeting.lpc))
    form = RaiseAlertForm(
        request.POST or None,
        lpc=meeting.lpc,
        initial={"text": services.meeting_alert_text(meeting=meeting), "location": meeting.place},
    )
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.meeting_alert_raise(
                meeting=meeting,
                text=form.cleaned_data["text"],
                by=request.user,
                location=form.cleaned_data.get("location"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Alert %(ref)s sent to the analysts' queue.") % {"ref": alert.reference},
            )
            return redirect("lpc:meeting", pk=meeting.pk)
    return render(request, "lpc/meeting_alert.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@capability_required()
def action_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(ActionPoint.objects.select_related("meeting", "meeting__lpc"), pk=pk)
    _require(rules.can_edit_lpc(request.user, point.meeting.lpc))
    form = ActionPointUpdateForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_point_update(
                action_point=ActionPoint.objects.select_related("meeting").get(pk=point.pk),
                by=request.user,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Action point saved."))
            return redirect("lpc:meeting", pk=point.meeting_id)
    return render(request, "lpc/action_point_form.html", {"form": form, "point": point})
