"""Admin of places, networks, focal points, memberships and equipment.

Two rules apply everywhere here: only membership editors change anything (core.roles), and
names, numbers, serials and notes are shown in clear only for the focal points
networks.identities allows (within the user's scope, and not past the hourly limit on bulk
reads); the others are masked. Each page decides once what it shows, when it knows who is on it,
and the columns read that decision when the page is drawn.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.roles import (
    CLA,
    can,
    can_edit_membership,
    can_see_identity,
    mask_name,
    mask_phone,
)

from .admin_filters import (
    AtRiskFilter,
    HomeTerritoryFilter,
    MembershipOpenFilter,
    NetworkMemberFilter,
    NulSafeFilters,
    OptedOutFilter,
    ProvinceFilter,
    TargetTypeFilter,
    TerritoryFilter,
    target_type_label,
)
from .audit import (
    FOCAL_POINT,
    Action,
    audit_entry_list,
    audit_export_record,
    audit_record,
)
from .constants import CSV_COLUMNS, CSV_IMPORT_MAX_BYTES, CSV_REQUIRED_COLUMNS, MAX_ID
from .csv_io import focal_points_export, focal_points_import
from .forms import (
    CsvImportForm,
    EquipmentForm,
    FocalPointAdminForm,
    MembershipAdminForm,
    MembershipInlineFormSet,
    NetworkAdminForm,
)
from .identities import Reveal, identities_reveal
from .models import AuditEntry, Equipment, FocalPoint, Location, Membership, Network
from .selectors import focal_point_list, focal_point_search, location_search, network_list
from .services import (
    focal_point_clear_at_risk,
    focal_point_mark_at_risk,
    membership_correct,
    membership_end,
    membership_record,
)


class EditorsOnly:
    """Everyone with the model's view permission may look; only membership editors change."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return can_edit_membership(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_edit_membership(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_edit_membership(request.user) and super().has_delete_permission(request, obj)


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


