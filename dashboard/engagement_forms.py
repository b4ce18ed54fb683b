"""The forms of the town hall and deployment pages. Places offered are those of the user's
areas (access.engagement); people named are the mission's staff, by role."""

import datetime as dt

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from access.engagement import engagement_places
from core.roles import roles_with
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED
from engagement.constants import LOOP_MESSAGE_MAX_LENGTH, MAX_HEAD_COUNT, TEXT_MAX_LENGTH
from engagement.models import Deployment, Recommendation
from networks import selectors as network_selectors

CONCERN_ROWS = 3
COMMITMENT_ROWS = 3
RECOMMENDATION_ROWS = 3


def places_for(user):
    places = network_selectors.location_list().order_by("name", "pk")
    allowed = engagement_places(user)
    return places if allowed is None else places.filter(pk__in=allowed)


def staff(capability: str):
    return (
        User.objects.filter(is_active=True, groups__name__in=roles_with(capability))
        .distinct()
        .order_by("username")
    )


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_HEAD_COUNT, initial=0)


def _text(label, *, required=False, rows=2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class TownHallForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=None)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    convener = forms.ModelChoiceField(label=_("Convened by"), queryset=None)
    women = _count(_("Women"))
    youth = _count(_("Youth"))
    authorities = _count(_("Local authorities"))
    civil_society = _count(_("Civil society"))
    displaced = _count(_("Displaced people"))
    notes = _text(_("Notes"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_for(user)
        self.fields["convener"].queryset = staff("record_town_halls")
        self.fields["convener"].initial = user.pk
        self.fields["held_on"].initial = dt.date.today()


class ConcernForm(forms.Form):
    text = _text(_("Concern raised"))
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=CATEGORY_CHOICES, required=False
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"), choices=RISK_FACTOR_CHOICES_NUMBERED, required=False
    )
    raise_alert = forms.BooleanField(label=_("Raise an alert to the analysts"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and (
            data.get("categories") or data.get("risk_factors") or data.get("raise_alert")
        ):
            self.add_error("text", _("Write what was said."))
        return data


class CommitmentForm(forms.Form):
    text = _text(_("Commitment made by the mission"))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff("record_town_halls")

    def clean(self):
        data = super().clean()
        if (data.get("text") or "").strip():
            for field in ("owner", "due_on"):
                if not data.get(field):
                    self.add_error(field, _("A commitment needs an owner and a due date."))
        return data


ConcernFormSet = forms.formset_factory(ConcernForm, extra=CONCERN_ROWS, max_num=20)
CommitmentFormSet = forms.formset_factory(CommitmentForm, extra=COMMITMENT_ROWS, max_num=20)


class AnswerForm(forms.Form):
    answer = _text(_("Answer given to the community"), required=True)
    at = forms.ModelChoiceField(label=_("At the meeting of"), queryset=None)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].queryset = meetings


class DeploymentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Deployment.Kind.choices)
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    started_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    military = _count(_("Military"))
    police = _count(_("Police"))
    civilians = _count(_("Civilians"))
    investigators = _count(_("Investigators"))
    alerts = forms.ModelMultipleChoiceField(label=_("Alerts"), queryset=None, required=False)
    incidents = forms.ModelMultipleChoiceField(label=_("Incidents"), queryset=None, required=False)
    findings = _text(_("Findings"), rows=4)
    recommendations = _text(_("Recommendations (one per line)"), rows=4)

    def __init__(self, *args, user, alerts, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = places_for(user)
        self.fields["alerts"].queryset = alerts
        self.fields["incidents"].queryset = incidents
        self.fields["started_on"].initial = dt.date.today()

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("A deployment ends after it starts."))
        return data


class FindingsForm(forms.Form):
    findings = _text(_("Findings"), required=True, rows=6)
    ended_on = forms.DateField(
        label=_("Back on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Recommendation.Status.choices)
    follow_up = _text(_("Follow-up"))


class TellReporterForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done, in a few words"),
        max_length=LOOP_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TellAreaForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the networks of the place"),
        max_length=LOOP_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
