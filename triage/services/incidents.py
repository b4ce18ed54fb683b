"""Incidents: alerts about the same or a neighbouring place within a time window, with how many
independent reporters and mechanisms stand behind them.

Triage calls `alert_group` inside its own transaction; analysts correct the grouping with
`incident_merge` and `incident_split`. Counts are always recomputed from the alerts themselves.
A resolved incident an alert joins is reopened (see triage.services.resolution).
"""

import math
from dataclasses import dataclass
from functools import lru_cache

import yaml
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import Alert, AlertEvent
from alerts.services import alert_event_record
from core.taxonomy import CATEGORY_CODES
from networks.models import Location

from ..constants import INCIDENT_RULES_FILE, MECHANISM_LABELS
from ..geo import bounding_box, distance_km, radius_km
from ..models import Incident, IncidentEvent
from ..selectors import incident_window
from .history import (
    REOPENED,
    incident_event_record,
    incident_reopened_apply,
    incident_reopened_event,
    working_language,
)


class IncidentRefused(ValueError):
    """A merge or split that must not happen; the message says why, for people."""


@dataclass(frozen=True)
class GroupingRules:
    families: dict[str, frozenset[str]]  # category -> the families it belongs to
    mechanisms: dict[str, str]  # alert source -> mechanism


@lru_cache(maxsize=1)
def grouping_rules() -> GroupingRules:
    data = yaml.safe_load(INCIDENT_RULES_FILE.read_text(encoding="utf-8"))
    families: dict[str, set[str]] = {}
    for family, categories in data["category_families"].items():
        for category in categories:
            families.setdefault(category, set()).add(family)
    mechanisms = {
        source: mechanism for mechanism, sources in data["mechanisms"].items() for source in sources
    }
    unknown = set(mechanisms.values()) - set(MECHANISM_LABELS)
    if unknown or set(Alert.Source.values) - set(mechanisms):
        raise ValueError(f"{INCIDENT_RULES_FILE}: every alert source needs a known mechanism")
    return GroupingRules(
        families={category: frozenset(names) for category, names in families.items()},
        mechanisms=mechanisms,
    )


def category_families(categories) -> frozenset[str]:
    """The families of these categories: alerts may share an incident only when these meet."""
    rules = grouping_rules()
    found: set[str] = set()
    for category in categories or ():
        found |= rules.families.get(category, frozenset())
    return frozenset(found)


def mechanism_of(source: str) -> str:
    return grouping_rules().mechanisms[source]


_AREA_LOCK_SQL = "SELECT id FROM {table} WHERE id IN (%s, %s) ORDER BY id{lock}"


def area_lock(*, location: Location) -> set[int]:
    """Serialise grouping around one territory until the transaction ends: two workers
    triaging alerts about the same place at the same moment would otherwise each find no
    incident and open one each. (SQLite serialises every writing transaction anyway.) Locks the
    place's row too and returns the ids of the two that exist: a cached place may be gone."""
    sql, params = area_lock_sql(location=location)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk for (pk,) in cursor.fetchall()}


def area_lock_sql(*, location: Location) -> tuple[str, list]:
    """The statement of area_lock, for a caller that sends it with others."""
    anchor = location.ancestor(Location.Kind.TERRITORY) or location
    # Hand-written: it runs for every placed alert (see _CANDIDATES_SQL). One order of the
    # rows for everyone: no deadlock.
    sql = _AREA_LOCK_SQL.format(
        table=Location._meta.db_table,
        lock=" FOR UPDATE" if connection.features.has_select_for_update else "",
    )
    return sql, [location.pk, anchor.pk]


