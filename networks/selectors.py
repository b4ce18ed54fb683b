"""Reads for the networks app, with the joins decided once."""

from django.db.models import QuerySet

from config.crypto import lookup_hash

from .models import FocalPoint, Location, Network
from .phones import normalise_phone


def focal_point_by_phone(phone: str) -> FocalPoint | None:
    """The focal point owning this number (main or second phone), found through its keyed hash."""
    try:
        e164 = normalise_phone(phone)
    except Exception:  # an unparseable sender is simply unknown
        e164 = (phone or "").strip()
    if not e164:
        return None
    digest = lookup_hash(e164)
    people = FocalPoint.objects.select_related("home_location")
    # A main number wins over someone's second phone.
    return people.filter(phone_hash=digest).first() or people.filter(phone_alt_hash=digest).first()


def focal_point_list() -> QuerySet[FocalPoint]:
    return FocalPoint.objects.select_related("home_location").prefetch_related("memberships")


def network_list() -> QuerySet[Network]:
    return Network.objects.select_related("base", "cla").prefetch_related("area")


def location_list() -> QuerySet[Location]:
    return Location.objects.select_related("parent")
