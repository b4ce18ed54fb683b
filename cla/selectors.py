"""Reads for the cla app, with the joins decided once, and who may read or change what."""

import datetime as dt
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from alerts.visibility import alerts_visible_to
from core.roles import CLA, can, has_role
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES
from lpc.models import LPC
from lpc.selectors import lpcs_supported_by
from networks.models import Location, Network
from networks.selectors import location_ids_within_any, networks_of_cla

from .constants import MAX_ID
from .models import CLAHandover, CLAProfile, FieldVisit, FollowUp, Recruitment, VisitAlert

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


def may_close_follow_up(*, user, follow_up: FollowUp) -> bool:
    """An admin closes any follow-up; a CLA those in their hands (their own visits', unless
    handed on, and those handed to them)."""
    if can(user, "edit_any_field_record"):
        return True
    return has_role(user, CLA) and follow_up.holder_id == user.pk


def may_hand_over(user) -> bool:
    """Hand a CLA's work to a successor, and read every handover: supervisors and admins."""
    return can(user, "hand_over_cla_work")


def may_read_cla_page(*, user, cla: User) -> bool:
    """A CLA's page (their committees, networks, places, follow-ups): managers read every
    one, a CLA their own."""
    if sees_every_visit(user):
        return True
    return has_role(user, CLA) and cla.pk == user.pk


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
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("done_by", "assigned_to")),
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


def _held_by(user_id) -> Q:
    """Follow-ups in a user's hands: handed to them, or of their own visits and never handed."""
    return Q(assigned_to_id=user_id) | Q(assigned_to__isnull=True, visit__cla_id=user_id)


def _open_follow_ups() -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(done_at__isnull=True)
        .select_related("visit__cla", "assigned_to")
        .prefetch_related("visit__places")
        .order_by("due_on", "id")
    )


def follow_ups_open(*, user) -> QuerySet[FollowUp]:
    """Follow-ups not done yet, soonest due first: everyone's for managers, those in a CLA's
    hands for a CLA (handed to them included), none for anyone else."""
    if sees_every_visit(user):
        return _open_follow_ups()
    if has_role(user, CLA):
        return _open_follow_ups().filter(_held_by(user.pk))
    return FollowUp.objects.none()


def follow_ups_held(*, user: User) -> QuerySet[FollowUp]:
    """The open follow-ups in one CLA's hands, whoever reads them."""
    return _open_follow_ups().filter(_held_by(user.pk))


# --- CLAs, their work and its handovers --------------------------------------------------------


@dataclass(frozen=True)
class CLAWork:
    """What a CLA holds: the committees they support, the networks they are responsible for,
    the places assigned to them (and their base), the open follow-ups in their hands."""

    profile: CLAProfile | None
    lpcs: list[LPC]
    networks: list[Network]
    places: list[Location]
    follow_ups: list[FollowUp]

    @property
    def base(self) -> Location | None:
        return self.profile.base if self.profile else None

    @property
    def empty(self) -> bool:
        return not (self.lpcs or self.networks or self.places or self.follow_ups)


def cla_work(*, user: User) -> CLAWork:
    profile = CLAProfile.objects.filter(user=user).select_related("base").first()
    places = (
        list(profile.assigned_places.select_related("parent").order_by("name")) if profile else []
    )
    return CLAWork(
        profile=profile,
        lpcs=list(lpcs_supported_by(user=user)),
        networks=list(networks_of_cla(user=user)),
        places=places,
        follow_ups=list(follow_ups_held(user=user)),
    )


def _how_many(queryset: QuerySet) -> Coalesce:
    """The number of rows of `queryset` (filtered on OuterRef), as a subquery."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def cla_team() -> QuerySet[User]:
    """Everyone with a CLA's page: users in the CLA role, and anyone who still has a CLA
    profile, committees, networks or open follow-ups (a CLA who left or changed role, whose
    work waits for a successor). Active accounts first, with the counts the list shows."""
    in_role = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=CLA)
    lpcs = LPC.objects.filter(cla_id=OuterRef("pk"))
    networks = Network.objects.filter(cla_id=OuterRef("pk"))
    held = FollowUp.objects.filter(_held_by(OuterRef("pk")), done_at__isnull=True)
    return (
        User.objects.annotate(
            in_cla_role=Exists(in_role),
            lpc_count=_how_many(lpcs),
            network_count=_how_many(networks),
            follow_up_count=_how_many(held),
        )
        .filter(
            Q(in_cla_role=True)
            | Exists(CLAProfile.objects.filter(user_id=OuterRef("pk")))
            | Exists(lpcs)
            | Exists(networks)
            | Exists(held)
        )
        .order_by("-is_active", "username")
    )


def cla_handover_list() -> QuerySet[CLAHandover]:
    return CLAHandover.objects.select_related("from_cla", "to_cla", "by").order_by("-at", "-id")


def cla_handovers_visible_to(queryset: QuerySet[CLAHandover], *, user) -> QuerySet[CLAHandover]:
    """Every handover for supervisors and admins; those they gave or received for a CLA; none
    for anyone else (supervisors see every area, so no area narrows theirs)."""
    if may_hand_over(user):
        return queryset
    if has_role(user, CLA):
        return queryset.filter(Q(from_cla_id=user.pk) | Q(to_cla_id=user.pk))
    return queryset.none()


def cla_handovers_of(*, cla: User) -> QuerySet[CLAHandover]:
    """The handovers a CLA gave or received, the latest first."""
    return cla_handover_list().filter(Q(from_cla_id=cla.pk) | Q(to_cla_id=cla.pk))


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


class CLAHandoverFilter(django_filters.FilterSet):
    cla = django_filters.NumberFilter(
        method="filter_cla", min_value=1, max_value=MAX_ID, label=_("CLA, outgoing or successor")
    )
    from_cla = django_filters.NumberFilter(min_value=1, max_value=MAX_ID, label=_("Outgoing CLA"))
    to_cla = django_filters.NumberFilter(min_value=1, max_value=MAX_ID, label=_("Successor"))

    class Meta:
        model = CLAHandover
        fields: list[str] = []

    def filter_cla(self, queryset, name, value):
        return queryset.filter(Q(from_cla_id=value) | Q(to_cla_id=value))


def visit_of_alert(*, alert_id: int) -> FieldVisit | None:
    """The field visit an alert was raised from (with its CLA), or None."""
    link = VisitAlert.objects.select_related("visit__cla").filter(alert_id=alert_id).first()
    return link.visit if link else None


def visit_readable(*, visit: FieldVisit, user) -> bool:
    """May `user` open the visit's page (cla.views reads it through the same rule)?"""
    if not may_read_visits(user):
        return False
    return field_visits_visible_to(FieldVisit.objects.filter(pk=visit.pk), user=user).exists()
