"""Broadcast pages: the list, the new-broadcast form with its live preview, and the broadcast
page with its delivery progress (polled through htmx while SMS are going out).

Supervisors and admins write, send and cancel; analysts read; other roles see nothing. Views stay
thin: reads through alerts.selectors, every change through alerts.services. Included under
/dashboard/broadcasts/ by dashboard/urls.py.
"""

import datetime as dt
import math

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.alerts import alerts_visible
from alerts.models import Broadcast
from alerts.selectors import (
    BROADCAST_DELIVERY_STATUSES,
    BROADCAST_EXCLUSIONS,
    BROADCAST_SKIP_REASONS,
    broadcast_counts,
    broadcast_list,
    broadcast_preview,
    broadcast_recipients,
    broadcast_reply_alerts,
    broadcast_skip_counts,
)
from alerts.services import (
    BroadcastRefused,
    broadcast_cancel,
    broadcast_create,
    broadcast_send,
    broadcast_update,
    status_callback_url,
)
from alerts.services.broadcasts import BROADCAST_TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from core.permissions import capability_required
from core.roles import can, mask_name, mask_phone
from networks import selectors as network_selectors
from networks.identities import Reveal, identities_reveal

PAGE_SIZE = 25
RECIPIENTS_PAGE_SIZE = 50
POLL_SECONDS = 3
# Delivery reports still come in after the last SMS is handed over: keep polling this long.
POLL_AFTER_DONE = dt.timedelta(hours=1)
IN_FLIGHT = ("pending", "queued", "sent")
SEGMENTS_TEMPLATE = _(
    "{chars} characters · {segments} SMS ({encoding}) · {remaining} left in this SMS"
)


# --- Form ----------------------------------------------------------------------------------------


