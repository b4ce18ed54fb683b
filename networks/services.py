"""Everything that changes the networks app's state."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.crypto import lookup_hash

from .models import FocalPoint, Membership, Network
from .phones import normalise_phone

IDENTITY_FIELDS = ("name", "phone", "phone_alt")


def focal_point_set_phones(*, focal_point: FocalPoint, phone: str, phone_alt: str = "") -> None:
    """Normalise both numbers and refresh their lookup hashes (does not save)."""
    focal_point.phone = normalise_phone(phone)
    focal_point.phone_hash = lookup_hash(focal_point.phone)
    focal_point.phone_alt = normalise_phone(phone_alt) if phone_alt else ""
    focal_point.phone_alt_hash = lookup_hash(focal_point.phone_alt) if phone_alt else ""
    clash = FocalPoint.objects.filter(phone_hash=focal_point.phone_hash)
    if focal_point.pk:
        clash = clash.exclude(pk=focal_point.pk)
    if clash.exists():
        raise ValidationError(
            {"phone": _("Another focal point already has the number %(phone)s.")},
            params={"phone": focal_point.phone},
        )


def focal_point_create(*, name: str, phone: str, phone_alt: str = "", **fields) -> FocalPoint:
    focal_point = FocalPoint(name=name.strip(), **fields)
    focal_point_set_phones(focal_point=focal_point, phone=phone, phone_alt=phone_alt)
    focal_point.full_clean(exclude=["phone_hash", "phone_alt_hash"])
    focal_point.save()
    return focal_point


def focal_point_opt_out(*, focal_point: FocalPoint, at: dt.datetime | None = None) -> FocalPoint:
    if focal_point.opted_out_at is None:
        focal_point.opted_out_at = at or timezone.now()
        focal_point.save(update_fields=["opted_out_at", "updated_at"])
    return focal_point


def focal_point_opt_in(*, focal_point: FocalPoint) -> FocalPoint:
    if focal_point.opted_out_at is not None:
        focal_point.opted_out_at = None
        focal_point.save(update_fields=["opted_out_at", "updated_at"])
    return focal_point


@transaction.atomic
def membership_start(
    *, focal_point: FocalPoint, network: Network, joined_on: dt.date | None = None
) -> Membership:
    """Join a network; joining one the focal point is already in returns the open membership."""
    current = Membership.objects.filter(
        focal_point=focal_point, network=network, left_on__isnull=True
    ).first()
    if current:
        return current
    return Membership.objects.create(
        focal_point=focal_point, network=network, joined_on=joined_on or timezone.localdate()
    )


def membership_end(
    *, membership: Membership, left_on: dt.date | None = None, reason: str = ""
) -> Membership:
    """Leave a network. The row stays: history is never deleted."""
    if membership.left_on is not None:
        return membership
    left_on = left_on or timezone.localdate()
    if left_on < membership.joined_on:
        raise ValidationError(
            {"left_on": _("A membership cannot end before it started (%(joined)s).")},
            params={"joined": membership.joined_on},
        )
    membership.left_on = left_on
    membership.left_reason = reason
    membership.save(update_fields=["left_on", "left_reason"])
    return membership
