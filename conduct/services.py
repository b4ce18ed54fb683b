"""Everything that changes complaints and the CBCM members' registry."""

import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.crypto import lookup_hash
from networks.models import Location
from networks.phones import normalise_phone

from .models import CbcmMember, Complaint, ComplaintListRead, ComplaintView

REFERENCE_TRIES = 5


def _reference(at: dt.datetime) -> str:
    """Random, so a reference says nothing of how many complaints there are."""
    return f"C-{at.year}-{secrets.token_hex(3).upper()}"


def complaint_create(
    *,
    text: str,
    source: str,
    by: User | None = None,
    member: CbcmMember | None = None,
    location: Location | None = None,
    sender: str = "",
    sender_hash: str = "",
    reporter_id: int | None = None,
    language: str = "",
    priority: int | None = None,
    categories: list | None = None,
    stub_alert_id: int | None = None,
    received_at: dt.datetime | None = None,
) -> Complaint:
    received_at = received_at or timezone.now()
    for attempt in range(REFERENCE_TRIES):
        try:
            with transaction.atomic():
                return Complaint.objects.create(
                    reference=_reference(received_at),
                    source=source,
                    text=text.strip(),
                    member=member,
                    location=location,
                    sender=sender,
                    sender_hash=sender_hash,
                    reporter_id=reporter_id,
                    language=language,
                    priority=priority,
                    categories=list(categories or []),
                    stub_alert_id=stub_alert_id,
                    created_by=by,
                    received_at=received_at,
                )
        except IntegrityError:
            if attempt == REFERENCE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def complaint_view_record(*, complaint: Complaint, user: User, what: str) -> ComplaintView:
    return ComplaintView.objects.create(complaint=complaint, user=user, what=what)


def complaint_list_read_record(*, complaints, user: User) -> ComplaintListRead:
    """One entry for one list read, naming every complaint it gave (even none)."""
    read = ComplaintListRead.objects.create(user=user)
    read.complaints.set(complaints)
    return read


@transaction.atomic
def complaint_status_set(*, complaint: Complaint, status: str, by: User) -> Complaint:
    """Set the status and record, in the same transaction, who changed it in the complaint's
    own trail: one never stands without the other."""
    if status not in Complaint.Status.values:
        raise ValueError(f"unknown status {status!r}")
    complaint.status = status
    complaint.save(update_fields=["status"])
    complaint_view_record(complaint=complaint, user=by, what=ComplaintView.What.STATUS)
    return complaint


def member_create(
    *,
    name: str,
    location: Location,
    phone: str = "",
    gender: str = "",
    elected_on: dt.date | None = None,
    active: bool = True,
) -> CbcmMember:
    """Register a member; the phone (optional) is normalised to E.164 and hashed."""
    member = CbcmMember(location=location)
    return member_update(
        member=member,
        name=name,
        location=location,
        phone=phone,
        gender=gender,
        elected_on=elected_on,
        active=active,
    )


def member_update(
    *,
    member: CbcmMember,
    name: str,
    location: Location,
    phone: str = "",
    gender: str = "",
    elected_on: dt.date | None = None,
    active: bool = True,
) -> CbcmMember:
    """Correct a member's details or mark them inactive (their complaints stay linked)."""
    phone = normalise_phone(phone) if phone.strip() else ""
    member.name = name.strip()
    member.phone = phone
    member.phone_hash = lookup_hash(phone) if phone else ""
    member.location = location
    member.gender = gender or CbcmMember._meta.get_field("gender").default
    member.elected_on = elected_on
    member.active = active
    member.save()
    return member
