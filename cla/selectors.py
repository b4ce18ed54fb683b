"""Reads for the cla app, with the joins decided once, and who may read or change what."""

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from alerts.visibility import alerts_visible_to
from core.roles import CLA, can, has_role
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES
from networks.selectors import location_ids_within_any

from .constants import MAX_ID
from .models import CLAProfile, FieldVisit, FollowUp, Recruitment, VisitAlert

# Who reads visits (a CLA only their own); viewers see coverage figures, never visits.
# Who records visits (each their own; an admin any).


def cla_place_ids(*, user: User | AnonymousUser) -> set[int]:
    """The ids of the places a CLA works in: those assigned, and every place inside them.

    A user without a profile (or anonymous) has none. The gazetteer is a few levels deep, so
    descending it one level per query is a handful of queries at most.
    """
    if not user or not user.is_authenticated:
        return set()
    roots = CLAProfile.assigned_places.through.objects.filter(
        claprofile__user_id=user.pk
    ).values_list("location_id", flat=True)
    return location_ids_within_any(roots)


def cla_recruits(*, user: User) -> QuerySet:
    """The ids of the focal points this CLA recruited on their visits (a values queryset)."""
    return Recruitment.objects.filter(visit__cla_id=user.pk).values("focal_point_id")


def cla_users() -> QuerySet[User]:
    """Users in the CLA role, for choosing one."""
    return User.objects.filter(groups__name=CLA, is_active=True).order_by("username").distinct()


def cla_profile_of(*, user: User) -> CLAProfile | None:
    return CLAProfile.objects.filter(user=user).select_related("base").first()


# --- Who may do what -------------------------------------------------------------------------


def may_read_visits(user) -> bool:
    return can(user, "read_field_records")


def may_record_visits(user) -> bool:
    return can(user, "write_field_records")


def may_edit_visit(*, user, visit: FieldVisit) -> bool:
    """An admin may change any visit; a CLA only their own; nobody else any."""
    if can(user, "edit_any_field_record"):
        return True
    return has_role(user, CLA) and visit.cla_id == user.pk


def sees_every_visit(user) -> bool:
    return can(user, "read_all_field_records")


# --- Visits ----------------------------------------------------------------------------------


def field_visit_list() -> QuerySet[FieldVisit]:
    """Visits with their author, places, networks, follow-ups and alert count."""
    return (
        FieldVisit.objects.select_related("cla")
        .prefetch_related("places", "networks")
        .annotate(
            alert_count=Count("alert_links", distinct=True),
            open_follow_ups=Count(
                "follow_ups", filter=Q(follow_ups__done_at__isnull=True), distinct=True
            ),
        )
    )


def field_visits_visible_to(queryset: QuerySet[FieldVisit], *, user) -> QuerySet[FieldVisit]:
    """All visits for admins, supervisors and analysts; a CLA's own; none for anyone else."""
    if sees_every_visit(user):
        return queryset
    if has_role(user, CLA):
        return queryset.filter(cla_id=user.pk)
    return queryset.none()


def field_visit_detail(*, reader=None) -> QuerySet[FieldVisit]:
    """A visit with everything its page and the API show, in a fixed number of queries: the
    alerts raised from it only those `reader` may see, when one is named."""
    recruitments = Recruitment.objects.select_related(
        "focal_point__home_location", "network"
    ).order_by("id")
    alerts = VisitAlert.objects.select_related("alert__location").order_by("id")
    if reader is not None:
        seen = alerts_visible_to(Alert.objects.all(), reader).values("pk")
        alerts = alerts.filter(alert__in=seen)
    return field_visit_list().prefetch_related(
        Prefetch("recruitments", queryset=recruitments),
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("done_by")),
        Prefetch("alert_links", queryset=alerts),
        "equipment_given__equipment",
    )


def field_visits_in_month(
    queryset: QuerySet[FieldVisit], *, first: dt.date, last: dt.date
) -> dict[dt.date, list[FieldVisit]]:
    """Visits between two dates (inclusive), by day."""
    days: dict[dt.date, list[FieldVisit]] = {}
    for visit in queryset.filter(visited_on__gte=first, visited_on__lte=last).order_by(
        "visited_on", "id"
    ):
        days.setdefault(visit.visited_on, []).append(visit)
    return days


