"""Admin of triage's own data: the analysts' profiles (areas, duty, number for notices)."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.roles import can
from core.taxonomy import RISK_FACTOR_CHOICES_NUMBERED
from networks.phones import normalise_phone

from .constants import SIGNAL_LABELS
from .engine.lexicon import SIGNALS
from .models import AnalystProfile, LexiconTerm


class AnalystProfileForm(forms.ModelForm):
    class Meta:
        model = AnalystProfile
        fields = ("user", "areas", "on_duty", "phone", "language")
        widgets = {"phone": forms.TextInput(attrs={"placeholder": "+243991234567"})}

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip()
        return normalise_phone(phone) if phone else ""


@admin.register(AnalystProfile)
class AnalystProfileAdmin(admin.ModelAdmin):
    """Who covers which territories and who is on duty: supervisors and admins keep the roster
    (an analyst switches their own duty on the dashboard). The numbers are staff's own."""

    form = AnalystProfileForm
    list_display = ("user", "on_duty", "territories", "has_phone", "language", "last_assigned_at")
    list_filter = ("on_duty", "language", "areas")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    filter_horizontal = ("areas",)
    autocomplete_fields = ("user",)
    readonly_fields = ("last_assigned_at",)
    ordering = ("user__username",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user").prefetch_related("areas")

    def _may(self, request: HttpRequest) -> bool:
        return can(request.user, "supervise")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request) and super().has_delete_permission(request, obj)

    @admin.display(description=_("territories"))
    def territories(self, obj: AnalystProfile) -> str:
        return ", ".join(area.name for area in obj.areas.all())

    @admin.display(boolean=True, description=_("number for notices"))
    def has_phone(self, obj: AnalystProfile) -> bool:
        return bool(obj.phone)


class LexiconTermForm(forms.ModelForm):
    risk_factors = forms.MultipleChoiceField(
        label=_("risk factors"),
        choices=RISK_FACTOR_CHOICES_NUMBERED,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    signals = forms.MultipleChoiceField(
        label=_("signals"),
        choices=[(signal, SIGNAL_LABELS.get(signal, signal)) for signal in sorted(SIGNALS)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = LexiconTerm
        fields = [
            "term",
            "language",
            "category",
            "weight",
            "risk_factors",
            "signals",
            "active",
            "note",
        ]


@admin.register(LexiconTerm)
class LexiconTermAdmin(admin.ModelAdmin):
    """Terms added here join the YAML lexicons in every worker within a few minutes."""

    form = LexiconTermForm
    list_display = ["term", "language", "category", "weight", "active", "created_by", "updated_at"]
    list_filter = ["language", "category", "active"]
    search_fields = ["term", "note"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
