"""The alert page's follow-up: corrections of triage, escalation to a response unit, internal
notes, calling back a missed call, canned replies, the live thread and the alert's history."""

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from alerts.channels.twilio import RecordingUnavailable, recording_fetch
from alerts.discreet import revealing_patterns, revealing_words, short_number
from alerts.models import Alert, CannedReply, Message, ResponseUnit
from alerts.selectors import (
    alert_history,
    alert_thread,
    recording_audio,
    reliability_score,
    reporter_outcomes,
)
from alerts.services import (
    TransitionRefused,
    alert_callback_done,
    alert_escalate,
    alert_note_add,
    alert_update,
    recipient_discreet,
)
from core.permissions import capability_required, require
from core.roles import can, can_see_identity
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED
from networks.identities import identity_in_scope
from networks.models import Location
from networks.selectors import focal_point_card
from networks.services import focal_point_clear_at_risk

from .alert_access import alert_action, alert_for_user

# Outbound statuses that may still change: the thread keeps polling while one is shown.
SETTLING = (Message.Status.PENDING, Message.Status.QUEUED, Message.Status.SENT)
THREAD_POLL_SECONDS = 5
PLACE_CHOICES_CACHE_KEY = "dashboard:place-choices"
PLACE_CHOICES_TTL = 300


def place_label(location: Location) -> str:
    """ "Mbau — Beni": a place name with its territory, unique enough to pick from a list."""
    node, territory = location.parent, ""
    while node is not None:
        if node.kind == Location.Kind.TERRITORY:
            territory = node.name
            break
        node = node.parent
    return f"{location.name} — {territory}" if territory else location.name


def place_choices() -> dict[str, int]:
    """Label → id for every place an alert can be about (not provinces); cached a few minutes,
    the gazetteer changes rarely and has thousands of places."""
    choices = cache.get(PLACE_CHOICES_CACHE_KEY)
    if choices is None:
        places = Location.objects.exclude(kind=Location.Kind.PROVINCE).select_related(
            "parent__parent__parent__parent"
        )
        choices = {place_label(place): place.pk for place in places.order_by("name")}
        cache.set(PLACE_CHOICES_CACHE_KEY, choices, PLACE_CHOICES_TTL)
    return choices


class CorrectionForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RISK_FACTOR_CHOICES_NUMBERED,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(label=_("Language"), choices=Alert.Language.choices)
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("Type a few letters and pick the place from the list; leave empty to keep it."),
    )
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)

    def clean_place(self):
        label = self.cleaned_data["place"].strip()
        if not label:
            return None
        choices = place_choices()
        place = Location.objects.filter(pk=choices.get(label)).first()
        if place is None:
            raise forms.ValidationError(gettext("Pick a place from the list."))
        return place


class EscalateForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Response unit"), queryset=ResponseUnit.objects.filter(active=True)
    )
    note = forms.CharField(label=_("What was passed on"), required=False, max_length=1000)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen by colleagues only; never sent by SMS."),
    )


def may_hear_recording(user, alert: Alert) -> bool:
    """A voice identifies its speaker: only who may read the reporter's identity hears it (an
    unknown caller's, whoever may read identities)."""
    if not can_see_identity(user):
        return False
    return alert.reporter_id is None or identity_in_scope(user, alert.reporter_id)


def followup_context(request: HttpRequest, alert: Alert, *, reporter_shown: bool) -> dict:
    """What the alert page adds for follow-up: reporter card (when the page shows who reported),
    history, forms, canned replies, and which wording a reply to the reporter must keep to."""
    discreet = recipient_discreet(alert=alert)
    context: dict = {
        "reply_discreet": discreet,
        "may_supervise": can(request.user, "supervise"),
        # The number a discreet acknowledgement gave the reporter instead of the reference.
        "discreet_number": short_number(alert.pk) if discreet else "",
        "revealing_rules": revealing_patterns() if discreet else None,
        "history": alert_history(alert=alert),
        "thread_polling": alert.messages.filter(direction="outbound", status__in=SETTLING).exists(),
        "thread_poll_seconds": THREAD_POLL_SECONDS,
    }
    if alert.reporter_id and reporter_shown:
        outcomes = reporter_outcomes(reporter_id=alert.reporter_id)
        context["reporter_outcomes"] = outcomes
        context["reporter_reliability"] = reliability_score(outcomes)
        context["reporter_card"] = focal_point_card(focal_point_id=alert.reporter_id)
    context.update(
        correction_form=CorrectionForm(
            initial={
                "categories": alert.categories,
                "risk_factors": alert.risk_factors,
                "language": alert.language,
            }
        ),
        place_labels=list(place_choices()),
        escalate_form=EscalateForm(),
        note_form=NoteForm(),
        canned_replies=_canned_for(alert, discreet=discreet),
    )
    return context