# --- Follow-ups ------------------------------------------------------------------------------


def follow_ups_open(*, user) -> QuerySet[FollowUp]:
    """Follow-ups not done yet, soonest due first: a CLA's own, or everyone's for managers."""
    visits = field_visits_visible_to(FieldVisit.objects.all(), user=user)
    return (
        FollowUp.objects.filter(done_at__isnull=True, visit__in=visits)
        .select_related("visit__cla")
        .prefetch_related("visit__places")
        .order_by("due_on", "id")
    )


# --- Filters ---------------------------------------------------------------------------------


class _YesNoField(forms.NullBooleanField):
    """true/false (or 1/0, yes/no); anything else is an error, not silently "any"."""

    widget = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text == "":
            return None
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value) -> None:
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = _YesNoField


class FieldVisitFilter(django_filters.FilterSet):
    cla = django_filters.NumberFilter(min_value=1, max_value=MAX_ID, label=_("CLA (user id)"))
    place = django_filters.NumberFilter(
        method="filter_place", min_value=1, max_value=MAX_ID, label=_("Place (id)")
    )
    network = django_filters.NumberFilter(
        method="filter_network", min_value=1, max_value=MAX_ID, label=_("Network (id)")
    )
    purpose = django_filters.ChoiceFilter(choices=FieldVisit.Purpose.choices, label=_("Purpose"))
    date_after = django_filters.DateFilter(
        field_name="visited_on",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_before = django_filters.DateFilter(
        field_name="visited_on",
        lookup_expr="lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    has_alert = YesNoFilter(method="filter_has_alert", label=_("Alert raised"))
    has_open_follow_ups = YesNoFilter(
        method="filter_has_open_follow_ups", label=_("Follow-ups open")
    )
    category = django_filters.ChoiceFilter(
        choices=CATEGORY_CHOICES, method="filter_category", label=_("Risk observed")
    )
    risk_factor = django_filters.ChoiceFilter(
        choices=RISK_FACTOR_CHOICES, method="filter_risk_factor", label=_("Risk factor")
    )

    class Meta:
        model = FieldVisit
        fields: list[str] = []

    def filter_place(self, queryset, name, value):
        # The place itself or anything below it (a territory's villages), up to three levels.
        return queryset.filter(
            Exists(
                FieldVisit.places.through.objects.filter(fieldvisit_id=OuterRef("pk")).filter(
                    Q(location_id=value)
                    | Q(location__parent_id=value)
                    | Q(location__parent__parent_id=value)
                    | Q(location__parent__parent__parent_id=value)
                )
            )
        )

    def filter_network(self, queryset, name, value):
        return queryset.filter(
            Exists(
                FieldVisit.networks.through.objects.filter(
                    fieldvisit_id=OuterRef("pk"), network_id=value
                )
            )
        )

    def filter_has_alert(self, queryset, name, value):
        linked = Exists(VisitAlert.objects.filter(visit_id=OuterRef("pk")))
        return queryset.filter(linked if value else ~linked)

    def filter_has_open_follow_ups(self, queryset, name, value):
        pending = Exists(FollowUp.objects.filter(visit_id=OuterRef("pk"), done_at__isnull=True))
        return queryset.filter(pending if value else ~pending)

    def filter_category(self, queryset, name, value):
        # JSON list stored as text on every backend: match the quoted code.
        return queryset.filter(categories__icontains=f'"{value}"')

    def filter_risk_factor(self, queryset, name, value):
        return queryset.filter(risk_factors__icontains=f'"{value}"')


def visit_of_alert(*, alert_id: int) -> FieldVisit | None:
    """The field visit an alert was raised from (with its CLA), or None."""
    link = VisitAlert.objects.select_related("visit__cla").filter(alert_id=alert_id).first()
    return link.visit if link else None


def visit_readable(*, visit: FieldVisit, user) -> bool:
    """May `user` open the visit's page (cla.views reads it through the same rule)?"""
    if not may_read_visits(user):
        return False
    return field_visits_visible_to(FieldVisit.objects.filter(pk=visit.pk), user=user).exists()
