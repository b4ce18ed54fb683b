"""Admin of committees, members, meetings (with their action points) and meeting alerts.

The rules of lpc.permissions apply here too: a CLA changes only the committees they work with,
names are masked for roles that may not see them, and the group a member represents is shown
only to those who may see it.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.roles import mask_name

from . import permissions as rules
from .forms import MEETING_FORM_FIELDS
from .models import LPC, ActionPoint, LPCMeeting, LPCMember, MeetingAlert
from .services import action_point_done_on, action_points_follow_meeting

GROUP_FIELDS = ("group", "community_name")


def _lpc_of(obj) -> LPC | None:
    if isinstance(obj, LPC):
        return obj
    if isinstance(obj, LPCMember | LPCMeeting):
        return obj.lpc
    if isinstance(obj, ActionPoint | MeetingAlert):
        return obj.meeting.lpc
    return None


class CommitteeEditors:
    """The model permission first, then the committee's own rule for a given object."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        lpc = _lpc_of(obj)
        return allowed and (lpc is None or rules.can_edit_lpc(request.user, lpc))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        lpc = _lpc_of(obj)
        return allowed and (lpc is None or rules.can_edit_lpc(request.user, lpc))


@admin.register(LPC)
class LPCAdmin(CommitteeEditors, admin.ModelAdmin):
    list_display = ("name", "kind", "status", "founded_on", "cla", "funding_source")
    list_filter = ("status", "kind", "founded_on")
    search_fields = ("name", "places__name", "funding_source")
    filter_horizontal = ("places",)
    list_select_related = ("cla",)


@admin.register(LPCMember)
class LPCMemberAdmin(CommitteeEditors, admin.ModelAdmin):
    list_filter = ("role", "gender", "age_band", "lpc")
    search_fields = ("lpc__name",)  # names are encrypted: SQL cannot search them
    list_select_related = ("lpc",)

    def get_list_display(self, request: HttpRequest):
        name = "name" if rules.can_see_member_names(request.user) else "masked_name"
        return (name, "lpc", "role", "gender", "age_band", "joined_on", "left_on")

    def get_list_display_links(self, request, list_display):
        return (list_display[0],)

    @admin.display(description=_("name"))
    def masked_name(self, obj: LPCMember) -> str:
        return mask_name(obj.name)

    def get_fields(self, request: HttpRequest, obj=None):
        fields = ["lpc", "name", "role", "gender", "age_band", *GROUP_FIELDS, "joined_on"]
        fields.append("left_on")
        if not rules.can_see_member_names(request.user):
            fields[fields.index("name")] = "masked_name"
        if obj is not None and not rules.can_see_member_groups(request.user, obj.lpc):
            fields = [f for f in fields if f not in GROUP_FIELDS]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ("masked_name",) if not rules.can_see_member_names(request.user) else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lpc":
            kwargs["queryset"] = rules.lpcs_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ActionPointInlineForm(forms.ModelForm):
    """As on the meeting pages, a point marked done without a date is done today."""

    class Meta:
        model = ActionPoint
        fields = ("description", "owner", "due_on", "status", "follow_up", "done_on")

    def clean(self) -> dict:
        cleaned = super().clean()
        held_on = self.instance.meeting.held_on if self.instance.meeting_id else None
        cleaned["done_on"] = action_point_done_on(
            status=cleaned.get("status", ""), done_on=cleaned.get("done_on"), opened_on=held_on
        )
        return cleaned


class ActionPointInlineFormSet(BaseInlineFormSet):
    """No point due or done before its meeting: checked here, where the meeting's (new) date
    is known, rather than by the database on saving."""

    def clean(self) -> None:
        super().clean()
        held_on = self.instance.held_on
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not held_on or not data or data.get("DELETE"):
                continue
            if data.get("due_on") and data["due_on"] < held_on:
                form.add_error("due_on", _("The due date cannot be before the meeting."))
            if data.get("done_on") and data["done_on"] < held_on:
                form.add_error("done_on", _("An action point cannot be done before the meeting."))


class ActionPointInline(admin.TabularInline):
    model = ActionPoint
    form = ActionPointInlineForm
    formset = ActionPointInlineFormSet
    fields = ("description", "owner", "due_on", "status", "follow_up", "done_on")
    extra = 0


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = LPCMeeting
        fields = ("lpc", *MEETING_FORM_FIELDS)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if self.instance.pk and held_on:
            early = self.instance.action_points.filter(
                Q(due_on__lt=held_on) | Q(done_on__lt=held_on)
            ).exists()
            if early:
                raise ValidationError(
                    _("An action point of this meeting is due (or done) before that date."),
                    code="due_before_meeting",
                )
        return held_on


@admin.register(LPCMeeting)
class LPCMeetingAdmin(CommitteeEditors, admin.ModelAdmin):
    form = MeetingAdminForm
    list_display = ("held_on", "lpc", "place", "attendance_total")
    list_filter = ("held_on", "lpc")
    search_fields = ("lpc__name", "place__name")
    date_hierarchy = "held_on"
    list_select_related = ("lpc", "place")
    autocomplete_fields = ("place",)
    filter_horizontal = ("members_present",)
    inlines = [ActionPointInline]
    readonly_fields = ("recorded_by",)

    @admin.display(description=_("attendance"))
    def attendance_total(self, obj: LPCMeeting) -> int:
        return obj.attendance_total

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lpc":
            kwargs["queryset"] = rules.lpcs_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: LPCMeeting, form, change) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        action_points_follow_meeting(meeting=obj)

    def save_formset(self, request, form, formset, change) -> None:
        for point in formset.save(commit=False):
            point.opened_on = point.meeting.held_on
            point.done_on = action_point_done_on(
                status=point.status, done_on=point.done_on, opened_on=point.opened_on
            )
            point.save()
        formset.save_m2m()


@admin.register(MeetingAlert)
class MeetingAlertAdmin(admin.ModelAdmin):
    list_display = ("alert", "meeting", "raised_by", "raised_at")
    list_select_related = ("alert", "meeting__lpc", "raised_by")
    list_filter = ("raised_at",)
    search_fields = ("meeting__lpc__name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # alerts are raised from a meeting's page, through triage

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
