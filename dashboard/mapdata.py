"""What the dashboard map draws: alerts and incidents gathered per place, as GeoJSON.

Aggregated in the database (one row per place, not per alert), so the map stays light with a
million alerts and shows no one's identity: counts, priorities and places only.
"""

import datetime as dt

from django.db.models import Count, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from alerts.models import Alert
from networks.models import Location
from triage.models import Incident

# Enough parents to reach a province from a locality.
_PARENTS = "parent__parent__parent__parent__parent"


def _coordinates(location: Location) -> tuple[float, float] | None:
    """The place's own point, else its nearest ancestor's (a locality drawn at its village)."""
    node = location
    while node is not None:
        if node.latitude is not None and node.longitude is not None:
            return float(node.latitude), float(node.longitude)
        node = node.parent
    return None


def _territory(location: Location) -> str:
    node = location
    while node is not None:
        if node.kind == Location.Kind.TERRITORY:
            return node.name
        node = node.parent
    return ""


def _places(ids) -> dict[int, Location]:
    return Location.objects.select_related(_PARENTS).in_bulk(list(ids))


def _point(location: Location, properties: dict) -> dict | None:
    point = _coordinates(location)
    if point is None:
        return None
    lat, lon = point
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "place": location.name,
            "territory": _territory(location),
            **properties,
        },
    }


def _alerts_summary(total: int, still_open: int) -> str:
    alerts = ngettext("%(n)s alert", "%(n)s alerts", total) % {"n": total}
    return ngettext("%(alerts)s (%(n)s open)", "%(alerts)s (%(n)s open)", still_open) % {
        "alerts": alerts,
        "n": still_open,
    }


def alert_places(queryset: QuerySet[Alert]) -> dict:
    """One feature per place with alerts in `queryset`: how many, how many still open, the
    most urgent priority, the latest. Two queries."""
    rows = list(
        queryset.exclude(location__isnull=True)
        .order_by()
        .values("location_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=Alert.OPEN_STATUSES)),
            top_priority=Min("priority"),
            latest=Max("received_at"),
        )
    )
    places = _places(row["location_id"] for row in rows)
    queue = reverse("dashboard:queue")
    features = []
    for row in rows:
        location = places.get(row["location_id"])
        if location is None:
            continue
        feature = _point(
            location,
            {
                "kind": "alerts",
                "total": row["total"],
                "open": row["open"],
                "priority": row["top_priority"],
                "latest": timezone.localtime(row["latest"]).isoformat(),
                "url": f"{queue}?location={location.pk}&status=",
                "summary": _alerts_summary(row["total"], row["open"]),
            },
        )
        if feature:
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def incident_places(
    *,
    since: dt.datetime,
    until: dt.datetime | None = None,
    among: QuerySet[Incident] | None = None,
) -> dict:
    """Incidents (of `among`, else any) seen in the period, one feature each, at their place.
    Two queries."""
    incidents = (Incident.objects.all() if among is None else among).filter(
        last_seen_at__gte=since, location__isnull=False
    )
    if until is not None:
        incidents = incidents.filter(first_seen_at__lt=until)
    incidents = list(
        incidents.order_by("-last_seen_at").values(
            "pk",
            "location_id",
            "priority",
            "corroboration",
            "reporter_count",
            "mechanism_count",
            "categories",
            "last_seen_at",
        )[:2000]
    )
    places = _places(row["location_id"] for row in incidents)
    labels = dict(Incident.Corroboration.choices)
    features = []
    for row in incidents:
        location = places.get(row["location_id"])
        if location is None:
            continue
        feature = _point(
            location,
            {
                "kind": "incident",
                "id": row["pk"],
                "priority": row["priority"],
                "corroboration": row["corroboration"],
                "corroboration_label": str(labels.get(row["corroboration"], "")),
                "reporters": row["reporter_count"],
                "mechanisms": row["mechanism_count"],
                "categories": row["categories"],
                "latest": timezone.localtime(row["last_seen_at"]).isoformat(),
                "url": reverse("dashboard:incident", args=[row["pk"]]),
                "alerts_url": reverse("dashboard:incident", args=[row["pk"]]) + "#incident-alerts",
                "reporters_label": ngettext(
                    "%(n)s reporter", "%(n)s reporters", row["reporter_count"]
                )
                % {"n": row["reporter_count"]},
                "mechanisms_label": ngettext(
                    "%(n)s mechanism", "%(n)s mechanisms", row["mechanism_count"]
                )
                % {"n": row["mechanism_count"]},
            },
        )
        if feature:
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}
