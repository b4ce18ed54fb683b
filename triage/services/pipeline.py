"""The triage pipeline: language, categories and risk factors, priority, place; then status,
deadline, incident and assignee, in one transaction."""

import logging
import time
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from alerts.constants import MISSED_CALL_PRIORITY
from alerts.models import Alert, AlertEvent
from alerts.selectors import (
    annotated_outcomes,
    reliability_score,
    reporter_outcome_counts,
    reporter_outcomes,
)
from alerts.services import alert_event_build, alert_messages_withdraw
from core.prepared import forget_on_lost_statement, prepared
from core.writebatch import WriteBatch
from networks.models import FocalPoint, Location

from ..engine import Analysis, Place, PlaceIndex, analyse
from ..engine.lexicon import Lexicon, default_lexicon, load_lexicon
from ..models import Incident, IncidentEvent, LexiconTerm
from .assignment import analyst_from_row, analyst_take, analyst_take_sql, assignment_event
from .confidential import ConfidentialRoute, Original, confidential_route_for
from .deadlines import deadline_for
from .history import incident_reopened_event
from .incidents import (
    area_lock,
    area_lock_sql,
    candidates_sql,
    category_families,
    incident_choose,
    incident_counted_in,
)
from .informants import THREAT_TO_INFORMANT, alert_informant_threat

log = logging.getLogger(__name__)

PLACE_INDEX_TTL = 300  # seconds; gazetteer edits reach the workers within five minutes
CONFIDENTIAL_RULE = "confidential report: kept apart, only its priority and territory here"


@dataclass(frozen=True)
class _Gazetteer:
    built_at: float
    index: PlaceIndex
    places: dict[int, Place]  # as the engine wants them
    locations: dict[int, Location]  # with their ancestors, for grouping and assignment


_cache: _Gazetteer | None = None


def _place(location: Location) -> Place:
    territory = location.ancestor(Location.Kind.TERRITORY)
    province = location.ancestor(Location.Kind.PROVINCE)
    return Place(
        id=location.pk,
        name=location.name,
        alternate_names=tuple(location.alternate_names or ()),
        latitude=float(location.latitude) if location.latitude is not None else None,
        longitude=float(location.longitude) if location.longitude is not None else None,
        territory=territory.name if territory else None,
        province=province.name if province else None,
    )


def _gazetteer() -> _Gazetteer:
    """The gazetteer as the engine wants it (and by id), built once per process and refreshed
    now and then."""
    global _cache
    if _cache is None or time.monotonic() - _cache.built_at > PLACE_INDEX_TTL:
        locations = list(Location.objects.select_related("parent__parent__parent__parent"))
        places = [_place(loc) for loc in locations if loc.kind != Location.Kind.PROVINCE]
        _cache = _Gazetteer(
            built_at=time.monotonic(),
            index=PlaceIndex(places),
            places={place.id: place for place in places},
            locations={location.pk: location for location in locations},
        )
    return _cache


def place_index() -> PlaceIndex:
    return _gazetteer().index


def place_index_reset() -> None:
    global _cache
    _cache = None


_lexicon: tuple[float, Lexicon] | None = None


def current_lexicon() -> Lexicon:
    """The YAML lexicons plus the terms admins added (LexiconTerm), rebuilt now and then so an
    added term reaches every worker within minutes. A term the engine cannot take (it was
    checked when saved, but the files may have changed since) is logged and left out."""
    global _lexicon
    if _lexicon is None or time.monotonic() - _lexicon[0] > PLACE_INDEX_TTL:
        rows = [term.as_entry() for term in LexiconTerm.objects.filter(active=True)]
        lexicon = default_lexicon()
        if rows:
            try:
                lexicon = load_lexicon(rows)
            except (ValueError, TypeError):
                log.exception("triage: admin lexicon terms refused; using the files alone")
        _lexicon = (time.monotonic(), lexicon)
    return _lexicon[1]


def lexicon_reset() -> None:
    global _lexicon
    _lexicon = None


def _reporter_home_id(alert: Alert) -> int | None:
    if not alert.reporter_id:
        return None
    if hasattr(alert, "reporter_home_id"):  # annotated by alert_triage_by_id
        return alert.reporter_home_id
    return (
        FocalPoint.objects.filter(pk=alert.reporter_id)
        .values_list("home_location_id", flat=True)
        .first()
    )