# Hand-written because it runs for every placed alert, where building the ORM query (a
# bounding box across a join, a correlated EXISTS) cost more than running it. It also asks,
# to spare a round trip, whether this reporter already spoke in each incident (see
# incident_count_in).
_CANDIDATES_SQL = """
SELECT i.*, l.latitude AS place_latitude, l.longitude AS place_longitude,
  EXISTS (
    SELECT 1 FROM {alert} al WHERE al.incident_id = i.id AND al.id <> %s AND {same_reporter}
  ) AS reporter_known
FROM {incident} i JOIN {location} l ON l.id = i.location_id
WHERE i.last_seen_at >= %s AND i.first_seen_at <= %s AND ({near})
ORDER BY i.last_seen_at DESC, i.id DESC
LIMIT 50
"""


def _candidates(*, alert: Alert, location: Location) -> list[Incident]:
    """Incidents about this place or one in the radius' bounding box, whose alerts came in
    within the window of this one's: the most recent 50."""
    return list(Incident.objects.raw(*candidates_sql(alert=alert, location=location)))


def candidates_sql(*, alert: Alert, location: Location) -> tuple[str, list]:
    """The statement of _candidates, for a caller that sends it with others."""
    window = incident_window()
    same_reporter, reporter_params = _same_reporter_sql(alert)
    near, near_params = "i.location_id = %s", [location.pk]
    box = bounding_box(location)
    if box is not None:
        near += " OR (l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s)"
        near_params += list(box)
    sql = _CANDIDATES_SQL.format(
        alert=Alert._meta.db_table,
        incident=Incident._meta.db_table,
        location=Location._meta.db_table,
        same_reporter=same_reporter,
        near=near,
    )
    seen = Incident._meta.get_field("last_seen_at")
    params = [
        alert.pk,
        *reporter_params,
        seen.get_db_prep_value(alert.received_at - window, connection),
        seen.get_db_prep_value(alert.received_at + window, connection),
        *near_params,
    ]
    return sql, params


def _incident_for(
    *, alert: Alert, location: Location, candidates: list[Incident] | None = None
) -> Incident | None:
    """The open incident this alert belongs to: near enough, within the window of its alerts'
    received times, with a category family in common. The nearest wins, then the latest. (The
    area lock keeps merges and splits, which take it too, from changing them meanwhile.)
    `candidates`: those of candidates_sql when the caller has read them already."""
    families = category_families(alert.categories)
    best, best_key = None, None
    if candidates is None:
        candidates = _candidates(alert=alert, location=location)
    for incident in candidates:
        if not category_families(incident.categories) & families:
            continue
        place = Location(
            pk=incident.location_id,
            latitude=incident.place_latitude,
            longitude=incident.place_longitude,
        )
        distance = distance_km(place, location)
        if distance > radius_km():
            continue
        incident.reporter_known = bool(incident.reporter_known)
        key = (distance, -incident.last_seen_at.timestamp(), -incident.pk)
        if best_key is None or key < best_key:
            best, best_key = incident, key
    return best


def incident_choose(
    *,
    alert: Alert,
    location: Location,
    area_locked: bool = False,
    candidates: list[Incident] | None = None,
) -> tuple[Incident | None, bool]:
    """The incident a freshly triaged alert belongs to, opened (with the alert's own figures)
    when there is none yet; and whether it was opened. None for an alert whose categories
    belong to no family (`other`). Runs inside the caller's transaction, which must then link
    the alert (`alert.incident`) and call `incident_count_in`. `candidates`: as read by
    candidates_sql under the area lock, when the caller has read them already."""
    if not category_families(alert.categories):
        return None, False
    if not area_locked:
        area_lock(location=location)
    incident = _incident_for(alert=alert, location=location, candidates=candidates)
    if incident is not None:
        return incident, False
    mechanism = mechanism_of(alert.source)
    incident = Incident.objects.create(
        location=location,
        categories=_ordered(set(alert.categories)),
        priority=alert.priority,
        first_seen_at=alert.received_at,
        last_seen_at=alert.received_at,
        alert_count=1,
        reporter_count=1,
        mechanism_count=1,
        mechanisms=[mechanism],
        corroboration=Incident.Corroboration.SINGLE,
    )
    return incident, True


