"""Forms of the complaint pages: a complaint (conduct staff, or a CLA for a member) and a member."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from networks.models import FocalPoint, Location
from networks.phones import normalise_phone

from . import selectors
from .models import CbcmMember

TEXT_MAX = 5000


class ComplaintForm(forms.Form):
    text = forms.CharField(
        label=_("The complaint"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, where and when, as the person told it."),
    )
    location = forms.ModelChoiceField(label=_("Place"), queryset=Location.objects.none())
    member = forms.ModelChoiceField(
        label=_("CBCM member who brought it"),
        queryset=CbcmMember.objects.none(),
        required=False,
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = selectors.places()
        if members is None:  # who may not read the registry does not choose from it
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members
            self.fields["member"].label_from_instance = lambda m: f"{m.name} ({m.location})"

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Write the complaint."))
        return text


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=FocalPoint.Gender.choices)
    location = forms.ModelChoiceField(label=_("Community"), queryset=Location.objects.none())
    elected_on = forms.DateField(
        label=_("Elected on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = selectors.places()
        self.fields["gender"].initial = FocalPoint.Gender.UNDISCLOSED

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""
