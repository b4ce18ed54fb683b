"""Networks and focal points: who is silent, and the share of women and youth among active
focal points and among the alert senders of the period.

Two queries: one row per focal point concerned (active, or a sender of the period) with what
the database worked out for it (heard from in the window, sent an alert), and the open
memberships. Both are the size of the roster (a few thousand), never of the alerts, and are
folded into groups here."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, Value

from alerts.models import Alert, Message
from networks.models import FocalPoint, Membership, Network

from .scope import YOUTH_AGE_BANDS, Scope, places_within, stats_alerts, stats_networks


@dataclass
class People:
    """Focal points of a group (a network, all of them, or those in no network)."""

    total: int = 0
    women: int = 0
    youth: int = 0
    silent: int = 0  # not heard from in the SILENT_DAYS before the end of the period

    def share(self, part: int) -> float | None:
        return 100 * part / self.total if self.total else None

    def add(self, person: "Person") -> None:
        self.total += 1
        self.women += person.gender == FocalPoint.Gender.FEMALE
        self.youth += person.age_band in YOUTH_AGE_BANDS
        self.silent += not person.heard


@dataclass(frozen=True)
class Person:
    pk: int
    active: bool
    gender: str
    age_band: str
    heard: bool  # an inbound SMS or an alert in the window
    sent: bool  # sent an alert counted in the period
    lives_here: bool  # home in the territory chosen (True when none is)


@dataclass
class NetworkFigures:
    networks: list[Network]
    members: dict[int, People]  # network id -> its active focal points (current members)
    senders: dict[int, People]  # network id -> its members who sent alerts in the period
    all_members: People  # distinct active focal points of the networks shown (+ no network)
    all_senders: People  # distinct alert senders in the period
    unattached: People  # active focal points in no network
    unattached_senders: People  # senders in no network
    show_unattached: bool  # no network chosen: focal points in none have a row


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def people_of(*, scope: Scope) -> list[Person]:
    """Every active focal point and every sender of the period, with whether they were heard
    from in the SILENT_DAYS to the end of the period and whether they sent an alert in it.
    One query, whose semi-joins on messages and alerts PostgreSQL evaluates once each."""
    window = {"gte": scope.silent_since, "lt": scope.end}
    wrote = Message.objects.filter(
        direction=Message.Direction.INBOUND,
        focal_point_id__isnull=False,
        created_at__gte=window["gte"],
        created_at__lt=window["lt"],
    ).values("focal_point_id")
    alerted = (
        Alert.objects.filter(
            reporter_id__isnull=False,
            received_at__gte=window["gte"],
            received_at__lt=window["lt"],
        )
        .exclude(status=Alert.Status.DISMISSED)
        .values("reporter_id")
    )
    reporters = stats_alerts(scope=scope).filter(reporter_id__isnull=False).values("reporter_id")
    lives_here = Value(True)
    if scope.territory is not None:
        lives_here = _flag(Q(home_location_id__in=places_within(scope.territory.pk)))
    rows = (
        FocalPoint.objects.annotate(
            heard=_flag(Q(pk__in=wrote) | Q(pk__in=alerted)),
            sent=_flag(Q(pk__in=reporters)),
            lives_here=lives_here,
        )
        .values_list("pk", "active", "gender", "age_band", "heard", "sent", "lives_here")
        .order_by()
    )
    # the whole roster: leaving out inactive non-senders in SQL would scan the period twice
    return [person for person in (Person(*row) for row in rows) if person.active or person.sent]


def network_figures(*, scope: Scope, networks: list[Network] | None = None) -> NetworkFigures:
    """Per network: active focal points (how many silent, women, youth) and the alert senders
    of the period (women, youth); the same over all focal points and for those in no network.
    Networks are a focal point's current (open) memberships."""
    if networks is None:
        networks = stats_networks(scope=scope)
    shown = {n.pk for n in networks}
    networks_of: dict[int, list[int]] = defaultdict(list)
    for focal_point_id, network_id in Membership.objects.filter(left_on__isnull=True).values_list(
        "focal_point_id", "network_id"
    ):
        networks_of[focal_point_id].append(network_id)

    show_unattached = scope.network is None
    members: dict[int, People] = defaultdict(People)
    senders: dict[int, People] = defaultdict(People)
    everyone, unattached, all_senders, unattached_senders = People(), People(), People(), People()
    for person in people_of(scope=scope):
        in_networks = networks_of.get(person.pk, [])
        here = [n for n in in_networks if n in shown]
        if person.sent:
            all_senders.add(person)
            for network in here:
                senders[network].add(person)
            if not in_networks:
                unattached_senders.add(person)
        if not person.active:
            continue
        for network in here:
            members[network].add(person)
        if not in_networks and show_unattached and person.lives_here:
            unattached.add(person)
            everyone.add(person)
        elif here:
            everyone.add(person)
    return NetworkFigures(
        networks=networks,
        members=dict(members),
        senders=dict(senders),
        all_members=everyone,
        all_senders=all_senders,
        unattached=unattached,
        unattached_senders=unattached_senders,
        show_unattached=show_unattached,
    )
