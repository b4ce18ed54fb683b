"""Reads of the lpc app and the filters its pages and API share, joins decided once."""

import django_filters
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from alerts.visibility import alerts_visible_to
from core.taxonomy import CATEGORY_CHOICES, RISK_FACTOR_CHOICES_NUMBERED
from networks.selectors import location_ids_within

from .constants import MAX_ID
from .models import LPC, ActionPoint, LPCMeeting, LPCMember, MeetingAlert


def _count(queryset: QuerySet, by: str) -> Coalesce:
    """How many rows of `queryset` (filtered on OuterRef("pk"), grouped by `by`)."""
    grouped = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(grouped[:1]), 0)


def lpc_list() -> QuerySet[LPC]:
    """Committees with their places, supporting CLA and the counts the list shows (each count
    its own subquery: joining members, meetings and action points at once would multiply rows).
    """
    current = LPCMember.objects.filter(lpc=OuterRef("pk"), left_on__isnull=True)
    meetings = LPCMeeting.objects.filter(lpc=OuterRef("pk"))
    open_points = ActionPoint.objects.filter(
        meeting__lpc=OuterRef("pk"), status=ActionPoint.Status.OPEN
    )
    return (
        LPC.objects.select_related("cla")
        .prefetch_related("places")
        .annotate(
            member_count=_count(current, "lpc"),
            women_count=_count(current.filter(gender="female"), "lpc"),
            meeting_count=_count(meetings, "lpc"),
            last_meeting_on=Subquery(meetings.order_by("-held_on").values("held_on")[:1]),
            open_action_count=_count(open_points, "meeting__lpc"),
        )
        .order_by("name")
    )


def lpcs_supported_by(*, user) -> QuerySet[LPC]:
    """The committees a CLA supports, by name, with their places."""
    return LPC.objects.filter(cla_id=user.pk).prefetch_related("places").order_by("name")


# Members are listed as a committee introduces itself: its office first, in this order.
ROLE_ORDER = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(LPCMember.Role.values)),
    default=Value(len(LPCMember.Role.values)),
)
MEMBER_ORDER = (F("left_on").desc(nulls_first=True), ROLE_ORDER, "id")


def lpc_members(*, lpc: LPC, current_only: bool = False) -> QuerySet[LPCMember]:
    """Current members first, by role in the committee; those who left after them."""
    members = lpc.members.all()
    if current_only:
        members = members.filter(left_on__isnull=True)
    return members.order_by(*MEMBER_ORDER)


def member_list() -> QuerySet[LPCMember]:
    return LPCMember.objects.select_related("lpc").order_by("lpc__name", "id")


def _links_seen_by(links: QuerySet, reader) -> QuerySet:
    """Links to the alerts `reader` may see (all of them when no reader is named)."""
    if reader is None:
        return links
    return links.filter(alert__in=alerts_visible_to(Alert.objects.all(), reader).values("pk"))


def meeting_list(*, reader=None) -> QuerySet[LPCMeeting]:
    """Meetings with their committee, place, action points, members present and alerts (those
    `reader` may see, when one is named)."""
    links = _links_seen_by(MeetingAlert.objects.select_related("alert"), reader)
    return (
        LPCMeeting.objects.select_related("lpc", "place", "recorded_by")
        .prefetch_related(
            Prefetch("action_points", queryset=ActionPoint.objects.order_by("due_on", "id")),
            "members_present",
            Prefetch("alert_links", queryset=links),
        )
        .order_by("-held_on", "-id")
    )


def lpc_meetings(*, lpc: LPC, reader=None) -> QuerySet[LPCMeeting]:
    return meeting_list(reader=reader).filter(lpc=lpc)


def action_points_open(*, lpc: LPC | None = None) -> QuerySet[ActionPoint]:
    points = ActionPoint.objects.filter(status=ActionPoint.Status.OPEN).select_related(
        "meeting", "meeting__lpc"
    )
    if lpc is not None:
        points = points.filter(meeting__lpc=lpc)
    return points.order_by("due_on", "id")


def action_points_overdue(queryset: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    return queryset.filter(status=ActionPoint.Status.OPEN, due_on__lt=timezone.localdate())


def meeting_alerts(*, meeting: LPCMeeting, reader) -> QuerySet[MeetingAlert]:
    """The alerts raised from the meeting that `reader` may see."""
    links = meeting.alert_links.select_related("alert", "raised_by").order_by("raised_at", "id")
    return _links_seen_by(links, reader)


def _within(field: str, place_id: int) -> Q:
    """The place itself or anything below it (a territory's villages)."""
    return Q(**{f"{field}__in": location_ids_within(place_id)})


class LPCFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LPC.Status.choices)
    kind = django_filters.ChoiceFilter(choices=LPC.Kind.choices)
    place = django_filters.NumberFilter(
        method="filter_place", min_value=1, max_value=MAX_ID, label=_("Place")
    )
    cla = django_filters.NumberFilter(min_value=1, max_value=MAX_ID, label=_("Supporting CLA"))
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=120, label=_("Name")
    )

    class Meta:
        model = LPC
        fields: list[str] = []

    def filter_place(self, queryset, name, value):
        return queryset.filter(_within("places", value)).distinct()


class MeetingFilter(django_filters.FilterSet):
    lpc = django_filters.NumberFilter(min_value=1, max_value=MAX_ID, label=_("Committee"))
    place = django_filters.NumberFilter(
        method="filter_place", min_value=1, max_value=MAX_ID, label=_("Place")
    )
    status = django_filters.ChoiceFilter(
        field_name="lpc__status", choices=LPC.Status.choices, label=_("Committee status")
    )
    kind = django_filters.ChoiceFilter(
        field_name="lpc__kind", choices=LPC.Kind.choices, label=_("Committee kind")
    )
    date_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")
    category = django_filters.ChoiceFilter(
        choices=CATEGORY_CHOICES, method="filter_code", label=_("Risk discussed")
    )
    risk_factor = django_filters.ChoiceFilter(
        choices=RISK_FACTOR_CHOICES_NUMBERED, method="filter_code", label=_("Risk factor")
    )
    has_open_actions = django_filters.BooleanFilter(
        method="filter_open_actions", label=_("Has open action points")
    )

    class Meta:
        model = LPCMeeting
        fields: list[str] = []

    def filter_place(self, queryset, name, value):
        # The meeting's own place, or else the places its committee covers.
        ids = location_ids_within(value)
        return queryset.filter(Q(place_id__in=ids) | Q(lpc__places__in=ids)).distinct()

    def filter_code(self, queryset, name, value):
        # JSON lists are stored as text on every backend: match the quoted code.
        field = "categories" if name == "category" else "risk_factors"
        return queryset.filter(**{f"{field}__icontains": f'"{value}"'})

    def filter_open_actions(self, queryset, name, value):
        has_open = Q(action_points__status=ActionPoint.Status.OPEN)
        return (queryset.filter(has_open) if value else queryset.exclude(has_open)).distinct()


class MemberFilter(django_filters.FilterSet):
    lpc = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    current = django_filters.BooleanFilter(field_name="left_on", lookup_expr="isnull")

    class Meta:
        model = LPCMember
        fields = ["role", "gender", "age_band"]


def meeting_link_of_alert(*, alert_id: int) -> MeetingAlert | None:
    """The meeting an alert was raised from (with its committee, its supporting CLA and who
    raised it), or None."""
    return (
        MeetingAlert.objects.select_related("meeting__lpc__cla", "raised_by")
        .filter(alert_id=alert_id)
        .first()
    )