def _reporter_reliability(alert: Alert) -> float | None:
    if not alert.reporter_id:
        return None
    outcomes = annotated_outcomes(alert)  # annotated by alert_triage_by_id
    if outcomes is None:
        outcomes = reporter_outcomes(reporter_id=alert.reporter_id)
    return reliability_score(outcomes)


def _analysis_for(alert: Alert) -> Analysis:
    return text_analysis(alert=alert, text=alert.text or "", hint_category=alert.category_hint)


def text_analysis(*, alert: Alert, text: str, hint_category: str = "") -> Analysis:
    """The engine's reading of `text` as `alert`'s reporter wrote it: their home place and
    reliability count as for the alert itself (the cached gazetteer and lexicon)."""
    gazetteer = _gazetteer()
    home_id = _reporter_home_id(alert)
    return analyse(
        text,
        gazetteer.index,
        reporter_home=gazetteer.places.get(home_id) if home_id else None,
        hint_category=hint_category or None,
        reporter_reliability=_reporter_reliability(alert),
        lexicon=current_lexicon(),
    )


def place_with_ancestors(location_id: int | None) -> Location | None:
    """A place with the ancestors up to its province (from the cached gazetteer)."""
    return _location(location_id)


def _location(location_id: int | None) -> Location | None:
    """The place with the ancestors that grouping and assignment climb to its territory: from
    the cached gazetteer, else (a place added since) from the database."""
    if location_id is None:
        return None
    location = _gazetteer().locations.get(location_id)
    if location is None:
        location = (
            Location.objects.select_related("parent__parent__parent__parent")
            .filter(pk=location_id)
            .first()
        )
    return location


def alert_triage(*, alert: Alert) -> Alert:
    """Classify, prioritise and place one alert, set its deadline, group it into an incident
    and give it to an on-duty analyst. Idempotent: an alert already triaged is left as it is,
    so a redelivered task (worker killed mid-task) is harmless. An alert someone acknowledged
    before triage reached it is still classified, keeping its status and its people."""
    if alert.triaged_at is not None:
        return alert
    analysis = _analysis_for(alert)  # outside the transaction: no lock is held while it runs
    priority = analysis.priority
    explanation = dict(analysis.explanation)
    if alert.source == Alert.Source.MISSED_CALL:
        # A missed call carries no words: priority 2 until someone calls back.
        priority = MISSED_CALL_PRIORITY
        explanation["priority_rule"] = "missed call: priority 2 until called back"
    changes = {
        "language": analysis.language,
        "categories": analysis.categories,
        "risk_factors": analysis.risk_factors,
        "priority": priority,
        "explanation": explanation,
        "triaged_at": timezone.now(),
        "sla_due_at": deadline_for(priority=priority, received_at=alert.received_at),
    }
    location = _location(alert.location_id or getattr(analysis.place, "id", None))
    route = confidential_route_for(alert=alert)
    confidential = None
    if route is not None:
        confidential, location = _confidential(alert, route, changes, location)
    seen = {name: getattr(alert, name) for name in _GUARDED}
    try:
        # Optimistic: the update only applies if nobody changed the alert since it was read.
        with transaction.atomic():
            written = _write(
                alert, dict(changes), location, analysis, seen=seen, confidential=confidential
            )
            return _triaged(written, confidential)
    except _Changed:
        pass
    # Someone did (acknowledged, assigned or placed it meanwhile, or a duplicate task triaged
    # it): read it again, this time holding its row until the end.
    with transaction.atomic():
        current = Alert.objects.select_for_update().filter(pk=alert.pk).values(*_GUARDED).first()
        if current is None or current["triaged_at"] is not None:
            return alert
        written = _write(
            alert,
            dict(changes),
            location,
            analysis,
            seen=current,
            locked=True,
            confidential=confidential,
        )
        return _triaged(written, confidential)