def _text_field(label, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=BROADCAST_TEXT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _ids_field(label, help_text="", *, size: int | None = None) -> forms.TypedMultipleChoiceField:
    widget = forms.SelectMultiple(attrs={"size": size}) if size else forms.CheckboxSelectMultiple()
    return forms.TypedMultipleChoiceField(
        label=label, help_text=help_text, coerce=int, required=False, widget=widget
    )


class BroadcastForm(forms.Form):
    """Title, one text per language (French required: everyone else's fallback) and who gets
    it. Choices come from the roster, so an id that is no choice is a form error."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("For the list of broadcasts; it is not sent."),
    )
    text_fr = _text_field(_("French"), required=True)
    text_sw = _text_field(_("Swahili"))
    text_ln = _text_field(_("Lingala"))
    text_en = _text_field(_("English"))
    discreet_text_fr = _text_field(_("French"))
    discreet_text_sw = _text_field(_("Swahili"))
    discreet_text_ln = _text_field(_("Lingala"))
    discreet_text_en = _text_field(_("English"))
    networks = _ids_field(_("Networks"), _("Everyone currently in these networks."))
    territories = _ids_field(_("Territories"), _("Everyone living in these territories."))
    places = _ids_field(
        _("Other places"), _("Everyone living in these places or below them."), size=8
    )
    focal_points = _ids_field(_("Focal points"), _("These people as well."), size=8)

    LANGUAGE_FIELDS = ("text_fr", "text_sw", "text_ln", "text_en")
    DISCREET_FIELDS = (
        "discreet_text_fr",
        "discreet_text_sw",
        "discreet_text_ln",
        "discreet_text_en",
    )

    def __init__(
        self,
        *args,
        broadcast: Broadcast | None = None,
        request: HttpRequest | None = None,
        **kwargs,
    ):
        """`request`: the form is drawn for it, naming the focal points it may read in clear
        (networks.identities); without one, every name is masked."""
        places = list(network_selectors.location_list().order_by("name"))
        territories = [p for p in places if p.kind == "territory"]
        others = [p for p in places if p.kind not in ("territory", "province")]
        if broadcast is not None and "initial" not in kwargs:
            territory_ids = {p.pk for p in territories}
            kwargs["initial"] = {
                "title": broadcast.title,
                **{f"text_{lang}": text for lang, text in broadcast.texts().items()},
                **{f"discreet_text_{lang}": t for lang, t in broadcast.discreet_texts().items()},
                "networks": broadcast.network_ids,
                "territories": [pk for pk in broadcast.location_ids if pk in territory_ids],
                "places": [pk for pk in broadcast.location_ids if pk not in territory_ids],
                "focal_points": broadcast.focal_point_ids,
            }
        super().__init__(*args, **kwargs)
        self.fields["networks"].choices = [
            (n.pk, n.name) for n in network_selectors.network_list().order_by("name")
        ]
        self.fields["territories"].choices = [(p.pk, p.name) for p in territories]
        self.fields["places"].choices = [
            (p.pk, f"{p.name} ({p.parent.name})" if p.parent else p.name) for p in others
        ]
        roster = list(network_selectors.focal_point_list().prefetch_related(None))
        names = Reveal()
        if request is not None:
            names = identities_reveal(
                request=request, focal_point_ids=[fp.pk for fp in roster], where="broadcast_form"
            )
        self.identities_refused = names.refused
        people = sorted(
            (
                (
                    fp.pk,
                    f"{fp.name if fp.pk in names else mask_name(fp.name)}"
                    f" · {fp.home_location.name if fp.home_location else '—'}",
                )
                for fp in roster
            ),
            key=lambda choice: choice[1].casefold(),
        )
        self.fields["focal_points"].choices = people
        for field_name in (*self.LANGUAGE_FIELDS, *self.DISCREET_FIELDS):
            self.fields[field_name].widget.attrs["data-segments"] = f"segments-{field_name}"

    def language_fields(self):
        return [self[name] for name in self.LANGUAGE_FIELDS]

    def discreet_fields(self):
        return [self[name] for name in self.DISCREET_FIELDS]

    def selection_fields(self):
        return [self[name] for name in ("networks", "territories", "places", "focal_points")]

    def selection(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {
            "network_ids": data.get("networks", []),
            "location_ids": [*data.get("territories", []), *data.get("places", [])],
            "focal_point_ids": data.get("focal_points", []),
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        texts = {name[5:]: data.get(name, "") for name in self.LANGUAGE_FIELDS}
        discreet = {name[14:]: data.get(name, "") for name in self.DISCREET_FIELDS}
        return {
            "title": data["title"],
            "texts": texts,
            "discreet_texts": discreet,
            **self.selection(),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        fields = {"locations": "places", "network_ids": "networks"}
        for field, errors in exc.error_dict.items():
            name = fields.get(field, field)
            if any(error.code == "empty" for error in errors):
                name = None  # nothing selected: about the form as a whole
            self.add_error(name if name in self.fields else None, errors)


# --- Shared pieces -------------------------------------------------------------------------------


def _duration(seconds: int) -> str:
    if seconds < 60:
        return gettext("under a minute")
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("about %(n)s minute", "about %(n)s minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60, 1)
    return gettext("about %(n)s hours") % {"n": hours}


def _preview_context(broadcast: Broadcast) -> dict:
    preview = broadcast_preview(broadcast=broadcast)
    labels = dict(BROADCAST_EXCLUSIONS)
    return {
        "preview": preview,
        "recipient_total": len(preview.audience.recipients),
        "at_risk": len(preview.audience.at_risk),
        "discreet": len(preview.audience.discreet - preview.audience.at_risk),
        "exclusions": [(labels[reason], n) for reason, n in preview.audience.excluded.items() if n],
        "duration": _duration(preview.seconds),
    }


def _broadcast(pk: int) -> Broadcast:
    return get_object_or_404(broadcast_list(), pk=pk)


def _progress_context(request: HttpRequest, broadcast: Broadcast) -> dict:
    counts = broadcast_counts(broadcast_ids=[broadcast.pk])[broadcast.pk]
    total = sum(counts.values())
    in_flight = sum(counts[status] for status in IN_FLIGHT)
    ended = broadcast.finished_at or broadcast.cancelled_at
    live = broadcast.status == Broadcast.Status.SENDING or (
        in_flight > 0 and ended is not None and timezone.now() - ended < POLL_AFTER_DONE
    )
    status = request.GET.get("status", "")
    statuses = dict(BROADCAST_DELIVERY_STATUSES)
    if status not in statuses:
        status = ""
    paginator = Paginator(
        broadcast_recipients(broadcast=broadcast, status=status or None), RECIPIENTS_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    skip_labels = dict(BROADCAST_SKIP_REASONS)
    # Names and numbers in clear as far as networks.identities allows (masked past the limit);
    # a draft's page lists no recipients.
    shown = Reveal()
    if broadcast.status != Broadcast.Status.DRAFT:
        shown = identities_reveal(
            request=request,
            focal_point_ids=[r.focal_point_id for r in page],
            where="broadcast_recipients",
            broadcast=broadcast.pk,
        )
    rows = [
        {
            "name": r.focal_point.name
            if r.focal_point_id in shown
            else mask_name(r.focal_point.name),
            "phone": (
                r.focal_point.phone
                if r.focal_point_id in shown
                else mask_phone(r.focal_point.phone)
            ),
            "language": r.language,
            "status": r.delivery_status,
            "status_label": statuses.get(r.delivery_status, r.delivery_status),
            "error_code": (
                r.message.error_code
                if r.message_id
                else skip_labels.get(r.skip_reason, r.skip_reason)
            ),
            "sent_at": r.sent_at,
        }
        for r in page
    ]
    poll_params = request.GET.copy()
    poll_params["shown"] = broadcast.status
    labels = dict(BROADCAST_EXCLUSIONS)
    return {
        "broadcast": broadcast,
        "counts": [(key, label, counts[key]) for key, label in BROADCAST_DELIVERY_STATUSES],
        "total": total,
        "handed": total - counts["pending"],
        "delivered": counts["delivered"],
        "failed": counts["failed"] + counts["undelivered"],
        "live": live,
        "poll_seconds": POLL_SECONDS,
        "poll_url": f"{reverse('dashboard:broadcast-progress', args=[broadcast.pk])}?"
        f"{poll_params.urlencode()}",
        "status_filter": status,
        "rows": rows,
        "identities_refused": shown.refused,
        "page": page,
        "replies": alerts_visible(broadcast_reply_alerts(broadcast=broadcast), request.user)[:50],
        "excluded": [(labels.get(k, k), n) for k, n in broadcast.excluded.items() if n],
        "skipped": [
            (skip_labels.get(reason, reason), n)
            for reason, n in broadcast_skip_counts(broadcast_ids=[broadcast.pk])[
                broadcast.pk
            ].items()
        ],
    }


# --- Pages ---------------------------------------------------------------------------------------


@require_GET
@capability_required("read_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_index(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(broadcast_list().order_by("-created_at", "-id"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    broadcasts = list(page)
    counts = broadcast_counts(broadcast_ids=[b.pk for b in broadcasts])
    rows = [
        {
            "broadcast": b,
            "total": sum(counts[b.pk].values()),
            "delivered": counts[b.pk]["delivered"],
            "failed": counts[b.pk]["failed"] + counts[b.pk]["undelivered"],
        }
        for b in broadcasts
    ]
    context = {"rows": rows, "page": page, "may_send": can(request.user, "send_broadcasts")}
    return render(request, "dashboard/broadcast_list.html", context)


def _form_page(request: HttpRequest, broadcast: Broadcast | None) -> HttpResponse:
    if request.method == "POST":
        form = BroadcastForm(request.POST, broadcast=broadcast, request=request)
        if form.is_valid():
            try:
                if broadcast is None:
                    broadcast = broadcast_create(
                        created_by=request.user, **form.service_arguments()
                    )
                else:
                    broadcast = broadcast_update(broadcast=broadcast, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, gettext("Draft saved. Check who gets it, then send it."))
                return redirect("dashboard:broadcast", pk=broadcast.pk)
    else:
        form = BroadcastForm(broadcast=broadcast, request=request)
    context = {
        "form": form,
        "broadcast": broadcast,
        "segments_template": SEGMENTS_TEMPLATE,
    }
    return render(request, "dashboard/broadcast_form.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("send_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@require_http_methods(["GET", "POST"])
@capability_required("send_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_edit(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(pk)
    if broadcast.status != Broadcast.Status.DRAFT:
        messages.error(request, gettext("Only a draft can be changed."))
        return redirect("dashboard:broadcast", pk=broadcast.pk)
    return _form_page(request, broadcast)


@require_POST
@capability_required("send_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_form_preview(request: HttpRequest) -> HttpResponse:
    """The form's live preview (htmx): who the selection reaches and what each language costs,
    from whatever in the form is valid so far."""
    form = BroadcastForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    texts = (*BroadcastForm.LANGUAGE_FIELDS, *BroadcastForm.DISCREET_FIELDS)
    unsaved = Broadcast(**{name: data.get(name, "") for name in texts}, **form.selection())
    return render(request, "dashboard/broadcast_preview.html", _preview_context(unsaved))


@require_GET
@capability_required("read_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(pk)
    context = _progress_context(request, broadcast)
    context["may_act"] = can(request.user, "send_broadcasts") and broadcast.status in (
        Broadcast.Status.DRAFT,
        Broadcast.Status.SENDING,
    )
    if broadcast.status == Broadcast.Status.DRAFT:
        context.update(_preview_context(broadcast))
    return render(request, "dashboard/broadcast_detail.html", context)


@require_GET
@capability_required("read_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress section alone, polled by the broadcast page while SMS are going out. Once
    the broadcast's status changes (all handed over, cancelled), the whole page reloads, so its
    status and actions are current too."""
    broadcast = _broadcast(pk)
    shown = request.GET.get("shown")
    if shown and shown != broadcast.status and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "dashboard/broadcast_progress.html", _progress_context(request, broadcast)
    )


