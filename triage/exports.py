"""Incidents for partners: CSV, HXL-tagged CSV and GeoJSON, streamed. An incident carries
counts of reporters and mechanisms, never who they are, nor where they live: an incident placed
only at a reporter's home (no alert of it names that place) goes out at its territory."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from alerts.exports import (
    Column,
    export_stream,
    place_ancestor,
    place_coordinates,
    shared_place,
)
from networks.models import Location

from .models import Incident
from .selectors import incidents_with_place_is_home

CHUNK = 2000
_PLACE_DEPTH = 5
_PLACE_PATH = "location" + "__parent" * _PLACE_DEPTH

COLUMNS = (
    Column("reference", "reference", "#event+id"),
    Column("first_seen_at", "first_seen_at", "#date+start"),
    Column("last_seen_at", "last_seen_at", "#date+end"),
    Column("priority", "priority", "#severity"),
    Column("categories", "categories", "#event+type"),
    Column("corroboration", "corroboration", "#status+corroboration"),
    Column("alerts", "alerts", "#indicator+alerts+num"),
    Column("reporters", "independent_reporters", "#indicator+reporters+num"),
    Column("mechanisms", "mechanisms", "#indicator+mechanisms+num"),
    Column("province", "province", "#adm1+name"),
    Column("territory", "territory", "#adm2+name"),
    Column("place", "place", "#loc+name"),
    Column("latitude", "latitude", "#geo+lat"),
    Column("longitude", "longitude", "#geo+lon"),
)


def _iso(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def incident_record(incident: Incident) -> dict:
    """One incident as an export row (annotated by incidents_with_place_is_home)."""
    place = shared_place(incident.location, is_home=incident.place_is_home)
    lat, lon = place_coordinates(place)
    return {
        "reference": str(incident),
        "first_seen_at": _iso(incident.first_seen_at),
        "last_seen_at": _iso(incident.last_seen_at),
        "priority": incident.priority,
        "categories": list(incident.categories or ()),
        "corroboration": incident.corroboration,
        "alerts": incident.alert_count,
        "reporters": incident.reporter_count,
        "mechanisms": incident.mechanism_count,
        "province": place_ancestor(place, Location.Kind.PROVINCE),
        "territory": place_ancestor(place, Location.Kind.TERRITORY),
        "place": place.name if place else "",
        "latitude": lat,
        "longitude": lon,
    }


def incident_export_stream(queryset: QuerySet[Incident], *, file_format: str) -> Iterator[str]:
    incidents = incidents_with_place_is_home(
        queryset.select_related(None).select_related(_PLACE_PATH)
    )
    records = (incident_record(i) for i in incidents.iterator(chunk_size=CHUNK))
    return export_stream(COLUMNS, records, file_format=file_format)