def _confidential(
    alert: Alert, route: ConfidentialRoute, changes: dict, location: Location | None
) -> tuple[tuple[ConfidentialRoute, Original], Location | None]:
    """A text a confidential route recognised: what the route keeps, and the stub's changes
    (no text, no sender, the place raised to its territory, priority and categories kept)."""
    exact = location if location is not None else _location(alert.location_id)
    original = Original(
        text=alert.text,
        sender=alert.sender,
        sender_hash=alert.sender_hash,
        reporter_id=alert.reporter_id,
        reporter_name=alert.reporter_name,
        location_id=exact.pk if exact is not None else None,
        language=changes["language"],
        priority=changes["priority"],
        categories=list(changes["categories"]),
    )
    territory = _territory(exact)
    changes.update(
        text=route.stub_text(territory.name if territory else None),
        sender="",
        sender_hash="",
        sender_known=False,
        reporter=None,
        reporter_name="",
        explanation={"priority_rule": CONFIDENTIAL_RULE},
    )
    return (route, original), territory


def _territory(location: Location | None) -> Location | None:
    """The place no finer than a territory: the territory above it, a province as it is."""
    if location is None:
        return None
    if location.kind == Location.Kind.PROVINCE:
        return location
    territory = location.ancestor(Location.Kind.TERRITORY)
    return _location(territory.pk) if territory is not None else None


def _triaged(alert: Alert, confidential: tuple[ConfidentialRoute, Original] | None) -> Alert:
    """What follows triage's decision, in its transaction: a threat to the reporter marks them
    at risk and tells the supervisors; a confidential text leaves the alert's messages and goes
    to its route (the stub keeps no reporter to mark)."""
    if confidential is not None:
        route, original = confidential
        alert_messages_withdraw(alert=alert, text=alert.text)
        route.take(alert=alert, original=original)
        return alert
    if THREAT_TO_INFORMANT in alert.categories:
        alert_informant_threat(alert=alert)
    return alert


# What triage's update relies on having read: it applies only if these are still the same.
_GUARDED = ("status", "triaged_at", "assignee_id", "incident_id", "location_id")


class _Changed(Exception):
    """The alert changed between its reading and triage's update: the transaction is undone."""


def _write(
    alert: Alert,
    changes: dict,
    location: Location | None,
    analysis: Analysis,
    *,
    seen: dict,
    locked: bool = False,
    confidential: tuple | None = None,
) -> Alert:
    """Triage's writes, inside the caller's transaction: the alert's one update (with its
    place, incident and assignee), the incident's figures, the history."""
    if seen["triaged_at"] is not None:
        return alert
    for name in ("status", "assignee_id", "incident_id", "location_id"):
        setattr(alert, name, seen[name])
    if seen["status"] == Alert.Status.NEW:
        changes["status"] = Alert.Status.TRIAGED
    placed_meanwhile = location is not None and seen["location_id"] not in (None, location.pk)
    if placed_meanwhile and confidential is None:
        location = _location(seen["location_id"])  # someone placed it meanwhile
    for name, value in changes.items():
        setattr(alert, name, value)
    group = (
        confidential is None  # a confidential report joins no incident
        and location is not None
        and not seen["incident_id"]
        and bool(category_families(alert.categories))  # `other` joins no incident
    )
    assign = (
        location is not None
        and not seen["assignee_id"]
        and alert.status == Alert.Status.TRIAGED  # not taken up before triage reached it
    )
    candidates, assignee = None, None
    if location is not None:
        found, candidates, assignee = _read_under_lock(alert, location, group=group, assign=assign)
        if not found:  # the cached place was deleted since the gazetteer was read
            location, group, assign = None, False, False
    if confidential is not None:  # the territory, whatever place the alert had
        changes.update(location=location, location_is_fallback=False)
        alert.location, alert.location_is_fallback = location, False
    elif location is not None and not seen["location_id"]:
        changes.update(location=location, location_is_fallback=analysis.place_is_fallback)
        alert.location, alert.location_is_fallback = location, analysis.place_is_fallback
    incident, opened = None, False
    if group:
        incident, opened = incident_choose(
            alert=alert, location=location, area_locked=True, candidates=candidates
        )
        if incident is not None:
            changes["incident"] = alert.incident = incident
    if assign and assignee is not None:
        changes["assignee"] = alert.assignee = assignee
    # One round trip for every write: the incident's figures, the history, then the alert's
    # update, whose row count (the last statement's) says whether the alert was still as read.
    batch = WriteBatch()
    if incident is not None and not opened:
        reopened = incident.is_resolved  # a resolved incident an alert joins is reopened
        batch.update_where(
            Incident, {"pk": incident.pk}, **incident_counted_in(incident=incident, alert=alert)
        )
        if reopened:
            batch.insert(IncidentEvent, [incident_reopened_event(incident=incident, alert=alert)])
    history = [
        alert_event_build(
            alert=alert,
            kind=AlertEvent.Kind.TRIAGED,
            after={
                "language": alert.language,
                "categories": alert.categories,
                "risk_factors": alert.risk_factors,
                "priority": alert.priority,
                "location": alert.location_id,
            },
        )
    ]
    if assignee is not None:
        history.append(assignment_event(alert=alert, analyst=assignee))
    batch.insert(AlertEvent, history)
    guards = {} if locked else {name: seen[name] for name in _GUARDED}
    batch.update_where(Alert, {"pk": alert.pk, **guards}, **changes)
    if not batch.execute():
        raise _Changed
    return alert


