"""The triage pipeline: language, categories and risk factors, priority, place; then status,
deadline, incident and assignee, in one transaction."""

import logging
import time

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from alerts.constants import MISSED_CALL_PRIORITY
from alerts.models import Alert, AlertEvent
from alerts.selectors import reporter_reliability
from alerts.services import alert_event_record
from networks.models import FocalPoint, Location

from ..engine import Analysis, Place, PlaceIndex, analyse
from .assignment import alert_assign_auto
from .deadlines import deadline_for
from .incidents import alert_group

log = logging.getLogger(__name__)

PLACE_INDEX_TTL = 300  # seconds; gazetteer edits reach the workers within five minutes
_index: tuple[float, PlaceIndex, dict[int, Place]] | None = None


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


def _gazetteer() -> tuple[PlaceIndex, dict[int, Place]]:
    """The gazetteer as the engine wants it (and by id), built once per process and refreshed
    now and then."""
    global _index
    if _index is None or time.monotonic() - _index[0] > PLACE_INDEX_TTL:
        locations = list(Location.objects.select_related("parent__parent__parent__parent"))
        places = [_place(loc) for loc in locations if loc.kind != Location.Kind.PROVINCE]
        _index = (time.monotonic(), PlaceIndex(places), {place.id: place for place in places})
    return _index[1], _index[2]


def place_index() -> PlaceIndex:
    return _gazetteer()[0]


def place_index_reset() -> None:
    global _index
    _index = None


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


def _analysis_for(alert: Alert) -> Analysis:
    index, by_id = _gazetteer()
    home_id = _reporter_home_id(alert)
    return analyse(
        alert.text or "",
        index,
        reporter_home=by_id.get(home_id) if home_id else None,
        hint_category=alert.category_hint or None,
        reporter_reliability=(
            reporter_reliability(reporter_id=alert.reporter_id) if alert.reporter_id else None
        ),
    )


def _location_with_ancestors(location_id: int | None) -> Location | None:
    """The place read fresh (the gazetteer is cached: it may have been deleted since), with the
    ancestors that grouping and assignment climb to its territory."""
    if location_id is None:
        return None
    return (
        Location.objects.select_related("parent__parent__parent__parent")
        .filter(pk=location_id)
        .first()
    )


def alert_triage(*, alert: Alert) -> Alert:
    """Classify, prioritise and place one alert. Idempotent: an alert already triaged is left
    as it is, so a redelivered task (worker killed mid-task) is harmless. An alert someone
    acknowledged before triage reached it is still classified, keeping its status."""
    if alert.triaged_at is not None:
        return alert
    analysis = _analysis_for(alert)
    priority = analysis.priority
    explanation = dict(analysis.explanation)
    if alert.source == Alert.Source.MISSED_CALL:
        # A missed call carries no words: priority 2 until someone calls back.
        priority = MISSED_CALL_PRIORITY
        explanation["priority_rule"] = "missed call: priority 2 until called back"
    changes = {
        "status": Case(
            When(status=Alert.Status.NEW, then=Value(Alert.Status.TRIAGED)), default=F("status")
        ),
        "language": analysis.language,
        "categories": analysis.categories,
        "risk_factors": analysis.risk_factors,
        "priority": priority,
        "explanation": explanation,
        "triaged_at": timezone.now(),
        "sla_due_at": deadline_for(priority=priority, received_at=alert.received_at),
    }
    location = _location_with_ancestors(alert.location_id or getattr(analysis.place, "id", None))
    if not alert.location_id and location is not None:
        changes.update(location_id=location.pk, location_is_fallback=analysis.place_is_fallback)
    # Only an alert not yet triaged is updated: a second delivery of the task changes nothing.
    with transaction.atomic():
        if not Alert.objects.filter(pk=alert.pk, triaged_at__isnull=True).update(**changes):
            return alert
        del changes["status"]
        for name, value in changes.items():
            setattr(alert, name, value)
        # Someone may have acknowledged it meanwhile: read back the status the update kept.
        alert.status = Alert.objects.values_list("status", flat=True).get(pk=alert.pk)
        alert_event_record(
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
        if location is not None:
            alert_group(alert=alert, location=location)
            alert_assign_auto(alert=alert, location=location)
    return alert


def alert_triage_by_id(*, alert_id: int) -> Alert | None:
    alert = (
        Alert.objects.annotate(reporter_home_id=F("reporter__home_location_id"))
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        log.warning("triage: alert %s does not exist (deleted?)", alert_id)
        return None
    return alert_triage(alert=alert)