@require_POST
@capability_required("send_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(pk)
    callback = status_callback_url(request.build_absolute_uri(reverse("twilio-status")))
    try:
        broadcast_send(broadcast=broadcast, by=request.user, status_callback=callback)
    except BroadcastRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Sending has started."))
    return redirect("dashboard:broadcast", pk=broadcast.pk)


@require_POST
@capability_required("send_broadcasts", htmx_login_next="dashboard:broadcasts")
def broadcast_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(pk)
    try:
        broadcast_cancel(broadcast=broadcast, by=request.user)
    except BroadcastRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Broadcast cancelled: no further SMS will be sent."))
    return redirect("dashboard:broadcast", pk=broadcast.pk)


# Included by dashboard/urls.py under broadcasts/, in the dashboard namespace.
urlpatterns = [
    path("", broadcast_index, name="broadcasts"),
    path("new/", broadcast_new, name="broadcast-new"),
    path("preview/", broadcast_form_preview, name="broadcast-preview"),
    path("<int:pk>/", broadcast_detail, name="broadcast"),
    path("<int:pk>/edit/", broadcast_edit, name="broadcast-edit"),
    path("<int:pk>/progress/", broadcast_progress, name="broadcast-progress"),
    path("<int:pk>/send/", broadcast_send_view, name="broadcast-send"),
    path("<int:pk>/cancel/", broadcast_cancel_view, name="broadcast-cancel"),
]
