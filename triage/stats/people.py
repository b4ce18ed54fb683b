"""Networks and focal points: who is silent, and the share of women and youth among active
focal points and among the alert senders of the period."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

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


def _heard_from(ref: str, scope: Scope) -> Q:
    """An inbound SMS or an alert of the focal point `ref` in the SILENT_DAYS to the end."""
    window = {"gte": scope.silent_since, "lt": scope.end}
    messages = Message.objects.filter(
        focal_point_id=OuterRef(ref),
        direction=Message.Direction.INBOUND,
        created_at__gte=window["gte"],
        created_at__lt=window["lt"],
    )
    alerts = Alert.objects.filter(
        reporter_id=OuterRef(ref), received_at__gte=window["gte"], received_at__lt=window["lt"]
    ).exclude(status=Alert.Status.DISMISSED)
    return Q(Exists(messages)) | Q(Exists(alerts))


def _people(prefix: str, heard: Q | None = None, within: Q | None = None) -> dict:
    """Count, women, youth (and silent) aggregates over focal points reached by `prefix`."""
    base = within or Q()
    aggregates = {
        "total": Count("pk", filter=base) if within else Count("pk"),
        "women": Count("pk", filter=base & Q(**{f"{prefix}gender": FocalPoint.Gender.FEMALE})),
        "youth": Count("pk", filter=base & Q(**{f"{prefix}age_band__in": YOUTH_AGE_BANDS})),
    }
    if heard is not None:
        aggregates["silent"] = Count("pk", filter=base & ~heard)
    return aggregates


def _as_people(row: dict, prefix: str = "") -> People:
    return People(
        total=row[f"{prefix}total"],
        women=row[f"{prefix}women"],
        youth=row[f"{prefix}youth"],
        silent=row.get(f"{prefix}silent", 0),
    )


def network_figures(*, scope: Scope, networks: list[Network] | None = None) -> NetworkFigures:
    """Per network: active focal points (how many silent, women, youth) and the alert senders
    of the period (women, youth); the same over all focal points and for those in no network.
    Five queries."""
    if networks is None:
        networks = stats_networks(scope=scope)
    ids = [n.pk for n in networks]
    open_memberships = Membership.objects.filter(left_on__isnull=True)

    members = (
        open_memberships.filter(network_id__in=ids, focal_point__active=True)
        .values("network_id")
        .annotate(**_people("focal_point__", heard=_heard_from("focal_point_id", scope)))
        .order_by()
    )
    reporters = stats_alerts(scope=scope).filter(reporter_id__isnull=False).values("reporter_id")
    senders = (
        open_memberships.filter(network_id__in=ids, focal_point_id__in=reporters)
        .values("network_id")
        .annotate(**_people("focal_point__"))
        .order_by()
    )

    in_shown = Exists(open_memberships.filter(focal_point_id=OuterRef("pk"), network_id__in=ids))
    in_none = ~Exists(open_memberships.filter(focal_point_id=OuterRef("pk")))
    show_unattached = scope.network is None
    pool = Q(in_shown)
    if show_unattached:
        unattached_here = Q(in_none)
        if scope.territory is not None:
            unattached_here &= Q(home_location_id__in=places_within(scope.territory.pk))
        pool |= unattached_here
    heard = _heard_from("pk", scope)
    everyone = (
        FocalPoint.objects.filter(active=True)
        .filter(pool)
        .aggregate(**_people("", heard=heard), **_prefixed("none_", _people("", heard, Q(in_none))))
    )
    sent = FocalPoint.objects.filter(pk__in=reporters).aggregate(
        **_people(""), **_prefixed("none_", _people("", within=Q(in_none)))
    )
    return NetworkFigures(
        networks=networks,
        members={row["network_id"]: _as_people(row) for row in members},
        senders={row["network_id"]: _as_people(row) for row in senders},
        all_members=_as_people(everyone),
        all_senders=_as_people(sent),
        unattached=_as_people(everyone, "none_"),
        unattached_senders=_as_people(sent, "none_"),
        show_unattached=show_unattached,
    )


def _prefixed(prefix: str, aggregates: dict) -> dict:
    return {f"{prefix}{name}": value for name, value in aggregates.items()}