def incident_count_in(*, incident: Incident, alert: Alert) -> Incident:
    """Add a newly linked alert to the incident's figures without reading all its alerts: one
    question (has this reporter spoken in it before? already answered when the incident was
    chosen) and one update. A resolved incident is reopened, and its history says by which
    alert."""
    reopened = incident.is_resolved
    values = incident_counted_in(incident=incident, alert=alert)
    Incident.objects.filter(pk=incident.pk).update(**values)
    if reopened:
        incident_reopened_event(incident=incident, alert=alert).save(force_insert=True)
    return incident


def incident_counted_in(*, incident: Incident, alert: Alert) -> dict:
    """The incident's figures with a newly linked alert added, set on `incident` and returned
    for the caller to write (see incident_count_in). A resolved incident's values reopen it:
    the caller then writes incident_reopened_event too."""
    known = getattr(incident, "reporter_known", None)
    if known is None:
        others = Alert.objects.filter(incident=incident).exclude(pk=alert.pk)
        known = others.filter(_same_reporter(alert)).exists()
    mechanisms = set(incident.mechanisms or ()) | {mechanism_of(alert.source)}
    priorities = [p for p in (incident.priority, alert.priority) if p is not None]
    values = {
        "alert_count": incident.alert_count + 1,
        "reporter_count": incident.reporter_count + (0 if known else 1),
        "mechanisms": [code for code in MECHANISM_LABELS if code in mechanisms],
        "priority": min(priorities) if priorities else None,
        "categories": _ordered(set(incident.categories or ()) | set(alert.categories or ())),
        "first_seen_at": min(incident.first_seen_at, alert.received_at),
        "last_seen_at": max(incident.last_seen_at, alert.received_at),
    }
    values["mechanism_count"] = len(values["mechanisms"])
    values["corroboration"] = corroboration_of(
        reporters=values["reporter_count"], mechanisms=values["mechanism_count"]
    )
    if incident.is_resolved:
        values.update(REOPENED)
    for name, value in values.items():
        setattr(incident, name, value)
    return values


def alert_group(*, alert: Alert, location: Location) -> Incident | None:
    """Put a triaged alert into the incident it belongs to, or open one, inside the caller's
    transaction (the pipeline does the same steps within its own update). An alert without a
    place, or whose categories belong to no family (`other`), joins nothing."""
    if alert.incident_id:
        return None
    incident, created = incident_choose(alert=alert, location=location)
    if incident is None:
        return None
    Alert.objects.filter(pk=alert.pk).update(incident=incident)
    alert.incident = incident
    if not created:
        incident_count_in(incident=incident, alert=alert)
    return incident


def _ordered(categories: set[str]) -> list[str]:
    """Categories in the taxonomy's order (unknown codes last, sorted)."""
    return [c for c in CATEGORY_CODES if c in categories] + sorted(categories - set(CATEGORY_CODES))


def _same_reporter_sql(alert: Alert) -> tuple[str, list]:
    """_same_reporter for the hand-written candidates query (alerts aliased `al`)."""
    if alert.reporter_id:
        return "al.reporter_id = %s", [alert.reporter_id]
    if alert.sender_hash:
        return "al.reporter_id IS NULL AND al.sender_hash = %s", [alert.sender_hash]
    if alert.created_by_id:
        return (
            "al.reporter_id IS NULL AND al.sender_hash = '' AND al.created_by_id = %s",
            [alert.created_by_id],
        )
    return "al.reporter_id IS NULL AND al.sender_hash = '' AND al.created_by_id IS NULL", []


def _same_reporter(alert: Alert) -> Q:
    """Alerts with the same reporter key as this one (see _reporter_key)."""
    if alert.reporter_id:
        return Q(reporter_id=alert.reporter_id)
    if alert.sender_hash:
        return Q(reporter__isnull=True, sender_hash=alert.sender_hash)
    if alert.created_by_id:
        return Q(reporter__isnull=True, sender_hash="", created_by_id=alert.created_by_id)
    return Q(reporter__isnull=True, sender_hash="", created_by__isnull=True)


