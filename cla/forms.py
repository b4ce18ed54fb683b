"""Forms of the cla pages. They read and check what people type; services do the rest."""

import uuid
from decimal import Decimal

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES
from lpc.models import LPC
from networks.models import Equipment, FocalPoint, Location, Network
from networks.selectors import focal_point_by_phone
from networks.services import phones_normalise

from .constants import (
    ALERT_TEXT_MAX_LENGTH,
    CALENDAR_YEARS,
    COVERAGE_PLACE_KINDS,
    MAX_FOLLOW_UPS_PER_VISIT,
    MAX_HANDOVER_NOTE,
    MAX_ID,
    MAX_PEOPLE_MET,
    MAX_RECRUITS_PER_VISIT,
)
from .models import FieldVisit
from .selectors import cla_place_ids, cla_users
from .services import EquipmentData, FollowUpData, RecruitData

# Kit handed out in kind; airtime has its own amount field.
KIT_CHOICES = [
    (kind.value, kind.label) for kind in Equipment.Kind if kind != Equipment.Kind.AIRTIME
]


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class BoundedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ids outside what the database holds are refused before the query, which would
    otherwise overflow inside the driver (a 500) rather than find nothing."""

    def clean(self, value):
        value = self.prepare_value(value)
        if isinstance(value, list | tuple):  # anything else is refused by the parent class
            for pk in value:
                text = str(pk).strip()
                if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": text},
                    )
        return super().clean(value)


class NetworksChoiceField(BoundedMultipleChoiceField):
    def label_from_instance(self, obj: Network) -> str:
        return obj.name


class PlacesChoiceField(BoundedMultipleChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


def places_for(user) -> "forms.models.QuerySet[Location]":
    """The villages and localities a user picks from: a CLA's assigned ones when set, else all."""
    places = Location.objects.filter(kind__in=COVERAGE_PLACE_KINDS).select_related("parent")
    assigned = cla_place_ids(user=user)
    if assigned:
        places = places.filter(pk__in=assigned)
    return places.order_by("name", "parent__name")


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's errors on the form's own fields, the rest above the form."""
    for name, errors in exc.update_error_dict({}).items():
        form.add_error(name if name in form.fields else None, errors)


class VisitForm(forms.Form):
    """The visit itself. On a new visit it also carries the draft key and an optional alert."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    visited_on = forms.DateField(
        label=_("Date of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    places = PlacesChoiceField(
        label=_("Places visited"),
        queryset=Location.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=FieldVisit.Purpose.choices)
    women_met = forms.IntegerField(
        label=_("Women met"), min_value=0, max_value=MAX_PEOPLE_MET, initial=0
    )
    men_met = forms.IntegerField(
        label=_("Men met"), min_value=0, max_value=MAX_PEOPLE_MET, initial=0
    )
    others_met = forms.IntegerField(
        label=_("Others met"),
        min_value=0,
        max_value=MAX_PEOPLE_MET,
        initial=0,
        help_text=_("Gender not given, or counted together."),
    )
    organisations_met = forms.CharField(
        label=_("Organisations met"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Authorities, associations, churches, NGOs… one per line."),
    )
    networks = NetworksChoiceField(
        label=_("Networks (CANs) supported"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lpcs = BoundedMultipleChoiceField(
        label=_("Protection committees (LPCs) supported"),
        queryset=LPC.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observations = forms.CharField(
        label=_("Observations"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    categories = forms.MultipleChoiceField(
        label=_("Risks observed"),
        choices=CATEGORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RISK_FACTOR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    alert_text = forms.CharField(
        label=_("What is happening"),
        required=False,
        max_length=ALERT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Something that cannot wait (a threat, a worrying rumour)? Write it here: it goes "
            "straight to the analysts' queue."
        ),
    )
    alert_location = PlaceChoiceField(
        label=_("Place of the alert"),
        queryset=Location.objects.none(),
        required=False,
        help_text=_("Leave empty to use the place visited, or let triage find it."),
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        places = places_for(user)
        self.fields["places"].queryset = places
        self.fields["alert_location"].queryset = places
        self.fields["networks"].queryset = Network.objects.exclude(
            status=Network.Status.CLOSED
        ).order_by("name")
        self.fields["lpcs"].queryset = LPC.objects.exclude(status=LPC.Status.DISSOLVED).order_by(
            "name"
        )
        if editing:
            for name in ("idempotency_key", "alert_text", "alert_location"):
                del self.fields[name]
        elif not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean_organisations_met(self) -> str:
        return self.cleaned_data["organisations_met"].strip()


class RecruitForm(forms.Form):
    """One person recruited: a number already registered links to its focal point."""

    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    consent = forms.BooleanField(
        label=_("Agreed to be registered and to be called back"), required=False
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=FocalPoint.Gender.choices, initial=FocalPoint.Gender.UNDISCLOSED
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=FocalPoint.AgeBand.choices, initial=FocalPoint.AgeBand.UNKNOWN
    )
    role = forms.ChoiceField(
        label=_("Role in the community"),
        choices=FocalPoint.Role.choices,
        initial=FocalPoint.Role.OTHER,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=FocalPoint.Language.choices, initial=FocalPoint.Language.FRENCH
    )
    home_location = PlaceChoiceField(
        label=_("Lives in"), queryset=Location.objects.none(), required=False
    )
    network = forms.ModelChoiceField(
        label=_("Joins the network"), queryset=Network.objects.none(), required=False
    )
    kit = forms.MultipleChoiceField(
        label=_("Equipment handed out"),
        choices=KIT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    airtime = forms.DecimalField(
        label=_("Airtime given (USD)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_location"].queryset = places_for(user)
        self.fields["network"].queryset = Network.objects.exclude(
            status=Network.Status.CLOSED
        ).order_by("name")

    def clean(self) -> dict:
        cleaned = super().clean()
        raw = cleaned.get("phone")
        if not raw:
            return cleaned
        numbers, errors = phones_normalise(phone=raw)
        if errors:
            self.add_error("phone", errors["phone"])
            return cleaned
        cleaned["phone"] = numbers["phone"]
        if focal_point_by_phone(numbers["phone"]) is None:
            # Someone new: they must be named and have agreed to be registered.
            if not (cleaned.get("name") or "").strip():
                self.add_error("name", _("A new focal point needs a name."))
            if not cleaned.get("consent"):
                self.add_error("consent", _("A new focal point must have agreed to be registered."))
        return cleaned

    def as_data(self) -> RecruitData:
        data = self.cleaned_data
        kit = [EquipmentData(kind=kind) for kind in data.get("kit") or []]
        if data.get("airtime"):
            kit.append(EquipmentData(kind=Equipment.Kind.AIRTIME, amount=data["airtime"]))
        return RecruitData(
            phone=data["phone"],
            name=(data.get("name") or "").strip(),
            consent=bool(data.get("consent")),
            language=data["language"],
            gender=data["gender"],
            age_band=data["age_band"],
            role=data["role"],
            home_location=data.get("home_location"),
            network=data.get("network"),
            equipment=tuple(kit),
        )


class BaseRecruitFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            phone = form.cleaned_data.get("phone") if form.has_changed() else None
            if phone and phone in seen:
                form.add_error("phone", _("This number is already among the recruits."))
            if phone:
                seen.add(phone)

    def as_data(self) -> list[RecruitData]:
        return [f.as_data() for f in self.forms if f.has_changed() and f.cleaned_data]


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("What to do"), max_length=500)
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class BaseFollowUpFormSet(forms.BaseFormSet):
    def as_data(self) -> list[FollowUpData]:
        return [
            FollowUpData(description=f.cleaned_data["description"], due_on=f.cleaned_data["due_on"])
            for f in self.forms
            if f.has_changed() and f.cleaned_data
        ]


RecruitFormSet = forms.formset_factory(
    RecruitForm,
    formset=BaseRecruitFormSet,
    extra=1,
    max_num=MAX_RECRUITS_PER_VISIT,
    validate_max=True,
    absolute_max=MAX_RECRUITS_PER_VISIT,
)
FollowUpFormSet = forms.formset_factory(
    FollowUpForm,
    formset=BaseFollowUpFormSet,
    extra=1,
    max_num=MAX_FOLLOW_UPS_PER_VISIT,
    validate_max=True,
    absolute_max=MAX_FOLLOW_UPS_PER_VISIT,
)


class AlertForm(forms.Form):
    text = forms.CharField(
        label=_("What is happening?"),
        max_length=ALERT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    location = PlaceChoiceField(
        label=_("Place"),
        queryset=Location.objects.none(),
        required=False,
        help_text=_("Leave empty to use the place visited, or let triage find it."),
    )

    def __init__(self, *args, visit: FieldVisit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = (
            Location.objects.filter(pk__in=visit.places.values("pk"))
            .select_related("parent")
            .order_by("name")
        )


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], required=False)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month is not None and not CALENDAR_YEARS[0] <= month.year <= CALENDAR_YEARS[1]:
            raise ValidationError(
                _("Choose a month between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": CALENDAR_YEARS[0], "last": CALENDAR_YEARS[1]},
            )
        return month


class SuccessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class HandoverForm(forms.Form):
    """Whom a CLA's work goes to, and a note kept with the handover. The key, made when the
    form is shown, keeps a form sent twice from recording two handovers."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    to_cla = SuccessorChoiceField(
        label=_("Successor"), queryset=User.objects.none(), empty_label=_("Choose…")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_HANDOVER_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why, and what the successor should know first."),
    )

    def __init__(self, *args, outgoing: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_cla"].queryset = cla_users().exclude(pk=outgoing.pk)
