"""Everything that changes the networks app's state."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import lookup_hash
from core.requests import current_request

from .audit import FOCAL_POINT, MEMBERSHIP, Action, audit_record
from .models import FocalPoint, Membership, Network
from .phones import normalise_phone
from .selectors import phone_hashes_taken


def phones_normalise(
    *, phone: str, phone_alt: str = ""
) -> tuple[dict[str, str], dict[str, ValidationError]]:
    """Both numbers in E.164 by field ("" when absent or unreadable), and the errors by field.

    Reads no database: the CSV import checks a whole file with it, then its numbers in one query.
    """
    numbers = {"phone": "", "phone_alt": ""}
    errors: dict[str, ValidationError] = {}
    for field, raw in (("phone", phone), ("phone_alt", phone_alt)):
        if field == "phone_alt" and not (raw or "").strip():
            continue
        try:
            numbers[field] = normalise_phone(raw)
        except ValidationError as exc:
            errors[field] = exc
    if not errors and numbers["phone_alt"] == numbers["phone"]:
        errors["phone_alt"] = ValidationError(
            _("The second phone is the same as the main one."), code="same_number"
        )
    return numbers, errors


def focal_point_set_phones(
    *, focal_point: FocalPoint, phone: str, phone_alt: str = "", check_taken: bool = True
) -> None:
    """Normalise both numbers and refresh their lookup hashes (does not save).

    Errors name the field they belong to, so forms and the CSV import can show them in place.
    `check_taken=False` is for callers that checked the numbers against everyone else already.
    """
    numbers, errors = phones_normalise(phone=phone, phone_alt=phone_alt)
    if errors:
        raise ValidationError(errors)
    focal_point.phone = numbers["phone"]
    focal_point.phone_hash = lookup_hash(focal_point.phone)
    focal_point.phone_alt = numbers["phone_alt"]
    focal_point.phone_alt_hash = lookup_hash(focal_point.phone_alt) if focal_point.phone_alt else ""
    if not check_taken:
        return
    hashes = {"phone": focal_point.phone_hash, "phone_alt": focal_point.phone_alt_hash}
    taken = phone_hashes_taken([h for h in hashes.values() if h], exclude_pk=focal_point.pk)
    # Each error is built on its own: a dict of plain strings would drop the params.
    errors = {
        field: ValidationError(
            _("Another focal point already has the number %(phone)s."),
            code="duplicate",
            params={"phone": numbers[field]},
        )
        for field, digest in hashes.items()
        if digest and digest in taken
    }
    if errors:
        raise ValidationError(errors)


def focal_point_create(
    *, name: str, phone: str, phone_alt: str = "", check_taken: bool = True, **fields
) -> FocalPoint:
    focal_point = FocalPoint(name=name.strip(), **fields)
    focal_point_set_phones(
        focal_point=focal_point, phone=phone, phone_alt=phone_alt, check_taken=check_taken
    )
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


def focal_point_mark_at_risk(
    *,
    focal_point: FocalPoint,
    reason: str,
    by: AbstractBaseUser | None = None,
    at: dt.datetime | None = None,
) -> bool:
    """Mark a focal point at risk (someone threatened them for reporting): broadcasts to them
    pause until a supervisor clears it. `by` is the person who marked it, None for triage;
    `reason` says what did (an alert's reference), never who or which number. A focal point
    already at risk keeps the first mark. Returns whether this call marked them."""
    now = at or timezone.now()
    reason = reason[:200]
    marked = FocalPoint.objects.filter(pk=focal_point.pk, at_risk_since__isnull=True).update(
        at_risk_since=now, at_risk_marked_by=by, at_risk_reason=reason, updated_at=now
    )
    if not marked:
        return False
    focal_point.at_risk_since, focal_point.at_risk_reason = now, reason
    focal_point.at_risk_marked_by = by
    audit_record(
        actor=by,
        action=Action.AT_RISK_MARKED,
        target_type=FOCAL_POINT,
        target_ids=[focal_point.pk],
        details={"reason": reason},
    )
    return True


def focal_point_clear_at_risk(*, focal_point: FocalPoint, by: AbstractBaseUser) -> bool:
    """A supervisor has seen to the threat: broadcasts reach the focal point again. Recorded
    with when the mark was made and why. Returns whether they were at risk."""
    current = (
        FocalPoint.objects.filter(pk=focal_point.pk, at_risk_since__isnull=False)
        .values("at_risk_since", "at_risk_reason", "at_risk_marked_by")
        .first()
    )
    if current is None:
        return False
    cleared = FocalPoint.objects.filter(
        pk=focal_point.pk, at_risk_since=current["at_risk_since"]
    ).update(
        at_risk_since=None, at_risk_marked_by=None, at_risk_reason="", updated_at=timezone.now()
    )
    if not cleared:
        return False  # cleared (or marked afresh) meanwhile
    focal_point.at_risk_since, focal_point.at_risk_reason = None, ""
    focal_point.at_risk_marked_by = None
    audit_record(
        actor=by,
        action=Action.AT_RISK_CLEARED,
        target_type=FOCAL_POINT,
        target_ids=[focal_point.pk],
        details={
            "at_risk_since": current["at_risk_since"].isoformat(),
            "reason": current["at_risk_reason"],
            "marked_by": current["at_risk_marked_by"],
        },
    )
    return True


@transaction.atomic
def networks_reassign_cla(*, from_cla: User, to_cla: User) -> list[int]:
    """Make `to_cla` the CLA responsible for every network `from_cla` was (a CLA's handover):
    the rows are locked, changed, and their ids returned, inside the caller's transaction."""
    ids = list(
        Network.objects.select_for_update()
        .filter(cla=from_cla)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Network.objects.filter(pk__in=ids).update(cla=to_cla)
    return ids


def membership_audit(
    *, membership: Membership, change: str, by: AbstractBaseUser | None, **details
) -> None:
    """One audit entry for a membership that started, ended, was recorded or corrected.

    Without `by`, the user of the request being served is named (a CLA's recruitment form).
    """
    audit_record(
        actor=by or getattr(current_request(), "user", None),
        action=Action.MEMBERSHIP_CHANGED,
        target_type=MEMBERSHIP,
        target_ids=[membership.pk],
        details={
            "change": change,
            "focal_point": membership.focal_point_id,
            "network": membership.network_id,
            "joined_on": membership.joined_on.isoformat() if membership.joined_on else None,
            "left_on": membership.left_on.isoformat() if membership.left_on else None,
            **details,
        },
    )


@transaction.atomic
def membership_start(
    *,
    focal_point: FocalPoint,
    network: Network,
    joined_on: dt.date | None = None,
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Join a network; joining one the focal point is already in returns the open membership."""
    current = Membership.objects.filter(
        focal_point=focal_point, network=network, left_on__isnull=True
    ).first()
    if current:
        return current
    membership = Membership.objects.create(
        focal_point=focal_point, network=network, joined_on=joined_on or timezone.localdate()
    )
    membership_audit(membership=membership, change="started", by=by)
    return membership


def membership_end(
    *,
    membership: Membership,
    left_on: dt.date | None = None,
    reason: str = "",
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Leave a network. The row stays: history is never deleted."""
    if membership.left_on is not None:
        return membership
    left_on = left_on or timezone.localdate()
    if left_on < membership.joined_on:
        raise ValidationError(
            {
                "left_on": ValidationError(
                    _("A membership cannot end before it started (%(joined)s)."),
                    code="before_joined",
                    params={"joined": membership.joined_on},
                )
            }
        )
    membership.left_on = left_on
    membership.left_reason = reason
    with transaction.atomic():
        membership.save(update_fields=["left_on", "left_reason"])
        membership_audit(membership=membership, change="ended", by=by)
    return membership


def membership_check(*, membership: Membership, alongside: Iterable[Membership] = ()) -> None:
    """Raise ValidationError unless the membership's period is sound (does not save).

    It must not end before it starts, nor share a day with another membership of the same
    focal point in the same network: one already saved, or one of `alongside`, the rows about
    to be saved with it (their new dates count, not the stored ones).
    """
    if membership.left_on is not None and membership.left_on < membership.joined_on:
        raise ValidationError(
            {
                "left_on": ValidationError(
                    _("A membership cannot end before it started (%(joined)s)."),
                    code="before_joined",
                    params={"joined": membership.joined_on},
                )
            }
        )
    pending = [
        other
        for other in alongside
        if other is not membership
        and other.focal_point_id == membership.focal_point_id
        and other.network_id == membership.network_id
    ]
    saved: list[Membership] = []
    if membership.focal_point_id and membership.network_id:
        saved = list(
            Membership.objects.filter(
                focal_point_id=membership.focal_point_id, network_id=membership.network_id
            ).exclude(pk__in=[m.pk for m in [membership, *pending] if m.pk])
        )
    for other in [*saved, *pending]:
        if _periods_overlap(membership, other):
            raise ValidationError(
                _(
                    "This period overlaps the membership of the same network from %(joined)s "
                    "to %(left)s."
                ),
                code="overlap",
                params={"joined": other.joined_on, "left": other.left_on or _("today")},
            )


def _periods_overlap(a: Membership, b: Membership) -> bool:
    # Days are inclusive: leaving on the 1st and rejoining on the 1st is one day in two rows.
    return (b.left_on is None or a.joined_on <= b.left_on) and (
        a.left_on is None or b.joined_on <= a.left_on
    )


@transaction.atomic
def membership_record(
    *,
    focal_point: FocalPoint,
    network: Network,
    joined_on: dt.date,
    left_on: dt.date | None = None,
    reason: str = "",
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Record a membership with its dates as given, typically a past one from paper records.

    Unlike membership_start it never returns or changes another row: a period overlapping an
    existing membership of the same network is a ValidationError.
    """
    membership = Membership(
        focal_point=focal_point,
        network=network,
        joined_on=joined_on,
        left_on=left_on,
        left_reason=reason,
    )
    membership_check(membership=membership)
    membership.full_clean()
    membership.save()
    membership_audit(membership=membership, change="recorded", by=by)
    return membership


@transaction.atomic
def membership_correct(
    *, membership: Membership, by: AbstractBaseUser | None = None, fields: Iterable[str] = ()
) -> Membership:
    """Save corrections to a recorded membership's dates or reason (checked by the caller)."""
    membership.save()
    membership_audit(membership=membership, change="corrected", by=by, fields=sorted(fields))
    return membership
