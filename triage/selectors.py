"""Reads for triage: incidents and their filters, deadlines missed, who to notify."""

import datetime as dt

import django_filters
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from alerts.models import Alert
from alerts.selectors import MAX_ID, StorableDateTimeFilter
from core.roles import SUPERVISOR
from core.taxonomy import CATEGORY_CHOICES
from networks.models import Location
from networks.selectors import location_ids_within

from .geo import is_near, places_near
from .models import AnalystProfile, EscalationSMS, Incident, IncidentEvent

# Statuses of an alert nobody has taken up yet: its deadline still runs.
UNACKNOWLEDGED = (Alert.Status.NEW, Alert.Status.TRIAGED)


def incident_list() -> QuerySet[Incident]:
    return Incident.objects.select_related("location__parent")


def incident_history(*, incident: Incident) -> QuerySet[IncidentEvent]:
    """What happened to the incident, oldest first."""
    return incident.events.select_related("by", "alert").order_by("at", "pk")


def incident_alerts(*, incident: Incident) -> QuerySet[Alert]:
    """The incident's alerts, oldest first, with what a row shows."""
    return (
        incident.alerts.select_related("location", "assignee", "claimed_by")
        .defer("sender", "explanation")
        .order_by("received_at", "pk")
    )


def incidents_with_alerts(
    queryset: QuerySet[Incident], *, alerts: QuerySet[Alert] | None = None
) -> QuerySet[Incident]:
    """`queryset` with `alert_rows` (the alerts' ids, references and sources) prefetched: those
    of `alerts` (a reader's visible ones), or all of them."""
    rows = (Alert.objects.all() if alerts is None else alerts).only(
        "pk", "incident", "received_at", "source", "priority", "status", "reporter"
    )
    rows = rows.order_by("received_at", "pk")
    return queryset.prefetch_related(Prefetch("alerts", queryset=rows, to_attr="alert_rows"))


def incidents_with_place_is_home(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """`queryset` with `place_is_home`: true when the incident's place is only where a reporter
    lives (an alert of it was placed there by triage's fallback, and none names that place).
    What goes outside the team then shows its territory instead."""
    at_place = Alert.objects.filter(incident=OuterRef("pk"), location_id=OuterRef("location_id"))
    return queryset.annotate(
        place_is_home=Exists(at_place.filter(location_is_fallback=True))
        & ~Exists(at_place.filter(location_is_fallback=False))
    )


def incident_window() -> dt.timedelta:
    """How close in time (received) alerts must be to form one incident."""
    return dt.timedelta(hours=settings.INCIDENT_WINDOW_HOURS)


def incidents_nearby(
    *, incident: Incident, limit: int, among: QuerySet[Incident] | None = None
) -> list[Incident]:
    """Other incidents (of `among`, else any) close enough in place and time to be merged with
    this one, the latest first."""
    if incident.location_id is None:
        return []
    window = incident_window()
    candidates = (
        (incident_list() if among is None else among)
        .exclude(pk=incident.pk)
        .filter(
            last_seen_at__gte=incident.first_seen_at - window,
            first_seen_at__lte=incident.last_seen_at + window,
        )
        .filter(places_near(incident.location))
        .order_by("-last_seen_at", "-pk")[:50]
    )
    return [other for other in candidates if is_near(other.location, incident.location)][:limit]


def _unattended() -> Q:
    """Alerts whose deadline still runs: nobody acknowledged them yet, or (acknowledged or not)
    the reporter wrote again before the deadline and nobody has read it yet. Triage sets the
    deadline afresh from such a message when it raises the priority, so an acknowledged alert
    that became urgent is escalated if its new message is left unread."""
    not_acknowledged = Q(status__in=UNACKNOWLEDGED, acknowledged_at__isnull=True)
    unread = Q(
        status__in=Alert.OPEN_STATUSES,
        new_message_at__isnull=False,
        new_message_at__lte=F("sla_due_at"),
    )
    return not_acknowledged | unread


def alerts_breach_unnotified(*, now: dt.datetime) -> QuerySet[Alert]:
    """Alerts past their deadline, still unattended, whose breach nobody was told of."""
    return Alert.objects.filter(
        _unattended(), sla_due_at__lt=now, sla_escalated_at__isnull=True
    ).order_by("sla_due_at", "pk")


def alerts_breached() -> QuerySet[Alert]:
    """Alerts whose missed deadline was escalated and that nobody has attended to since, the
    longest overdue first: what supervisors must see."""
    return (
        Alert.objects.filter(_unattended(), sla_escalated_at__isnull=False)
        .select_related("location", "assignee")
        .defer("sender", "explanation")
        .order_by("sla_due_at", "pk")
    )


def alerts_past_deadline(*, now: dt.datetime) -> QuerySet[Alert]:
    """Every alert past its deadline and still unattended, escalated yet or not (the beat runs
    every minute), the most urgent first: P1 before P2, then the longest overdue."""
    return (
        Alert.objects.filter(_unattended(), sla_due_at__lt=now)
        .select_related("location__parent", "assignee")
        .defer("sender", "explanation")
        .order_by(F("priority").asc(nulls_last=True), "sla_due_at", "pk")
    )


def escalation_sms_times(*, user_id: int, since: dt.datetime) -> list[dt.datetime]:
    """When escalation SMS went to this person since `since`, oldest first."""
    return list(
        EscalationSMS.objects.filter(user_id=user_id, sent_at__gt=since)
        .order_by("sent_at")
        .values_list("sent_at", flat=True)
    )


def escalation_sms_last(*, user_id: int) -> dt.datetime | None:
    """When the last escalation SMS went to this person, if ever."""
    return (
        EscalationSMS.objects.filter(user_id=user_id)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )


def supervisors_to_notify() -> QuerySet[AnalystProfile]:
    """Profiles of active supervisors who gave a number for SMS notices."""
    return (
        AnalystProfile.objects.filter(user__is_active=True, user__groups__name=SUPERVISOR)
        .exclude(phone="")
        .select_related("user")
        .order_by("user_id")
    )


def analyst_profile(*, user: User) -> AnalystProfile | None:
    """The user's duty and areas (not their number: nothing to decrypt on every page)."""
    return AnalystProfile.objects.filter(user=user).defer("phone").prefetch_related("areas").first()


def claim_ttl() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CLAIM_TTL_MINUTES)


