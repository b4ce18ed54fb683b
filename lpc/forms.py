"""Forms of the committee pages. Business rules stay in services; forms shape the input."""

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core.roles import roles_with
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED
from networks.models import Location
from networks.selectors import location_ids_within

from .constants import ALERT_TEXT_MAX_LENGTH, ATTENDANCE_FIELDS
from .models import LPC, ActionPoint, LPCMeeting, LPCMember
from .selectors import lpc_members
from .services import MEMBER_FIELDS, ActionPointInput, action_point_done_on

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Places a committee may cover or meet in: where people live and the areas above them.
PLACE_KINDS = (
    Location.Kind.TERRITORY,
    Location.Kind.CHIEFDOM,
    Location.Kind.SECTOR,
    Location.Kind.GROUPEMENT,
    Location.Kind.VILLAGE,
    Location.Kind.LOCALITY,
)
# A meeting as its page and the admin edit it, in the order they show it.
MEETING_FORM_FIELDS = (
    "held_on",
    "place",
    *ATTENDANCE_FIELDS,
    "members_present",
    "categories",
    "risk_factors",
    "minutes",
    "decisions",
)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's errors on the form's own fields, the rest above the form."""
    for field, errors in exc.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class PlacesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


def places_for_committees() -> QuerySet[Location]:
    return Location.objects.filter(kind__in=PLACE_KINDS).select_related("parent").order_by("name")


def places_of(lpc: LPC) -> QuerySet[Location]:
    """The places a committee covers and everything inside them."""
    ids: set[int] = set()
    for place_id in lpc.places.values_list("pk", flat=True):
        ids |= location_ids_within(place_id)
    return Location.objects.filter(pk__in=ids).select_related("parent").order_by("name")


class LPCForm(forms.ModelForm):
    places = PlacesChoiceField(
        label=_("Places covered"),
        queryset=Location.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = LPC
        fields = ("name", "kind", "places", "founded_on", "status", "cla", "funding_source")
        widgets = {"founded_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].queryset = places_for_committees()
        self.fields["cla"].queryset = User.objects.filter(
            groups__name__in=roles_with("write_field_records"), is_active=True
        ).distinct()
        self.fields["cla"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class MemberForm(forms.ModelForm):
    class Meta:
        model = LPCMember
        fields = MEMBER_FIELDS
        widgets = {
            "name": forms.TextInput(),
            "community_name": forms.TextInput(),
            "joined_on": DATE_WIDGET,
            "left_on": DATE_WIDGET,
        }


class MeetingForm(forms.ModelForm):
    place = PlaceChoiceField(label=_("Place"), queryset=Location.objects.none(), required=False)
    members_present = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=LPCMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("Risks discussed"),
        choices=CATEGORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RISK_FACTOR_CHOICES_NUMBERED,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = LPCMeeting
        fields = MEETING_FORM_FIELDS
        widgets = {
            "held_on": DATE_WIDGET,
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            **{
                name: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
                for name in ATTENDANCE_FIELDS
            },
        }

    def __init__(self, *args, lpc: LPC, show_names: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.lpc = lpc
        self.fields["place"].queryset = places_of(lpc)
        self.fields["members_present"].queryset = lpc_members(lpc=lpc)
        self.fields["members_present"].label_from_instance = (
            (lambda m: f"{m.name} · {m.get_role_display()}")
            if show_names
            else (lambda m: f"{m} · {m.get_role_display()}")
        )

    @property
    def attendance_fields(self) -> list:
        return [self[name] for name in ATTENDANCE_FIELDS]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "place": data.get("place"),
            "minutes": data.get("minutes", ""),
            "decisions": data.get("decisions", ""),
            "categories": list(data.get("categories") or []),
            "risk_factors": list(data.get("risk_factors") or []),
            "attendance": {name: data.get(name) or 0 for name in ATTENDANCE_FIELDS},
            "members_present": list(data.get("members_present") or []),
        }


class ActionPointRowForm(forms.ModelForm):
    """One row of the meeting's action points. A new row with nothing written in it is empty,
    whatever its status select says, and is skipped."""

    WRITTEN = ("description", "owner", "due_on")

    def has_changed(self) -> bool:
        if self.instance.pk is None and not any(
            (self.data.get(self.add_prefix(name)) or "").strip() for name in self.WRITTEN
        ):
            return False
        return super().has_changed()

    class Meta:
        model = ActionPoint
        fields = ("description", "owner", "due_on", "status")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "owner": forms.TextInput(),
            "due_on": DATE_WIDGET,
        }


class BaseActionPointFormSet(BaseInlineFormSet):
    """Action points of a meeting; none are deleted (an unwanted one is dropped)."""

    def check_due_dates(self, held_on) -> bool:
        """Refuse due dates before the meeting, shown on each row (the meeting is not saved yet,
        so the model cannot compare the dates itself)."""
        ok = True
        for form in self.forms:
            due_on = form.cleaned_data.get("due_on") if form.has_changed() else None
            if held_on and due_on and due_on < held_on:
                form.add_error(
                    "due_on",
                    ValidationError(
                        _("The due date cannot be before the meeting (%(date)s)."),
                        params={"date": held_on.strftime("%d/%m/%Y")},
                    ),
                )
                ok = False
        return ok

    def inputs(self) -> list[ActionPointInput]:
        items = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            data = form.cleaned_data
            items.append(
                ActionPointInput(
                    description=data["description"],
                    owner=data.get("owner", ""),
                    due_on=data["due_on"],
                    status=data.get("status") or ActionPoint.Status.OPEN,
                    follow_up=form.instance.follow_up,
                    done_on=form.instance.done_on,
                    action_point=form.instance if form.instance.pk else None,
                )
            )
        return items


ActionPointFormSet = inlineformset_factory(
    LPCMeeting,
    ActionPoint,
    form=ActionPointRowForm,
    formset=BaseActionPointFormSet,
    extra=3,
    max_num=50,
    validate_max=True,
    can_delete=False,
)


class ActionPointUpdateForm(forms.ModelForm):
    class Meta:
        model = ActionPoint
        fields = ("status", "follow_up", "done_on", "due_on", "owner")
        widgets = {
            "follow_up": forms.Textarea(attrs={"rows": 3}),
            "done_on": DATE_WIDGET,
            "due_on": DATE_WIDGET,
            "owner": forms.TextInput(),
        }
        help_texts = {"done_on": _("Left empty, marking it done records today.")}

    def clean(self) -> dict:
        cleaned = super().clean()
        # As the service will: the database refuses "done" without a date, and a date otherwise.
        cleaned["done_on"] = action_point_done_on(
            status=cleaned.get("status", ""),
            done_on=cleaned.get("done_on"),
            opened_on=self.instance.opened_on,
        )
        return cleaned


class RaiseAlertForm(forms.Form):
    text = forms.CharField(
        label=_("What should the analysts know?"),
        max_length=ALERT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Name the place: triage finds it in the text when none is chosen below."),
    )
    location = PlaceChoiceField(
        label=_("Place"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("Let triage find it in the text"),
    )

    def __init__(self, *args, lpc: LPC, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = places_of(lpc)