def _reporter_key(reporter_id, sender_hash: str, created_by_id) -> str:
    """Who stands behind an alert: the focal point, else the sending number, else the staff
    member who raised it. Alerts that say nothing of their source count together as one."""
    if reporter_id:
        return f"focal_point:{reporter_id}"
    if sender_hash:
        return f"number:{sender_hash}"
    if created_by_id:
        return f"user:{created_by_id}"
    return "unknown"


def corroboration_of(*, reporters: int, mechanisms: int) -> str:
    if reporters < 2:
        return Incident.Corroboration.SINGLE
    if mechanisms < 2:
        return Incident.Corroboration.SOURCES
    return Incident.Corroboration.MECHANISMS


def incident_recount(*, incident: Incident) -> Incident | None:
    """Recompute what an incident shows from its alerts: counts, corroboration, priority (the
    most urgent), categories (all of them), first and last seen. An incident left without
    alerts is deleted (None)."""
    rows = list(
        Alert.objects.filter(incident=incident).values_list(
            "reporter_id",
            "sender_hash",
            "created_by_id",
            "source",
            "priority",
            "categories",
            "received_at",
        )
    )
    if not rows:
        incident.delete()
        return None
    reporters = {_reporter_key(r[0], r[1], r[2]) for r in rows}
    used = {mechanism_of(r[3]) for r in rows}
    mechanisms = [code for code in MECHANISM_LABELS if code in used]
    categories = {c for r in rows for c in (r[5] or ())}
    priorities = [r[4] for r in rows if r[4] is not None]
    values = {
        "alert_count": len(rows),
        "reporter_count": len(reporters),
        "mechanism_count": len(mechanisms),
        "mechanisms": mechanisms,
        "corroboration": corroboration_of(reporters=len(reporters), mechanisms=len(mechanisms)),
        "priority": min(priorities) if priorities else None,
        "categories": _ordered(categories),
        "first_seen_at": min(r[6] for r in rows),
        "last_seen_at": max(r[6] for r in rows),
    }
    Incident.objects.filter(pk=incident.pk).update(**values)
    for name, value in values.items():
        setattr(incident, name, value)
    return incident


def areas_lock(*incidents: Incident) -> None:
    """Take the area locks triage takes before grouping, so that no alert joins an incident
    while it is merged or split. Territories in id order: two merges never wait on each other
    crosswise."""
    ids = {incident.location_id for incident in incidents if incident.location_id}
    anchors = set()
    for location in Location.objects.select_related("parent__parent__parent__parent").filter(
        pk__in=ids
    ):
        anchors.add((location.ancestor(Location.Kind.TERRITORY) or location).pk)
    list(
        Location.objects.select_for_update()
        .filter(pk__in=anchors)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def incidents_locked(*pks: int) -> dict[int, Incident]:
    rows = Incident.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {incident.pk: incident for incident in rows}


@transaction.atomic
def incident_merge(*, incident: Incident, other: Incident, by) -> Incident:
    """Move every alert of `other` into `incident` and delete `other`. Refused for the same
    incident twice, and across places farther apart than the grouping radius (or whose
    distance cannot be told): the grouping never merges across distant places."""
    if incident.pk == other.pk:
        raise IncidentRefused(_("An incident cannot be merged with itself."))
    areas_lock(incident, other)
    locked = incidents_locked(incident.pk, other.pk)
    if incident.pk not in locked or other.pk not in locked:
        raise IncidentRefused(_("This incident no longer exists: it was merged meanwhile."))
    incident, other = locked[incident.pk], locked[other.pk]
    places = Location.objects.in_bulk([incident.location_id, other.location_id])
    here, there = places.get(incident.location_id), places.get(other.location_id)
    if here is None or there is None or incident.location_id != other.location_id:
        distance = distance_km(here, there) if here and there else math.inf
        if distance > radius_km():
            raise IncidentRefused(_far_apart(incident, here, other, there, distance))
    moving = list(Alert.objects.filter(incident=other).only("pk", "received_at"))
    Alert.objects.filter(incident=other).update(incident=incident)
    for alert in moving:
        alert_event_record(
            alert=alert,
            kind=AlertEvent.Kind.INCIDENT_MERGED,
            by=by,
            before=other.pk,
            after=incident.pk,
        )
    # The merged incident's history goes on here; an open one joining a resolved one brings
    # work still to do: the result is open.
    IncidentEvent.objects.filter(incident=other).update(incident=incident)
    if incident.is_resolved and not other.is_resolved:
        incident_reopened_apply(incident=incident)
        incident_event_record(
            incident=incident,
            kind=IncidentEvent.Kind.REOPENED,
            by=by,
            note=working_language(gettext_lazy("%(other)s, still open, was merged into it."))
            % {"other": other.reference},
            merged=other.pk,
        )
    other.delete()
    return incident_recount(incident=incident)


def _far_apart(incident, here, other, there, distance: float) -> str:
    names = {
        "a": incident.reference,
        "a_place": here.name if here else _("no place"),
        "b": other.reference,
        "b_place": there.name if there else _("no place"),
        "radius": settings.INCIDENT_RADIUS_KM,
    }
    if math.isinf(distance):
        return (
            _(
                "%(a)s (%(a_place)s) and %(b)s (%(b_place)s) cannot be merged: how far apart "
                "their places are is unknown (no coordinates), and incidents are only merged "
                "within %(radius)s km."
            )
            % names
        )
    return _(
        "%(a)s (%(a_place)s) and %(b)s (%(b_place)s) are %(km)s km apart: incidents are "
        "only merged within %(radius)s km."
    ) % {**names, "km": f"{distance:.0f}"}


@transaction.atomic
def incident_split(*, incident: Incident, alert_ids, by) -> Incident:
    """Move the chosen alerts out of `incident` into a new incident (about the place of the
    earliest of them) and recount both. At least one alert must stay behind."""
    wanted = {int(pk) for pk in alert_ids}
    if not wanted:
        raise IncidentRefused(_("Choose at least one alert to split out."))
    areas_lock(incident)
    locked = incidents_locked(incident.pk)
    if incident.pk not in locked:
        raise IncidentRefused(_("This incident no longer exists: it was merged meanwhile."))
    incident = locked[incident.pk]  # as it stands now (resolved or not)
    members = set(Alert.objects.filter(incident=incident).values_list("pk", flat=True))
    strangers = wanted - members
    if strangers:
        raise IncidentRefused(
            _("These alerts are not in %(incident)s: %(ids)s.")
            % {"incident": incident.reference, "ids": ", ".join(map(str, sorted(strangers)))}
        )
    if wanted == members:
        raise IncidentRefused(
            _("Keep at least one alert in %(incident)s: splitting out all of them changes nothing.")
            % {"incident": incident.reference}
        )
    moving = list(
        Alert.objects.filter(pk__in=wanted)
        .only("pk", "location", "received_at")
        .order_by("received_at", "pk")
    )
    location_id = next((a.location_id for a in moving if a.location_id), incident.location_id)
    # Alerts split out of a resolved incident stay resolved: they were closed with it.
    new = Incident.objects.create(
        location_id=location_id,
        resolved_at=incident.resolved_at,
        resolved_by_id=incident.resolved_by_id,
        resolution_note=incident.resolution_note,
    )
    Alert.objects.filter(pk__in=wanted).update(incident=new)
    for alert in moving:
        alert_event_record(
            alert=alert,
            kind=AlertEvent.Kind.INCIDENT_SPLIT,
            by=by,
            before=incident.pk,
            after=new.pk,
        )
    if new.is_resolved:
        incident_event_record(
            incident=new,
            kind=IncidentEvent.Kind.RESOLVED,
            by=by,
            note=working_language(gettext_lazy("Split out of %(incident)s, which was resolved."))
            % {"incident": incident.reference},
            split_from=incident.pk,
        )
    incident_recount(incident=incident)
    return incident_recount(incident=new)
