"""Distances on the gazetteer: how far apart two places are, and which places are near one."""

import math
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from networks.models import Location

from .constants import KM_PER_DEGREE

EARTH_RADIUS_KM = 6371.0


def distance_km(a: Location, b: Location) -> float:
    """Great-circle distance between two places; 0 for the same place, infinite when either
    lacks coordinates."""
    if a.pk == b.pk:
        return 0.0
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return math.inf
    lat1, lon1, lat2, lon2 = (
        math.radians(float(v)) for v in (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def radius_km() -> float:
    """How close two places must be for their alerts to form one incident."""
    return float(settings.INCIDENT_RADIUS_KM)


def is_near(a: Location, b: Location) -> bool:
    return distance_km(a, b) <= radius_km()


def bounding_box(location: Location) -> tuple[float, float, float, float] | None:
    """(latitude min, max, longitude min, max) of the square that holds every place within the
    radius of this one; None when it has no coordinates."""
    if location.latitude is None or location.longitude is None:
        return None
    lat, lon = float(location.latitude), float(location.longitude)
    dlat = radius_km() / KM_PER_DEGREE
    dlon = radius_km() / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return (
        round(max(-90.0, lat - dlat), 5),
        round(min(90.0, lat + dlat), 5),
        round(max(-180.0, lon - dlon), 5),
        round(min(180.0, lon + dlon), 5),
    )


def places_near(location: Location, *, field: str = "location") -> Q:
    """Rows whose `field` is this place, or a place within the radius by a bounding box (check
    the exact distance afterwards, in Python)."""
    near = Q(**{f"{field}_id": location.pk})
    box = bounding_box(location)
    if box is None:
        return near
    lat_min, lat_max, lon_min, lon_max = (Decimal(f"{value:.5f}") for value in box)
    return near | Q(
        **{
            f"{field}__latitude__gte": lat_min,
            f"{field}__latitude__lte": lat_max,
            f"{field}__longitude__gte": lon_min,
            f"{field}__longitude__lte": lon_max,
        }
    )
