"""Alerts for partners: CSV, HXL-tagged CSV and GeoJSON, streamed, never naming who reported nor
pointing at where they live (an alert placed only at its reporter's home goes out at its
territory).

The Humanitarian Exchange Language (HXL) adds a row of hashtags under the headers so
humanitarian data platforms can read the columns without a mapping.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from networks.models import Location

from .models import Alert

FORMATS = ("csv", "hxl", "geojson")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}
EXTENSIONS = {"csv": "csv", "hxl": "hxl.csv", "geojson": "geojson"}
CHUNK = 2000
# Deep enough for a locality: locality → village → groupement → chiefdom → territory → province.
_PLACE_DEPTH = 5
_PLACE_PATH = "location" + "__parent" * _PLACE_DEPTH
_PLACE_FIELDS = tuple(
    f"location{'__parent' * depth}__{field}"
    for depth in range(_PLACE_DEPTH + 1)
    for field in ("name", "kind", "latitude", "longitude", "parent")
)
CAN_SOURCES = frozenset({Alert.Source.SMS, Alert.Source.VOICE, Alert.Source.MISSED_CALL})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    hxl: str


COLUMNS = (
    Column("reference", "reference", "#meta+id"),
    Column("received_at", "received_at", "#date+received"),
    Column("triaged_at", "triaged_at", "#date+triaged"),
    Column("acknowledged_at", "acknowledged_at", "#date+acknowledged"),
    Column("closed_at", "closed_at", "#date+closed"),
    Column("status", "status", "#status"),
    Column("outcome", "outcome", "#status+outcome"),
    Column("priority", "priority", "#severity"),
    Column("categories", "categories", "#event+type"),
    Column("risk_factors", "risk_factors", "#indicator+risk_factors"),
    Column("mechanism", "mechanism", "#meta+source"),
    Column("source", "source", "#meta+channel"),
    Column("incident", "incident", "#event+id+incident"),
    Column("province", "province", "#adm1+name"),
    Column("territory", "territory", "#adm2+name"),
    Column("place", "place", "#loc+name"),
    Column("place_is_fallback", "place_is_fallback", "#loc+fallback"),
    Column("latitude", "latitude", "#geo+lat"),
    Column("longitude", "longitude", "#geo+lon"),
    Column("language", "language", "#meta+lang"),
)
TEXT_COLUMN = Column("text", "text", "#description")


def export_queryset(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    """Only what an export reads: never the reporter, the sender number or the raw payloads."""
    return (
        queryset.select_related(None)
        .select_related(_PLACE_PATH)
        .only(
            "id",
            "received_at",
            "triaged_at",
            "acknowledged_at",
            "closed_at",
            "status",
            "outcome",
            "priority",
            "categories",
            "risk_factors",
            "source",
            "incident",
            "location_is_fallback",
            "language",
            "text",
            "location",
            *_PLACE_FIELDS,
        )
    )


def _iso(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _mechanism(source: str) -> str:
    return "can" if source in CAN_SOURCES else source


def place_ancestor_node(location: Location | None, kind: str) -> Location | None:
    node = location
    while node is not None:
        if node.kind == kind:
            return node
        node = node.parent
    return None


def place_ancestor(location: Location | None, kind: str) -> str:
    node = place_ancestor_node(location, kind)
    return node.name if node else ""


def shared_place(location: Location | None, *, is_home: bool) -> Location | None:
    """Where an alert (or an incident) may be shown outside the team: its place, or when that
    place is only the reporter's home, the territory around it (else the province), since a
    village would point at the reporter."""
    if location is None or not is_home:
        return location
    return place_ancestor_node(location, Location.Kind.TERRITORY) or place_ancestor_node(
        location, Location.Kind.PROVINCE
    )


def place_coordinates(location: Location | None) -> tuple[float | None, float | None]:
    """The place's coordinates, else those of the nearest place above it that has some (a
    neighbourhood without its own point is mapped at its village)."""
    node = location
    while node is not None:
        if node.latitude is not None and node.longitude is not None:
            return float(node.latitude), float(node.longitude)
        node = node.parent
    return None, None


def alert_record(alert: Alert, *, include_text: bool) -> dict:
    """One alert as an export row: places, times and decisions; no reporter identity, and an
    alert placed only at its reporter's home at its territory."""
    place = shared_place(alert.location, is_home=alert.location_is_fallback)
    lat, lon = place_coordinates(place)
    record = {
        "reference": alert.reference,
        "received_at": _iso(alert.received_at),
        "triaged_at": _iso(alert.triaged_at),
        "acknowledged_at": _iso(alert.acknowledged_at),
        "closed_at": _iso(alert.closed_at),
        "status": alert.status,
        "outcome": alert.outcome,
        "priority": alert.priority,
        "categories": list(alert.categories or ()),
        "risk_factors": list(alert.risk_factors or ()),
        "mechanism": _mechanism(alert.source),
        "source": alert.source,
        "incident": alert.incident_id,
        "province": place_ancestor(place, Location.Kind.PROVINCE),
        "territory": place_ancestor(place, Location.Kind.TERRITORY),
        "place": place.name if place else "",
        # True when triage found no place in the text and the reporter's home stood in for it:
        # the row then gives only the territory.
        "place_is_fallback": alert.location_is_fallback if place else None,
        "latitude": lat,
        "longitude": lon,
        "language": alert.language,
    }
    if include_text:
        record["text"] = alert.text
    return record


def _records(queryset: QuerySet[Alert], include_text: bool) -> Iterator[dict]:
    for alert in export_queryset(queryset).iterator(chunk_size=CHUNK):
        yield alert_record(alert, include_text=include_text)


def _csv_line(values: Iterable) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def csv_stream(columns, records: Iterable[dict], *, hxl: bool) -> Iterator[str]:
    """Headers (and HXL hashtags under them), then one line per record."""
    yield _csv_line(column.header for column in columns)
    if hxl:
        yield _csv_line(column.hxl for column in columns)
    for record in records:
        yield _csv_line(_cell(record[column.key]) for column in columns)


def geojson_stream(records: Iterable[dict]) -> Iterator[str]:
    """A FeatureCollection of records with `latitude`/`longitude`; a record with no coordinates
    has a null geometry (valid GeoJSON)."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for record in records:
        lat, lon = record["latitude"], record["longitude"]
        geometry = (
            {"type": "Point", "coordinates": [lon, lat]}
            if lat is not None and lon is not None
            else None
        )
        feature = {"type": "Feature", "geometry": geometry, "properties": record}
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


def export_stream(columns, records: Iterable[dict], *, file_format: str) -> Iterator[str]:
    if file_format == "geojson":
        return geojson_stream(records)
    return csv_stream(columns, records, hxl=file_format == "hxl")


def alert_export_stream(
    queryset: QuerySet[Alert], *, file_format: str, include_text: bool
) -> Iterator[str]:
    columns = COLUMNS + ((TEXT_COLUMN,) if include_text else ())
    return export_stream(columns, _records(queryset, include_text), file_format=file_format)
