"""Pages about the CLAs themselves: the team (for managers), each CLA's page with the work they
hold and the handovers they gave or received, and handing one CLA's work to a successor
(supervisors and admins). Reads go through cla.selectors, the handover through cla.succession.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from core.permissions import capability_required
from core.roles import can

from . import selectors
from .constants import LANGUAGE_CHOICES
from .forms import HandoverForm, add_service_errors
from .succession import cla_handover_perform

reads_visits = capability_required("read_field_records")
reads_every_visit = capability_required("read_all_field_records")
hands_over = capability_required("hand_over_cla_work")


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _follow_up_context(request: HttpRequest) -> dict:
    """What cla/_follow_up_rows.html needs to know of the reader."""
    return {
        "today": timezone.localdate(),
        "sees_all": selectors.sees_every_visit(request.user),
        "user_id": request.user.pk,
        "may_admin": can(request.user, "edit_any_field_record"),
    }


@require_GET
@reads_every_visit
def team(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cla/team.html",
        {"clas": selectors.cla_team(), "may_hand_over": selectors.may_hand_over(request.user)},
    )


@require_GET
@reads_visits
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A CLA's page: managers read every one, a CLA their own (anyone else's is a 404)."""
    person = get_object_or_404(selectors.cla_team(), pk=pk)
    if not selectors.may_read_cla_page(user=request.user, cla=person):
        raise Http404
    work = selectors.cla_work(user=person)
    is_self = person.pk == request.user.pk
    sees_history = is_self or selectors.may_hand_over(request.user)
    spoken = set(work.profile.languages) if work.profile else set()
    return render(
        request,
        "cla/profile.html",
        {
            "person": person,
            "work": work,
            "is_self": is_self,
            "languages": [label for code, label in LANGUAGE_CHOICES if code in spoken],
            "handovers": list(selectors.cla_handovers_of(cla=person)) if sees_history else None,
            "may_hand_over": selectors.may_hand_over(request.user),
            **_follow_up_context(request),
        },
    )


@require_http_methods(["GET", "POST"])
@hands_over
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a CLA's work to a successor in two steps: choose them and write a note, then check
    what moves and confirm. The form's key makes a confirmation sent twice record one handover.
    """
    outgoing = get_object_or_404(selectors.cla_team(), pk=pk)
    work = selectors.cla_work(user=outgoing)
    data = request.POST if request.method == "POST" else None
    form = HandoverForm(data, outgoing=outgoing, initial={"idempotency_key": uuid.uuid4()})
    context = {"outgoing": outgoing, "work": work, "form": form, "reviewing": False}
    if request.method == "GET":
        return render(request, "cla/handover.html", context)
    if not form.is_valid():
        return render(request, "cla/handover.html", context, status=400)
    cleaned = form.cleaned_data
    successor = cleaned["to_cla"]
    step = request.POST.get("step", "")
    if step == "review":
        theirs = selectors.cla_work(user=successor)
        context |= {
            "reviewing": True,
            "successor": successor,
            "new_places": [place for place in work.places if place not in theirs.places],
            "base_given": work.base if theirs.base is None else None,
        }
        return render(request, "cla/handover.html", context)
    if step != "confirm":  # "change": back to the form, as it was filled in
        return render(request, "cla/handover.html", context)
    try:
        _handover, created = cla_handover_perform(
            from_cla=outgoing,
            to_cla=successor,
            by=request.user,
            note=cleaned["note"],
            idempotency_key=cleaned["idempotency_key"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(request, "cla/handover.html", context, status=400)
    if created:
        messages.success(
            request,
            gettext("Handover recorded: %(to)s now holds the work of %(from)s.")
            % {"to": _name(successor), "from": _name(outgoing)},
        )
    else:
        messages.info(request, gettext("This handover was already recorded: nothing moved twice."))
    return redirect("cla:profile", pk=outgoing.pk)