def _canned_for(alert: Alert, *, discreet: bool = False) -> list[CannedReply]:
    """Active canned replies, those in the alert's language first; for a reporter in discreet
    mode, only those that reveal nothing."""
    replies = list(CannedReply.objects.filter(active=True))
    if discreet:
        replies = [reply for reply in replies if not revealing_words(reply.body)]
    return sorted(replies, key=lambda reply: (reply.language != alert.language, reply.language))


@alert_action
def alert_correct(request: HttpRequest, alert: Alert):
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
        return
    changes = {
        "categories": form.cleaned_data["categories"],
        "risk_factors": form.cleaned_data["risk_factors"],
        "language": form.cleaned_data["language"],
    }
    if form.cleaned_data["place"] is not None:
        changes["location"] = form.cleaned_data["place"]
    alert_update(alert=alert, by=request.user, note=form.cleaned_data["note"], **changes)
    messages.success(request, gettext("Corrections saved; they count in the triage accuracy."))


@alert_action
def alert_escalate_view(request: HttpRequest, alert: Alert):
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a response unit."))
        return
    unit = form.cleaned_data["unit"]
    try:
        alert_escalate(alert=alert, unit=unit, by=request.user, note=form.cleaned_data["note"])
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return
    messages.success(request, gettext("Escalated to %(unit)s.") % {"unit": unit})


@alert_action
def alert_note(request: HttpRequest, alert: Alert):
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write the note first (at most 2,000 characters)."))
        return
    alert_note_add(alert=alert, by=request.user, text=form.cleaned_data["text"])
    messages.success(request, gettext("Note added."))


@alert_action
def alert_reporter_safe(request: HttpRequest, alert: Alert):
    """A supervisor has seen to the threat against the reporter: broadcasts reach them again
    (recorded in the audit trail)."""
    require(request.user, "supervise")
    if alert.reporter_id is None or not focal_point_clear_at_risk(
        focal_point=alert.reporter, by=request.user
    ):
        messages.info(request, gettext("The reporter was not marked at risk."))
        return
    messages.success(
        request, gettext("The reporter is no longer marked at risk: broadcasts reach them again.")
    )


@alert_action
def alert_called_back(request: HttpRequest, alert: Alert):
    if alert.source != Alert.Source.MISSED_CALL and not alert.callback_requested_at:
        messages.error(request, gettext("Nobody asked to be called back on this alert."))
        return
    alert_callback_done(alert=alert, by=request.user, note=request.POST.get("note", "")[:500])
    messages.success(request, gettext("Recorded: the person was called back."))


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def alert_thread_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation, polled while a reply's delivery is still settling."""
    alert = alert_for_user(pk, request.user)
    context = {
        "alert": alert,
        "thread": alert_thread(alert=alert),
        "thread_polling": alert.messages.filter(direction="outbound", status__in=SETTLING).exists(),
        "thread_poll_seconds": THREAD_POLL_SECONDS,
    }
    return render(request, "dashboard/_thread.html", context)


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def alert_recording(request: HttpRequest, pk: int) -> HttpResponse:
    """The call's recording: the copy kept here, or, until it is, passed through from Twilio.
    A voice identifies its speaker: only roles that may read this reporter's identity hear it."""
    alert = alert_for_user(pk, request.user)
    if not may_hear_recording(request.user, alert):
        raise PermissionDenied
    if not alert.recording_url:
        raise Http404
    kept = recording_audio(alert=alert)
    if kept is not None:
        body, content_type = kept
    else:
        try:
            body, content_type = recording_fetch(alert.recording_url)
        except RecordingUnavailable as exc:
            return HttpResponse(
                gettext("The recording cannot be fetched from Twilio right now (%(why)s).")
                % {"why": exc},
                status=502,
                content_type="text/plain; charset=utf-8",
            )
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
