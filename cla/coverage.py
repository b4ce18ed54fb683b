"""Which mechanisms reach each place: CANs, LPCs and CLA visits, their overlaps and the gaps.

Everything is read in a fixed handful of queries, whatever the number of places: the
gazetteer once (a few thousand rows at most), then one grouped query per mechanism. Areas
served by a network or covered by a committee may be named at any level (a groupement, a
territory): they cover every village and locality inside them. A visit reaches only the
places it names.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from lpc.models import LPC
from networks.models import FocalPoint, Location, Network

from .constants import COVERAGE_PLACE_KINDS, COVERAGE_WINDOW
from .models import FieldVisit

MECHANISMS = ("can", "lpc", "cla")


@dataclass
class PlaceCoverage:
    id: int
    name: str
    kind: str
    territory: str
    latitude: float | None
    longitude: float | None
    networks: list[str] = field(default_factory=list)
    focal_points: int = 0
    lpcs: list[str] = field(default_factory=list)
    recent_visits: int = 0
    last_visit: dt.date | None = None

    @property
    def can(self) -> bool:
        return bool(self.networks) or self.focal_points > 0

    @property
    def lpc(self) -> bool:
        return bool(self.lpcs)

    @property
    def cla(self) -> bool:
        return self.recent_visits > 0

    @property
    def mechanisms(self) -> tuple[str, ...]:
        return tuple(m for m in MECHANISMS if getattr(self, m))

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "territory": self.territory,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "mechanisms": list(self.mechanisms),
            "networks": self.networks,
            "focal_points": self.focal_points,
            "lpcs": self.lpcs,
            "recent_visits": self.recent_visits,
            "last_visit": self.last_visit.isoformat() if self.last_visit else None,
        }


@dataclass
class StaleNetwork:
    id: int
    name: str
    code: str
    status: str
    last_visit: dt.date | None
    days_since: int | None

    @property
    def status_label(self) -> str:
        return Network.Status(self.status).label

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "code": self.code,
            "status": self.status,
            "last_visit": self.last_visit.isoformat() if self.last_visit else None,
            "days_since": self.days_since,
        }


@dataclass
class Coverage:
    today: dt.date
    since: dt.date
    places: list[PlaceCoverage]
    stale_networks: list[StaleNetwork]

    @property
    def by_mechanism(self) -> dict[str, int]:
        return {m: sum(1 for p in self.places if getattr(p, m)) for m in MECHANISMS}

    @property
    def by_count(self) -> dict[int, int]:
        counts = dict.fromkeys(range(len(MECHANISMS) + 1), 0)
        for place in self.places:
            counts[len(place.mechanisms)] += 1
        return counts

    @property
    def overlaps(self) -> dict[str, int]:
        """Places reached by exactly these two or three mechanisms, e.g. {"can+cla": 4}."""
        combos = ("can+lpc", "can+cla", "lpc+cla", "can+lpc+cla")
        counts = dict.fromkeys(combos, 0)
        for place in self.places:
            if len(place.mechanisms) >= 2:
                counts["+".join(place.mechanisms)] += 1
        return counts

    @property
    def gaps(self) -> list[PlaceCoverage]:
        return [p for p in self.places if not p.mechanisms]

    def as_json(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "visits_since": self.since.isoformat(),
            "window_days": COVERAGE_WINDOW.days,
            "summary": {
                "places": len(self.places),
                "by_mechanism": self.by_mechanism,
                "by_count": {str(k): v for k, v in self.by_count.items()},
                "overlaps": self.overlaps,
                "gaps": len(self.gaps),
                "stale_networks": len(self.stale_networks),
            },
            "places": [p.as_json() for p in self.places],
            "gaps": [p.id for p in self.gaps],
            "stale_networks": [n.as_json() for n in self.stale_networks],
        }


class _Tree:
    """The gazetteer in memory: who is below whom."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = {row["id"]: row for row in rows}
        self.children: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            if row["parent_id"] is not None:
                self.children[row["parent_id"]].append(row["id"])

    def within(self, place_id: int) -> set[int]:
        found, stack = set(), [place_id]
        while stack:
            current = stack.pop()
            if current in found or current not in self.rows:
                continue
            found.add(current)
            stack.extend(self.children.get(current, ()))
        return found

    def territory_name(self, place_id: int) -> str:
        row = self.rows.get(place_id)
        while row is not None:
            if row["kind"] == Location.Kind.TERRITORY:
                return row["name"]
            row = self.rows.get(row["parent_id"])
        return ""