# What triage reads under the area lock, on PostgreSQL in the same round trip as the lock
# itself: whether the place still exists, the analyst it goes to (taken, see analyst_take),
# the candidate incidents (see incident_choose). Each statement of a query string sees what
# was committed before it ran, so the candidates are read once the lock is held.
_UNDER_LOCK_SQL = """
WITH here AS (SELECT EXISTS (SELECT 1 FROM {location} WHERE id = %s) AS place_exists),
taken (taken_id, taken_username) AS ({take})
SELECT here.place_exists, taken.taken_id, taken.taken_username, c.*
FROM here LEFT JOIN taken ON true LEFT JOIN LATERAL ({candidates}) c ON true
"""
_NOBODY_SQL = "SELECT NULL::bigint, NULL::text WHERE false"
_NO_CANDIDATES_SQL = "SELECT NULL::bigint AS id WHERE false"


def _read_under_lock(
    alert: Alert, location: Location, *, group: bool, assign: bool
) -> tuple[bool, list[Incident] | None, User | None]:
    """Take the area lock (see area_lock); then whether the place exists, the candidate
    incidents when `group` (None: not read here), the analyst taken when `assign`."""
    lock, lock_params = area_lock_sql(location=location)
    take = analyst_take_sql(location=location, guard="AND (SELECT place_exists FROM here)")
    if connection.vendor != "postgresql":
        found = location.pk in area_lock(location=location)
        assignee = None
        if found and assign and take is not None:
            assignee = analyst_take(location=location)
        return found, None, assignee
    take_sql, take_params = take if assign and take is not None else (_NOBODY_SQL, [])
    if group:
        candidates, candidate_params = candidates_sql(alert=alert, location=location)
    else:
        candidates, candidate_params = _NO_CANDIDATES_SQL, []
    sql = _UNDER_LOCK_SQL.format(
        location=Location._meta.db_table, take=take_sql, candidates=candidates
    )
    rows = list(
        Incident.objects.raw(
            f"{prepared(lock)}; {prepared(sql)}",
            [*lock_params, location.pk, *take_params, *candidate_params],
        )
    )
    first = rows[0]
    assignee = analyst_from_row((first.taken_id, first.taken_username))
    incidents = [row for row in rows if row.pk is not None] if group else None
    return bool(first.place_exists), incidents, assignee


_ANY_ID = -7_392_641  # stands for the alert's id while the read's SQL is built


@lru_cache(maxsize=4)
def _read_sql(vendor: str) -> tuple[str, tuple, int]:
    """The read of an alert with its reporter's home and record, as the ORM writes it; built
    once per process (building it cost more than running it) with the id's position among
    its parameters."""
    read = (
        Alert.objects.annotate(
            reporter_home_id=F("reporter__home_location_id"), **reporter_outcome_counts()
        )
        .defer("sender")  # triage never reads the number: no decryption
        .filter(pk=_ANY_ID)
        .order_by()[:1]
    )
    sql, params = read.query.sql_with_params()
    return sql, tuple(params), params.index(_ANY_ID)


def alert_triage_by_id(*, alert_id: int) -> Alert | None:
    sql, params, at = _read_sql(connection.vendor)
    params = [*params[:at], alert_id, *params[at + 1 :]]
    with forget_on_lost_statement():
        found = list(Alert.objects.raw(prepared(sql), params))
        if not found:
            log.warning("triage: alert %s does not exist (deleted?)", alert_id)
            return None
        return alert_triage(alert=found[0])
