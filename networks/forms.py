"""Forms of the networks admin. Validation that is business logic stays in services."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .constants import CSV_IMPORT_MAX_BYTES
from .models import Equipment, FocalPoint, Membership, Network
from .services import focal_point_set_phones, membership_check


class FocalPointAdminForm(forms.ModelForm):
    class Meta:
        model = FocalPoint
        fields = (
            "name",
            "phone",
            "phone_alt",
            "language",
            "gender",
            "age_band",
            "role",
            "home_location",
            "consent_at",
            "active",
            "opted_out_at",
            "discreet",
            "notes",
        )
        widgets = {
            "name": forms.TextInput(attrs={"size": 40}),
            "phone": forms.TextInput(attrs={"placeholder": "+243991234567"}),
            "phone_alt": forms.TextInput(),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        # Users who may not see identities get the form without the phone fields.
        if "phone" not in self.fields or cleaned.get("phone") is None:
            return cleaned
        try:
            focal_point_set_phones(
                focal_point=self.instance,
                phone=cleaned["phone"],
                phone_alt=cleaned.get("phone_alt") or "",
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
            return cleaned
        # The instance is rebuilt from cleaned_data after clean(): keep the normalised numbers.
        cleaned["phone"] = self.instance.phone
        cleaned["phone_alt"] = self.instance.phone_alt
        return cleaned


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's errors on the form's own fields, the rest above the form."""
    for field, errors in exc.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)


class MembershipAdminForm(forms.ModelForm):
    """A membership on its own page: its period may not overlap another of the same network."""

    class Meta:
        model = Membership
        fields = ("focal_point", "network", "joined_on", "left_on", "left_reason")

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = Membership(
            pk=self.instance.pk,
            focal_point=cleaned["focal_point"],
            network=cleaned["network"],
            joined_on=cleaned["joined_on"],
            left_on=cleaned.get("left_on"),
        )
        try:
            membership_check(membership=candidate)
        except ValidationError as exc:
            _add_errors(self, exc)
        return cleaned


class MembershipInlineFormSet(BaseInlineFormSet):
    """Memberships edited together: each changed row is checked against the saved ones and
    against the other rows of the form, since they are saved one after the other."""

    def clean(self) -> None:
        super().clean()
        rows = [
            form
            for form in self.forms
            if form.is_valid() and form.cleaned_data and not self._should_delete_form(form)
        ]
        alongside = [form.instance for form in rows]
        for form in rows:
            if not form.has_changed():
                continue
            try:
                membership_check(membership=form.instance, alongside=alongside)
            except ValidationError as exc:
                _add_errors(form, exc)


class NetworkAdminForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = (
            "name",
            "code",
            "base",
            "area",
            "cla",
            "status",
            "started_on",
            "dormant_since",
            "closed_on",
            "discreet",
            "notes",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == Network.Status.CLOSED and not cleaned.get("closed_on"):
            self.add_error("closed_on", _("A closed network needs the date it closed."))
        if cleaned.get("status") == Network.Status.DORMANT and not cleaned.get("dormant_since"):
            self.add_error("dormant_since", _("A dormant network needs the date it went quiet."))
        return cleaned


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = (
            "focal_point",
            "kind",
            "given_on",
            "amount",
            "currency",
            "serial",
            "given_by",
            "notes",
        )
        widgets = {"serial": forms.TextInput()}

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == Equipment.Kind.AIRTIME and not cleaned.get("amount"):
            self.add_error("amount", _("An airtime top-up needs its amount."))
        return cleaned


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Interpolated per request, so the text follows the user's language.
        self.fields["file"].help_text = _(
            "UTF-8 or Latin-1, separated by ; or , — at most %(mb)s MB."
        ) % {"mb": CSV_IMPORT_MAX_BYTES // (1024 * 1024)}