class HistoryKept(EditorsOnly):
    """Memberships are history: ending one sets `left_on`, nothing is ever deleted."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# What this request's page may show in clear (a Reveal), set once the page knows who is on it.
_SHOWN_ATTRIBUTE = "kengele_identities_shown"


def _shown(request: HttpRequest) -> Reveal:
    return getattr(request, _SHOWN_ATTRIBUTE, Reveal())


def _reveal(request: HttpRequest, focal_point_ids, where: str, **details) -> Reveal:
    """Decide (and record) whose names and numbers this page shows in clear; a page refused
    for the hourly limit says so."""
    shown = identities_reveal(
        request=request, focal_point_ids=list(focal_point_ids), where=where, **details
    )
    setattr(request, _SHOWN_ATTRIBUTE, shown)
    if shown.refused:
        messages.warning(
            request,
            _(
                "Names and numbers are masked: you have read many within the hour, and bulk "
                "reading is refused to protect focal points. Supervisors are told."
            ),
        )
    return shown


def _person_column(request: HttpRequest):
    """A 'name' column for membership rows, clear or masked as the page decided.

    A closure rather than a method: admin instances are shared between requests, so the
    user cannot be kept on them. Memoised on the request so fields and readonly_fields agree.
    """
    column = getattr(request, "kengele_person_column", None)
    if column is None:

        @admin.display(description=_("name"))
        def person(obj: Membership) -> str:
            if not obj.focal_point_id:
                return ""
            name = obj.focal_point.name
            return name if obj.focal_point_id in _shown(request) else mask_name(name)

        column = request.kengele_person_column = person
    return column


def _identity_columns(request: HttpRequest):
    """The focal point list's name and phone columns, clear or masked per row as the page
    decided (closures, for the reason _person_column gives)."""
    columns = getattr(request, "kengele_identity_columns", None)
    if columns is None:

        @admin.display(description=_("name"))
        def person_name(obj: FocalPoint) -> str:
            return obj.name if obj.pk in _shown(request) else mask_name(obj.name)

        @admin.display(description=_("phone"))
        def person_phone(obj: FocalPoint) -> str:
            return obj.phone if obj.pk in _shown(request) else mask_phone(obj.phone)

        columns = request.kengele_identity_columns = (person_name, person_phone)
    return columns


def _save_memberships(request: HttpRequest, formset) -> None:
    """New rows are recorded with their own dates; edits of existing rows correct history.

    MembershipInlineFormSet has already checked the periods, so the service's own check passes.
    """
    changed = {form.instance: form.changed_data for form in formset.forms if form.instance.pk}
    for membership in formset.save(commit=False):
        if membership.pk:
            membership_correct(
                membership=membership, by=request.user, fields=changed.get(membership, ())
            )
            continue
        membership_record(
            focal_point=membership.focal_point,
            network=membership.network,
            joined_on=membership.joined_on,
            left_on=membership.left_on,
            reason=membership.left_reason,
            by=request.user,
        )


def _reveal_listed(request: HttpRequest, response, where: str, focal_point_id) -> None:
    """Decide whose identities a changelist page shows, now that its rows are known."""
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    if changelist is not None:
        _reveal(request, [focal_point_id(obj) for obj in changelist.result_list], where)


# --- Places ----------------------------------------------------------------------------------


@admin.register(Location)
class LocationAdmin(NulSafeFilters, CheckedSelection, EditorsOnly, admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "alternates", "latitude", "longitude")
    list_filter = ("kind", ProvinceFilter, TerritoryFilter)
    list_select_related = ("parent",)
    search_fields = ("name",)
    search_help_text = _("Name or another spelling, with or without accents.")
    autocomplete_fields = ("parent",)
    list_per_page = 100

    @admin.display(description=_("alternate names"))
    def alternates(self, obj: Location) -> str:
        return ", ".join(obj.alternate_names or [])

    def get_search_results(self, request, queryset, search_term):
        # Alternate names are a JSON list and accents vary: matched in Python, not SQL.
        return location_search(queryset, search_term), False


# --- Networks --------------------------------------------------------------------------------


class NetworkMembershipInline(HistoryKept, admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    fk_name = "network"
    extra = 0
    raw_id_fields = ("focal_point",)
    verbose_name_plural = _("members (current and past)")

    def get_fields(self, request, obj=None):
        return ("focal_point", _person_column(request), "joined_on", "left_on", "left_reason")

    def get_readonly_fields(self, request, obj=None):
        return (_person_column(request),)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("focal_point")


@admin.register(Network)
class NetworkAdmin(NulSafeFilters, CheckedSelection, EditorsOnly, admin.ModelAdmin):
    form = NetworkAdminForm
    list_display = (
        "name",
        "code",
        "status",
        "base",
        "cla",
        "open_members",
        "started_on",
        "discreet",
    )
    list_filter = ("status", "discreet")
    search_fields = ("name", "code")
    filter_horizontal = ("area",)
    autocomplete_fields = ("base",)
    inlines = (NetworkMembershipInline,)
    fieldsets = (
        (None, {"fields": ("name", "code", "base", "area", "cla")}),
        (_("Status"), {"fields": ("status", "started_on", "dormant_since", "closed_on")}),
        (_("SMS wording"), {"fields": ("discreet",)}),
        (_("Notes"), {"fields": ("notes",)}),
    )

    def get_queryset(self, request):
        return network_list()

    @admin.display(description=_("current members"), ordering="open_members")
    def open_members(self, obj: Network) -> int:
        return obj.open_members

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cla":
            kwargs["queryset"] = get_user_model().objects.filter(groups__name=CLA).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            _save_memberships(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = (getattr(response, "context_data", None) or {}).get("original")
        if shown is not None:  # the members inline shows every member's name, past and present
            _reveal(
                request,
                shown.memberships.values_list("focal_point_id", flat=True),
                "admin_network_members",
                network=shown.pk,
            )
        return response


# --- Focal points ----------------------------------------------------------------------------


class FocalPointMembershipInline(HistoryKept, admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    fk_name = "focal_point"
    extra = 0
    fields = ("network", "joined_on", "left_on", "left_reason")
    verbose_name_plural = _("networks (current and past)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("network")


class EquipmentInline(EditorsOnly, admin.TabularInline):
    model = Equipment
    form = EquipmentForm
    extra = 0
    readonly_fields = ("given_by",)

    def get_fields(self, request, obj=None):
        fields = ["kind", "given_on", "amount", "currency", "serial", "given_by", "notes"]
        # A SIM number is a phone number: in clear only as the page decided (a new focal
        # point's blank form: for those who may read identities).
        clear = can_see_identity(request.user) if obj is None else obj.pk in _shown(request)
        if not clear:
            fields.remove("serial")
        return fields


IDENTITY_FIELDS = ("name", "phone", "phone_alt")
MASKED_FIELDS = ("masked_name", "masked_phone", "masked_phone_alt")


@admin.register(FocalPoint)
class FocalPointAdmin(NulSafeFilters, CheckedSelection, EditorsOnly, admin.ModelAdmin):
    form = FocalPointAdminForm
    list_filter = (
        "language",
        "gender",
        "role",
        "active",
        OptedOutFilter,
        "discreet",
        AtRiskFilter,
        HomeTerritoryFilter,
        NetworkMemberFilter,
    )
    # Shown for the search box; the search itself is get_search_results (encrypted columns).
    search_fields = ("home_location__name",)
    search_help_text = _("Name (any part, accents ignored), phone number or home place.")
    autocomplete_fields = ("home_location",)
    readonly_fields = ("created_at", "updated_at", "at_risk_status")
    inlines = (FocalPointMembershipInline, EquipmentInline)
    actions = ("export_csv", "mark_at_risk", "clear_at_risk")
    list_per_page = 50

    def get_queryset(self, request):
        return focal_point_list()

    # Masked identity fields, for a page that may not show them in clear.
    @admin.display(description=_("name"))
    def masked_name(self, obj: FocalPoint) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: FocalPoint) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("second phone"))
    def masked_phone_alt(self, obj: FocalPoint) -> str:
        return mask_phone(obj.phone_alt)

    @admin.display(description=_("networks"))
    def network_codes(self, obj: FocalPoint) -> str:
        return ", ".join(sorted(m.network.code for m in obj.open_memberships))

    @admin.display(description=_("opted out"), boolean=True)
    def is_opted_out(self, obj: FocalPoint) -> bool:
        return obj.opted_out

    @admin.display(description=_("at risk since"), ordering="at_risk_since")
    def at_risk_column(self, obj: FocalPoint) -> str:
        if obj.at_risk_since is None:
            return ""
        return date_format(timezone.localtime(obj.at_risk_since), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("at risk"))
    def at_risk_status(self, obj: FocalPoint) -> str:
        """When and by whom or what they were marked at risk, or that they are not."""
        if obj.at_risk_since is None:
            return gettext("No")
        marked_by = obj.at_risk_marked_by
        by = (
            (marked_by.get_full_name() or marked_by.get_username())
            if marked_by
            else gettext("triage")
        )
        if obj.at_risk_reason:
            by = f"{by} ({obj.at_risk_reason})"
        return gettext(
            "Since %(since)s, marked by %(by)s. Broadcasts to this person are paused until a "
            "supervisor clears it."
        ) % {
            "since": date_format(timezone.localtime(obj.at_risk_since), "DATETIME_FORMAT"),
            "by": by,
        }

    def has_supervise_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "supervise")

    @admin.action(
        description=_("Mark the selected focal points at risk (pauses broadcasts)"),
        permissions=["supervise"],
    )
    def mark_at_risk(self, request: HttpRequest, queryset: QuerySet) -> None:
        marked = sum(
            focal_point_mark_at_risk(focal_point=person, by=request.user, reason="")
            for person in queryset
        )
        messages.success(
            request,
            ngettext(
                "%(count)d focal point marked at risk.",
                "%(count)d focal points marked at risk.",
                marked,
            )
            % {"count": marked},
        )

    @admin.action(
        description=_("Clear the at-risk mark of the selected focal points"),
        permissions=["supervise"],
    )
    def clear_at_risk(self, request: HttpRequest, queryset: QuerySet) -> None:
        cleared = sum(
            focal_point_clear_at_risk(focal_point=person, by=request.user) for person in queryset
        )
        messages.success(
            request,
            ngettext(
                "%(count)d focal point is no longer at risk: broadcasts reach them again.",
                "%(count)d focal points are no longer at risk: broadcasts reach them again.",
                cleared,
            )
            % {"count": cleared},
        )

    def get_list_display(self, request):
        identity = _identity_columns(request)
        if not can_see_identity(request.user):
            identity = ("masked_name", "masked_phone")
        return (
            "id",
            *identity,
            "language",
            "gender",
            "role",
            "home_location",
            "network_codes",
            "active",
            "is_opted_out",
            "discreet",
            "at_risk_column",
        )

    def get_list_display_links(self, request, list_display):
        return ("id",)

    def _in_clear(self, request, obj) -> bool:
        """A new focal point's form is blank: in clear for those who may read identities."""
        if obj is None:
            return can_see_identity(request.user)
        return obj.pk in _shown(request)

    def get_fieldsets(self, request, obj=None):
        clear = self._in_clear(request, obj)
        identity = IDENTITY_FIELDS if clear else MASKED_FIELDS
        fieldsets = [
            (_("Identity"), {"fields": identity}),
            (_("Profile"), {"fields": ("language", "gender", "age_band", "role", "home_location")}),
            (_("Status"), {"fields": ("consent_at", "active", "opted_out_at")}),
            (_("Safety"), {"fields": ("discreet", "at_risk_status")}),
        ]
        if clear:
            fieldsets.append((_("Notes"), {"fields": ("notes",)}))
        if obj is not None:
            fieldsets.append((_("Record"), {"fields": ("created_at", "updated_at")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self._in_clear(request, obj):
            readonly += MASKED_FIELDS
        return readonly

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        places = location_search(Location.objects.all(), term)
        found = queryset.filter(home_location__in=places)
        # Searching names or numbers would tell a masked user who is in the network.
        if can_see_identity(request.user):
            people = focal_point_search(queryset, term)
            found = queryset.filter(pk__in=people.values("pk")) | found
        return found, False

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            _save_memberships(request, formset)
            return
        if formset.model is Equipment:
            for item in formset.save(commit=False):
                item.given_by = item.given_by or request.user
                item.save()
            return
        super().save_formset(request, form, formset, change)

    # --- CSV import and export ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="networks_focalpoint_import"),
            path("export/", view(self.export_view), name="networks_focalpoint_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_add_permission(request)}
        response = super().changelist_view(request, extra_context)
        _reveal_listed(request, response, "admin_focal_point_list", lambda person: person.pk)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Decided before the form is built: its fields depend on it.
        person = self.get_object(request, object_id)
        if person is not None:
            _reveal(request, [person.pk], "admin_focal_point")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=Action.FOCAL_POINT_CHANGED,
            target_type=FOCAL_POINT,
            target_ids=[obj.pk],
            # Field names only: the values are what the trail must never hold.
            details={"change": "changed" if change else "created", "fields": form.changed_data},
            request=request,
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = focal_points_import(file=form.cleaned_data["file"], by=request.user)
            if result.ok:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d focal point imported.",
                        "%(count)d focal points imported.",
                        result.created,
                    )
                    % {"count": result.created},
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("admin:networks_focalpoint_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import focal points from a CSV file"),
            "form": form,
            "result": result,
            "columns": CSV_COLUMNS,
            "required_columns": CSV_REQUIRED_COLUMNS,
            "max_mb": CSV_IMPORT_MAX_BYTES // (1024 * 1024),
        }
        return TemplateResponse(request, "admin/networks/focalpoint/import_csv.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        # The changelist's own filters and search, from the query string the button passes on.
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            messages.error(
                request, _("Nothing was exported: the filters in the address are not valid.")
            )
            return redirect("admin:networks_focalpoint_changelist")
        return self._csv_response(request, queryset)

    @admin.action(description=_("Export selected focal points as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return self._csv_response(request, queryset)

    def _csv_response(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        ids = sorted(queryset.values_list("pk", flat=True))
        # In clear only when every row may be (networks.identities records them); else masked.
        shown = identities_reveal(request=request, focal_point_ids=ids, where="focal_points_csv")
        reveal = bool(ids) and set(ids) <= shown.shown
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="focal-points-{stamp}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 only with a byte-order mark
        focal_points_export(queryset=queryset, writer=response, reveal_identity=reveal)
        filters = {
            key: value
            for key, value in request.GET.items()
            if key not in ("_changelist_filters",) and len(value) <= 200
        }
        audit_export_record(
            request=request,
            export="focal_points_csv",
            target_type=FOCAL_POINT,
            target_ids=ids,
            filters=filters,
            identities=reveal,
        )
        return response


# --- Memberships and equipment ---------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(NulSafeFilters, CheckedSelection, HistoryKept, admin.ModelAdmin):
    form = MembershipAdminForm
    list_filter = (MembershipOpenFilter, "network", "joined_on", "left_on")
    list_select_related = ("focal_point", "network")
    raw_id_fields = ("focal_point",)
    date_hierarchy = "joined_on"
    actions = ("end_today",)

    def get_list_display(self, request):
        columns = ("network", "joined_on", "left_on", "left_reason")
        return ("focal_point", _person_column(request), *columns)

    @admin.action(description=_("End the selected memberships today"))
    def end_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not can_edit_membership(request.user):
            raise PermissionDenied
        today, ended = timezone.localdate(), 0
        # A membership recorded as starting later cannot end today; it is left as it is.
        for membership in queryset.filter(left_on__isnull=True, joined_on__lte=today):
            membership_end(membership=membership, left_on=today, by=request.user)
            ended += 1
        messages.success(
            request,
            ngettext("%(count)d membership ended.", "%(count)d memberships ended.", ended)
            % {"count": ended},
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_edit_membership(request.user):
            actions.pop("end_today", None)
        return actions

    def save_model(self, request, obj, form, change):
        # MembershipAdminForm has checked the period against the other memberships.
        if change:
            membership_correct(membership=obj, by=request.user, fields=form.changed_data)
            return
        obj.pk = membership_record(
            focal_point=obj.focal_point,
            network=obj.network,
            joined_on=obj.joined_on,
            left_on=obj.left_on,
            reason=obj.left_reason,
            by=request.user,
        ).pk

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        _reveal_listed(request, response, "admin_membership_list", lambda m: m.focal_point_id)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        membership = self.get_object(request, object_id)
        if membership is not None:
            _reveal(request, [membership.focal_point_id], "admin_membership")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Equipment)
class EquipmentAdmin(NulSafeFilters, CheckedSelection, EditorsOnly, admin.ModelAdmin):
    form = EquipmentForm
    list_display = ("focal_point", "kind", "given_on", "amount", "currency", "given_by")
    list_filter = ("kind", "given_on")
    list_select_related = ("focal_point", "given_by")
    raw_id_fields = ("focal_point",)
    readonly_fields = ("given_by",)
    date_hierarchy = "given_on"

    def get_fields(self, request, obj=None):
        fields = ["focal_point", "kind", "given_on", "amount", "currency", "serial", "given_by"]
        if obj is None:
            clear = can_see_identity(request.user)
        else:
            clear = obj.focal_point_id in _shown(request)
        if not clear:
            fields.remove("serial")  # a SIM number is a phone number
        return [*fields, "notes"]

    def save_model(self, request, obj, form, change):
        obj.given_by = obj.given_by or request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        if item is not None:  # the serial is a SIM number, a phone number
            _reveal(request, [item.focal_point_id], "admin_equipment")
        return super().change_view(request, object_id, form_url, extra_context)


# --- Audit trail -------------------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(NulSafeFilters, admin.ModelAdmin):
    """Read-only for everyone, superusers included; only admins may read it at all."""

    list_display = ("at", "action", "actor", "target_kind", "targets", "ip_address")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), "at", TargetTypeFilter)
    date_hierarchy = "at"
    search_fields = ("target_ids",)
    search_help_text = _("An object's id (e.g. a focal point's number in the list), or a username.")
    list_select_related = ("actor",)
    actions = None
    list_per_page = 100
    fields = ("at", "action", "actor", "target_kind", "targets", "ip_address", "details")
    readonly_fields = fields

    @admin.display(description=_("object type"), ordering="target_type")
    def target_kind(self, obj: AuditEntry) -> str:
        return target_type_label(obj.target_type)

    @admin.display(description=_("object ids"))
    def targets(self, obj: AuditEntry) -> str:
        return ", ".join(obj.target_id_list)

    def get_queryset(self, request):
        return audit_entry_list()

    def get_search_results(self, request, queryset, search_term):
        # Ids are matched whole: searching 12 must not find 112.
        terms = search_term.replace(",", " ").replace("\x00", "").split()
        for term in terms:
            queryset = queryset.filter(
                Q(target_ids__contains=f",{term},") | Q(actor__username__iexact=term)
            )
        return queryset, False

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, "read_audit_trail") and super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return can(request.user, "read_audit_trail") and super().has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.site_header = _("Kengele administration")
admin.site.site_title = _("Kengele")
