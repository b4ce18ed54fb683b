"""The triage pipeline: language, categories and risk factors, priority, place; then status."""

import logging
import time

from django.db import transaction
from django.utils import timezone

from alerts.models import Alert
from networks.models import Location

from .engine import Analysis, Place, PlaceIndex, analyse

log = logging.getLogger(__name__)

PLACE_INDEX_TTL = 300  # seconds; gazetteer edits reach the workers within five minutes
MISSED_CALL_PRIORITY = 2
_index: tuple[float, PlaceIndex] | None = None


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


def place_index() -> PlaceIndex:
    """The gazetteer as the engine wants it, built once per process and refreshed now and then."""
    global _index
    if _index is None or time.monotonic() - _index[0] > PLACE_INDEX_TTL:
        locations = list(Location.objects.select_related("parent__parent__parent__parent"))
        places = [_place(loc) for loc in locations if loc.kind != Location.Kind.PROVINCE]
        _index = (time.monotonic(), PlaceIndex(places))
    return _index[1]


def place_index_reset() -> None:
    global _index
    _index = None


def _analysis_for(alert: Alert) -> Analysis:
    home = alert.reporter.home_location if alert.reporter_id else None
    return analyse(
        alert.text or "",
        place_index(),
        reporter_home=_place(home) if home is not None else None,
        hint_category=alert.category_hint or None,
    )


def alert_triage(*, alert: Alert) -> Alert:
    """Classify, prioritise and place one alert. Idempotent: an alert already triaged is left
    as it is, so a redelivered task (worker killed mid-task) is harmless."""
    if alert.status != Alert.Status.NEW:
        return alert
    analysis = _analysis_for(alert)
    priority = analysis.priority
    explanation = dict(analysis.explanation)
    if alert.source == Alert.Source.MISSED_CALL:
        # A missed call carries no words: priority 2 until someone calls back.
        priority = MISSED_CALL_PRIORITY
        explanation["priority_rule"] = "missed call: priority 2 until called back"
    location = None
    fallback = False
    if alert.location_id:
        location = alert.location
    elif analysis.place is not None:
        location = Location.objects.filter(pk=analysis.place.id).first()
        fallback = analysis.place_is_fallback
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, status=Alert.Status.NEW).update(
            status=Alert.Status.TRIAGED,
            language=analysis.language,
            categories=analysis.categories,
            risk_factors=analysis.risk_factors,
            priority=priority,
            location=location,
            location_is_fallback=fallback,
            explanation=explanation,
            triaged_at=timezone.now(),
        )
    if updated:
        alert.refresh_from_db()
    return alert


def alert_triage_by_id(*, alert_id: int) -> Alert | None:
    alert = Alert.objects.select_related("reporter__home_location").filter(pk=alert_id).first()
    if alert is None:
        log.warning("triage: alert %s does not exist (deleted?)", alert_id)
        return None
    return alert_triage(alert=alert)
