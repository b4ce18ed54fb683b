"""Perception poll pages: the list, a poll's page (its questions, the builder while it is a
draft, sending, closing), the results with their CSV, and the CLAs' field form.

Analysts, supervisors and admins build; supervisors and admins send; every role reads results
counted over the answers of its areas or places (access.polls); CLAs and admins record field
interviews. Included under /dashboard/polls/ by dashboard/urls.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from access.polls import conversations_visible, responses_visible
from alerts.services import status_callback_url
from core.permissions import capability_required, require
from core.roles import can, mask_name
from networks import selectors as network_selectors
from polls import selectors, services
from polls.constants import CHOICE_MAX_LENGTH, MAX_CHOICES, QUESTION_MAX_LENGTH, TITLE_MAX_LENGTH
from polls.exports import poll_answers_download
from polls.models import Conversation, Group, Poll, Question, Response

LANGUAGE_LABELS = (
    ("fr", _("French")),
    ("sw", _("Swahili")),
    ("ln", _("Lingala")),
    ("en", _("English")),
)


class PollForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    previous_round = forms.ModelChoiceField(
        label=_("Previous round"),
        queryset=Poll.objects.none(),
        required=False,
        help_text=_("The earlier round of the same poll, for the comparison of results."),
    )

    def __init__(self, *args, poll: Poll | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous_round"].queryset = selectors.previous_round_choices(poll or Poll())


class QuestionForm(forms.Form):
    """A question's text per language and, for numbered answers, one line per answer with its
    labels separated by "|" in the order French | Swahili | Lingala | English."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text_fr = forms.CharField(label=_("French"), max_length=QUESTION_MAX_LENGTH)
    text_sw = forms.CharField(label=_("Swahili"), max_length=QUESTION_MAX_LENGTH, required=False)
    text_ln = forms.CharField(label=_("Lingala"), max_length=QUESTION_MAX_LENGTH, required=False)
    text_en = forms.CharField(label=_("English"), max_length=QUESTION_MAX_LENGTH, required=False)
    choices = forms.CharField(
        label=_("Numbered answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One answer per line, its labels separated by | : French | Swahili | Lingala | "
            "English (only French is required). For numbered answers only."
        ),
    )

    def choice_rows(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("choices") or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip()[:CHOICE_MAX_LENGTH] for part in line.split("|")]
            rows.append(dict(zip(("fr", "sw", "ln", "en"), parts, strict=False)))
        return rows[: MAX_CHOICES + 1]


def _ids_field(label) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label, coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )


class SendForm(forms.Form):
    """Who gets the poll: networks, places (and everyone below them), people (names masked)."""

    networks = _ids_field(_("Networks"))
    places = _ids_field(_("Territories and places"))
    focal_points = _ids_field(_("Focal points"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].choices = [
            (n.pk, n.name) for n in network_selectors.network_list().order_by("name")
        ]
        self.fields["places"].choices = [
            (p.pk, f"{p.name} ({p.get_kind_display()})")
            for p in network_selectors.location_list().exclude(kind="province").order_by("name")
        ]
        self.fields["focal_points"].choices = [
            (fp.pk, f"{mask_name(fp.name)} · {fp.home_location.name if fp.home_location else '—'}")
            for fp in network_selectors.focal_point_list().prefetch_related(None)
        ]


def _poll(pk: int) -> Poll:
    return get_object_or_404(selectors.poll_list(), pk=pk)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for error in exc.messages:
        messages.error(request, error)


@require_http_methods(["GET", "POST"])
@capability_required("read_polls", htmx_login_next="dashboard:polls")
def poll_index(request: HttpRequest) -> HttpResponse:
    form = PollForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "build_polls")
        if form.is_valid():
            try:
                poll = services.poll_create(
                    title=form.cleaned_data["title"],
                    previous_round=form.cleaned_data["previous_round"],
                    created_by=request.user,
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect("dashboard:poll", poll.pk)
    return render(
        request,
        "dashboard/poll_list.html",
        {
            "polls": selectors.poll_list()[:200],
            "form": form,
            "may_build": can(request.user, "build_polls"),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required("read_polls")
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll(pk)
    question_form = QuestionForm(request.POST if "add_question" in request.POST else None)
    send_form = SendForm(request.POST if "send" in request.POST else None)
    if request.method == "POST":
        try:
            if "add_question" in request.POST:
                require(request.user, "build_polls")
                if question_form.is_valid():
                    data = question_form.cleaned_data
                    services.question_add(
                        poll=poll,
                        kind=data["kind"],
                        texts={lang: data[f"text_{lang}"] for lang, _label in LANGUAGE_LABELS},
                        choices=question_form.choice_rows(),
                    )
                    return redirect("dashboard:poll", poll.pk)
            elif "delete_question" in request.POST:
                require(request.user, "build_polls")
                question = get_object_or_404(
                    poll.questions, pk=_int(request.POST.get("delete_question"))
                )
                services.question_delete(question=question)
                return redirect("dashboard:poll", poll.pk)
            elif "send" in request.POST:
                require(request.user, "send_polls")
                if send_form.is_valid():
                    data = send_form.cleaned_data
                    services.poll_send(
                        poll=poll,
                        by=request.user,
                        network_ids=data["networks"],
                        location_ids=data["places"],
                        focal_point_ids=data["focal_points"],
                        status_callback=status_callback_url(
                            request.build_absolute_uri(reverse("twilio-status"))
                        ),
                    )
                    messages.success(request, gettext("The first question is being sent."))
                    return redirect("dashboard:poll", poll.pk)
            elif "close" in request.POST:
                require(request.user, "send_polls")
                services.poll_close(poll=poll, by=request.user)
                return redirect("dashboard:poll", poll.pk)
        except services.PollRefused as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _errors(request, exc)
    return render(
        request,
        "dashboard/poll_detail.html",
        {
            "poll": poll,
            "questions": selectors.poll_questions(poll),
            "question_form": question_form,
            "send_form": send_form,
            "languages": LANGUAGE_LABELS,
            "may_build": can(request.user, "build_polls") and poll.status == Poll.Status.DRAFT,
            "may_send": can(request.user, "send_polls"),
            "may_interview": can(request.user, "record_poll_interviews")
            and poll.status != Poll.Status.DRAFT,
        },
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _visible(request: HttpRequest):
    return (
        responses_visible(Response.objects.all(), request.user),
        conversations_visible(Conversation.objects.all(), request.user),
    )


@require_GET
@capability_required("read_polls")
def poll_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    poll = _poll(pk)
    responses, conversations = _visible(request)
    results = selectors.poll_results(poll=poll, responses=responses, conversations=conversations)
    return render(request, "dashboard/poll_results.html", {"poll": poll, "results": results})


@require_GET
@capability_required("read_polls")
def poll_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The answers one may see, one per line; no phone number, no name."""
    poll = _poll(pk)
    responses, _conversations = _visible(request)
    return poll_answers_download(request=request, poll=poll, responses=responses)


class InterviewForm(forms.Form):
    group = forms.ChoiceField(label=_("Respondent's group"), choices=Group.choices)
    location = forms.ModelChoiceField(
        label=_("Place"), queryset=network_selectors.location_list().exclude(kind="province")
    )


@require_http_methods(["GET", "POST"])
@capability_required("record_poll_interviews")
def poll_interview(request: HttpRequest, pk: int) -> HttpResponse:
    """One respondent's answers asked in the field: group and place, never a name."""
    poll = _poll(pk)
    questions = selectors.poll_questions(poll)
    form = InterviewForm(request.POST or None)
    given = {q.pk: (request.POST.get(f"q{q.pk}") or "") for q in questions}
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_record(
                poll=poll,
                by=request.user,
                group=form.cleaned_data["group"],
                location=form.cleaned_data["location"],
                answers=given,
            )
        except services.PollRefused as exc:
            errors.append(str(exc))
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, gettext("Answers recorded. Next respondent."))
            return redirect("dashboard:poll-interview", poll.pk)
    return render(
        request,
        "dashboard/poll_interview.html",
        {
            "poll": poll,
            "form": form,
            "questions": [(q, given.get(q.pk, "")) for q in questions],
            "errors": errors,
        },
    )


urlpatterns = [
    path("", poll_index, name="polls"),
    path("<int:pk>/", poll_detail, name="poll"),
    path("<int:pk>/results/", poll_results_page, name="poll-results"),
    path("<int:pk>/export.csv", poll_export, name="poll-export"),
    path("<int:pk>/interview/", poll_interview, name="poll-interview"),
]
