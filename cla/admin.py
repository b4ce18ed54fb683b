"""Admin of CLA profiles, field visits and follow-ups.

Visits are recorded from the field pages or the API, through the services that register
recruits and raise alerts; here they are read, and follow-ups can be closed.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .constants import LANGUAGE_CHOICES, MAX_ID
from .models import CLAHandover, CLAProfile, FieldVisit, FollowUp, Recruitment, VisitAlert
from .services import follow_up_mark_done


class NulSafeSearch:
    """PostgreSQL cannot compare text holding a NUL character: such a search finds nothing."""

    def get_search_results(self, request, queryset, search_term):
        if "\x00" in (search_term or ""):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class CheckedSelection:
    """An action runs only on ids the database can hold: a forged selection ("abc", a number
    beyond 64 bits) gets a message instead of a 500 from the admin's own filter."""

    def response_action(self, request: HttpRequest, queryset: QuerySet):
        field = forms.IntegerField(min_value=1, max_value=MAX_ID)
        try:
            for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                field.clean(pk)
        except ValidationError:
            messages.error(request, _("Nothing was done: the selection is not valid."))
            return None
        return super().response_action(request, queryset)


class FollowUpAdminForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ("description", "due_on")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        visited_on = self.instance.visit.visited_on
        if due_on < visited_on:
            raise ValidationError(
                _("A follow-up cannot be due before the visit (%(date)s)."),
                code="before_visit",
                params={"date": visited_on},
            )
        return due_on


class CLAProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CLAProfile
        fields = ("user", "base", "languages", "assigned_places", "notes")


@admin.register(CLAProfile)
class CLAProfileAdmin(NulSafeSearch, admin.ModelAdmin):
    form = CLAProfileForm
    list_display = ("user", "base", "languages_spoken")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("base",)
    filter_horizontal = ("assigned_places",)
    list_select_related = ("user", "base")

    @admin.display(description=_("languages"))
    def languages_spoken(self, profile: CLAProfile) -> str:
        return ", ".join(profile.languages)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RecruitmentInline(ReadOnlyInline):
    # The focal point by number only: names stay in the networks admin, masked by role there.
    model = Recruitment
    fields = ("focal_point", "created", "network")
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ("description", "due_on", "assigned_to", "done_at", "done_by")
    readonly_fields = fields


class VisitAlertInline(ReadOnlyInline):
    model = VisitAlert
    fields = ("alert",)
    readonly_fields = fields


@admin.register(FieldVisit)
class FieldVisitAdmin(NulSafeSearch, admin.ModelAdmin):
    list_display = ("visited_on", "cla", "purpose", "people", "places_visited")
    list_filter = ("purpose", "visited_on", "cla")
    search_fields = ("cla__username", "places__name", "observations")
    date_hierarchy = "visited_on"
    list_select_related = ("cla",)
    inlines = (RecruitmentInline, FollowUpInline, VisitAlertInline)
    readonly_fields = ("idempotency_key", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[FieldVisit]:
        return super().get_queryset(request).prefetch_related("places")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded from the field pages or the API, which register recruits

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("people met"))
    def people(self, visit: FieldVisit) -> int:
        return visit.people_met

    @admin.display(description=_("places visited"))
    def places_visited(self, visit: FieldVisit) -> str:
        return ", ".join(place.name for place in visit.places.all())


@admin.register(FollowUp)
class FollowUpAdmin(CheckedSelection, NulSafeSearch, admin.ModelAdmin):
    form = FollowUpAdminForm
    list_display = ("description", "due_on", "done_at", "visit", "assigned_to")
    list_filter = (("done_at", admin.EmptyFieldListFilter), "due_on")
    search_fields = ("description",)
    list_select_related = ("visit", "assigned_to")
    actions = ("mark_done",)
    # Follow-ups change hands through a CLA handover (cla.succession), which records it.
    readonly_fields = ("visit", "assigned_to", "done_at", "done_by", "created_at")
    fields = ("visit", "description", "due_on", "assigned_to", "done_at", "done_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a follow-up belongs to a visit and is created with it

    @admin.action(description=_("Mark the selected follow-ups done"))
    def mark_done(self, request: HttpRequest, queryset: QuerySet[FollowUp]) -> None:
        done = 0
        for follow_up in queryset.filter(done_at__isnull=True):
            follow_up_mark_done(follow_up=follow_up, by=request.user)
            done += 1
        messages.success(
            request,
            ngettext("%(n)d follow-up marked done.", "%(n)d follow-ups marked done.", done)
            % {"n": done},
        )


@admin.register(CLAHandover)
class CLAHandoverAdmin(admin.ModelAdmin):
    """The history of handovers, read only: they are made from a CLA's page or the API."""

    list_display = (
        "at",
        "from_cla",
        "to_cla",
        "by",
        "lpc_count",
        "network_count",
        "place_count",
        "follow_up_count",
    )
    list_filter = ("at",)
    list_select_related = ("from_cla", "to_cla", "by")
    date_hierarchy = "at"
    fields = (
        "at",
        "from_cla",
        "to_cla",
        "by",
        "note",
        "lpc_count",
        "network_count",
        "place_count",
        "follow_up_count",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