def claim_is_fresh(claimed_at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    return claimed_at is not None and claimed_at > (now or timezone.now()) - claim_ttl()


def claim_holder(alert: Alert, *, now: dt.datetime | None = None) -> User | None:
    """Who is working on the alert now (a claim younger than CLAIM_TTL_MINUTES), if anyone."""
    if alert.claimed_by_id and claim_is_fresh(alert.claimed_at, now=now or timezone.now()):
        return alert.claimed_by
    return None


CORROBORATION_CHOICES = Incident.Corroboration.choices


@extend_schema_field(OpenApiTypes.INT)
class TerritoryFilter(django_filters.ModelChoiceFilter):
    """A territory's id (a 400 for any other place)."""


class IncidentFilter(django_filters.FilterSet):
    location = django_filters.NumberFilter(method="filter_location", min_value=1, max_value=MAX_ID)
    territory = TerritoryFilter(
        queryset=Location.objects.filter(kind=Location.Kind.TERRITORY), method="filter_territory"
    )
    priority = django_filters.NumberFilter(min_value=1, max_value=4)
    corroboration = django_filters.ChoiceFilter(choices=CORROBORATION_CHOICES)
    category = django_filters.ChoiceFilter(choices=CATEGORY_CHOICES, method="filter_category")
    # An incident "seen" in a period has alerts in it: it overlaps the period.
    seen_after = StorableDateTimeFilter(field_name="last_seen_at", lookup_expr="gte")
    seen_before = StorableDateTimeFilter(field_name="first_seen_at", lookup_expr="lt")
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_location(self, queryset, name, value):
        # The place itself or anything below it (a territory's villages and their localities).
        return queryset.filter(location_id__in=location_ids_within(value))

    def filter_territory(self, queryset, name, value):
        return queryset.filter(location_id__in=location_ids_within(value.pk))

    def filter_category(self, queryset, name, value):
        # JSON list stored as text on every backend: match the quoted code.
        return queryset.filter(categories__icontains=f'"{value}"')


def analyst_area_ids(*, user: User) -> set[int]:
    """The territories an analyst covers (empty: no areas set, they cover everything)."""
    return set(
        AnalystProfile.areas.through.objects.filter(analystprofile__user_id=user.pk).values_list(
            "location_id", flat=True
        )
    )


def analysts_areas_and_duty(*, user_ids: list[int]) -> dict[int, tuple[set[int], bool]]:
    """For each of these users with an analyst profile: the territories they cover (empty:
    everything) and whether they are on duty now. Two queries whatever the number."""
    profiles = dict(
        AnalystProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "on_duty")
    )
    areas: dict[int, set[int]] = {user_id: set() for user_id in profiles}
    rows = AnalystProfile.areas.through.objects.filter(
        analystprofile__user_id__in=user_ids
    ).values_list("analystprofile__user_id", "location_id")
    for user_id, location_id in rows:
        areas[user_id].add(location_id)
    return {user_id: (areas[user_id], on_duty) for user_id, on_duty in profiles.items()}