def coverage_compute(*, today: dt.date | None = None, within: int | None = None) -> Coverage:
    """Coverage of every village and locality (or those under `within`, a place id)."""
    today = today or timezone.localdate()
    since = today - COVERAGE_WINDOW
    tree = _Tree(
        list(Location.objects.values("id", "name", "kind", "parent_id", "latitude", "longitude"))
    )
    wanted = tree.within(within) if within is not None else set(tree.rows)
    places = {
        pk: PlaceCoverage(
            id=pk,
            name=row["name"],
            kind=row["kind"],
            territory=tree.territory_name(pk),
            latitude=float(row["latitude"]) if row["latitude"] is not None else None,
            longitude=float(row["longitude"]) if row["longitude"] is not None else None,
        )
        for pk, row in tree.rows.items()
        if pk in wanted and row["kind"] in COVERAGE_PLACE_KINDS
    }

    # CAN: the area of every active network, and the active focal points living there.
    served = Network.area.through.objects.filter(network__status=Network.Status.ACTIVE)
    for location_id, network_name in served.values_list("location_id", "network__name"):
        for pk in tree.within(location_id):
            if pk in places and network_name not in places[pk].networks:
                places[pk].networks.append(network_name)
    residents = (
        FocalPoint.objects.filter(
            active=True, opted_out_at__isnull=True, home_location_id__in=list(places)
        )
        .values("home_location_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in residents:
        places[row["home_location_id"]].focal_points = row["n"]

    # LPC: the places every active committee covers.
    covered = LPC.places.through.objects.filter(lpc__status=LPC.Status.ACTIVE)
    for location_id, lpc_name in covered.values_list("location_id", "lpc__name"):
        for pk in tree.within(location_id):
            if pk in places and lpc_name not in places[pk].lpcs:
                places[pk].lpcs.append(lpc_name)

    # CLA: visits naming the place, the recent ones counted.
    visited = (
        FieldVisit.places.through.objects.filter(
            location_id__in=list(places), fieldvisit__visited_on__lte=today
        )
        .values("location_id")
        .annotate(
            recent=Count("fieldvisit", filter=Q(fieldvisit__visited_on__gte=since)),
            last=Max("fieldvisit__visited_on"),
        )
        .order_by()
    )
    for row in visited:
        places[row["location_id"]].recent_visits = row["recent"]
        places[row["location_id"]].last_visit = row["last"]

    for place in places.values():
        place.networks.sort()
        place.lpcs.sort()
    ordered = sorted(places.values(), key=lambda p: (p.territory, p.name, p.id))
    return Coverage(
        today=today, since=since, places=ordered, stale_networks=_stale_networks(today, since)
    )


def _stale_networks(today: dt.date, since: dt.date) -> list[StaleNetwork]:
    """Networks still running (active or dormant) whose last CLA visit is older than the
    window, or that no visit ever supported: the longest forgotten first."""
    rows = (
        Network.objects.exclude(status=Network.Status.CLOSED)
        .annotate(
            last_visit=Max(
                "field_visits__visited_on", filter=Q(field_visits__visited_on__lte=today)
            )
        )
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
        .values("id", "name", "code", "status", "last_visit")
    )
    stale = [
        StaleNetwork(
            **row, days_since=(today - row["last_visit"]).days if row["last_visit"] else None
        )
        for row in rows
    ]
    return sorted(stale, key=lambda n: (n.last_visit is not None, n.last_visit or today, n.name))
