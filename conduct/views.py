"""Complaint pages: list, complaint (each opening recorded), new complaint, members' registry.

Only `read_complaints` (the conduct role) reads; `submit_complaint` (conduct, CLAs) enters a
complaint and gets its reference back, never its text."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import capability_required
from core.roles import can, mask_phone

from . import selectors, services
from .forms import ComplaintForm, MemberForm
from .models import Complaint, ComplaintView

PAGE_SIZE = 50


@capability_required("read_complaints")
@require_http_methods(["GET"])
def complaint_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.complaint_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "conduct/complaint_list.html", {"page": page})


@capability_required("read_complaints")
@require_http_methods(["GET"])
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if complaint is None:
        raise Http404
    services.complaint_view_record(
        complaint=complaint, user=request.user, what=ComplaintView.What.DETAIL
    )
    context = {
        "complaint": complaint,
        "sender": mask_phone(complaint.sender),
        "views": selectors.complaint_views(user=request.user, complaint=complaint)[:200],
        "statuses": Complaint.Status.choices,
    }
    return render(request, "conduct/complaint_detail.html", context)


@capability_required("read_complaints")
@require_POST
def complaint_status(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if complaint is None:
        raise Http404
    status = request.POST.get("status", "")
    if status not in Complaint.Status.values:
        messages.error(request, gettext("Unknown status."))
    else:
        services.complaint_status_set(complaint=complaint, status=status, by=request.user)
    return redirect("conduct:complaint", pk=complaint.pk)


@capability_required("submit_complaint")
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    reader = can(request.user, "read_complaints")
    members = selectors.member_choices(user=request.user) if reader else None
    form = ComplaintForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        complaint = services.complaint_create(
            text=form.cleaned_data["text"],
            source=Complaint.Source.FORM,
            by=request.user,
            member=form.cleaned_data.get("member"),
            location=form.cleaned_data["location"],
        )
        messages.success(
            request,
            gettext("Complaint %(reference)s received; only conduct and discipline staff read it.")
            % {"reference": complaint.reference},
        )
        return redirect("conduct:complaint-new")
    status = 400 if form.errors else 200
    return render(request, "conduct/complaint_form.html", {"form": form}, status=status)


@capability_required("read_complaints")
@require_http_methods(["GET"])
def member_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.member_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "conduct/member_list.html", {"page": page})


@capability_required("read_complaints")
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.member_create(**form.cleaned_data)
        messages.success(request, gettext("Member registered."))
        return redirect("conduct:members")
    status = 400 if form.errors else 200
    return render(request, "conduct/member_form.html", {"form": form}, status=status)


@capability_required("read_complaints")
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_list(user=request.user).filter(pk=pk).first()
    if member is None:
        raise Http404
    initial = {
        "name": member.name,
        "phone": member.phone,
        "gender": member.gender,
        "location": member.location_id,
        "elected_on": member.elected_on,
        "active": member.active,
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.member_update(member=member, **form.cleaned_data)
        messages.success(request, gettext("Member updated."))
        return redirect("conduct:members")
    status = 400 if form.errors else 200
    context = {"form": form, "member": member}
    return render(request, "conduct/member_form.html", context, status=status)
