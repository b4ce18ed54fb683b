"""List filters of the networks admin: places by province/territory, membership, opt-out."""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .constants import MAX_ID
from .models import Location, Membership, Network
from .selectors import location_ids_within, location_of_kind


class _WithinPlaceFilter(admin.SimpleListFilter):
    """Rows whose place (`place_field`) lies anywhere under the chosen province or territory."""

    kind: str = ""
    place_field = "pk"

    def lookups(self, request, model_admin):
        return [(str(loc.pk), loc.name) for loc in location_of_kind(self.kind)]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        try:
            ancestor = int(self.value())
        except ValueError:
            return queryset.none()
        if not 0 < ancestor <= MAX_ID:  # no such place, and a larger number overflows the database
            return queryset.none()
        return queryset.filter(**{f"{self.place_field}__in": location_ids_within(ancestor)})


class ProvinceFilter(_WithinPlaceFilter):
    title = _("province")
    parameter_name = "province"
    kind = Location.Kind.PROVINCE


class TerritoryFilter(_WithinPlaceFilter):
    title = _("territory")
    parameter_name = "territory"
    kind = Location.Kind.TERRITORY


class HomeTerritoryFilter(_WithinPlaceFilter):
    title = _("home territory")
    parameter_name = "home_territory"
    kind = Location.Kind.TERRITORY
    place_field = "home_location"


class NetworkMemberFilter(admin.SimpleListFilter):
    """Focal points currently in a network (an ended membership does not count)."""

    title = _("network")
    parameter_name = "network"

    def lookups(self, request, model_admin):
        return [(str(n.pk), str(n)) for n in Network.objects.order_by("name")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        members = Membership.objects.filter(network_id=self.value(), left_on__isnull=True)
        return queryset.filter(pk__in=members.values("focal_point_id"))


class OptedOutFilter(admin.SimpleListFilter):
    title = _("opted out")
    parameter_name = "opted_out"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(opted_out_at__isnull=self.value() == "no")
        return queryset


class AtRiskFilter(admin.SimpleListFilter):
    title = _("at risk")
    parameter_name = "at_risk"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(at_risk_since__isnull=self.value() == "no")
        return queryset


class MembershipOpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Current")), ("ended", _("Ended"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() in ("open", "ended"):
            return queryset.filter(left_on__isnull=self.value() == "open")
        return queryset


class NulRefusingChangeList(ChangeList):
    """Refuses a filter value holding a NUL character, which PostgreSQL cannot compare with: the
    admin then shows its "invalid filter" page (the CSV export, its message) instead of a 500."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        for values in lookup_params.values():
            for value in values if isinstance(values, list) else [values]:
                if "\x00" in value:
                    raise IncorrectLookupParameters("NUL character in a filter value")
        return lookup_params


class NulSafeFilters:
    """For a ModelAdmin whose changelist filters come from the query string."""

    def get_changelist(self, request, **kwargs):
        return NulRefusingChangeList


def target_type_label(target_type: str) -> str:
    """An audit entry's object type ("networks.focalpoint") as its model's name in words."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


class TargetTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).order_by().values_list("target_type", flat=True)
        return [(kind, target_type_label(kind)) for kind in sorted(set(kinds)) if kind]

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset
