"""Reads of complaints and members. Every function that gives complaints or members takes the
user and refuses (PermissionDenied) anyone without `read_complaints`."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from core.roles import can

from .models import CbcmMember, Complaint, ComplaintView


def _require(user) -> None:
    if not can(user, "read_complaints"):
        raise PermissionDenied


def complaint_list(*, user) -> QuerySet[Complaint]:
    _require(user)
    return Complaint.objects.select_related("member", "location")


def complaint_get(*, user, pk: int) -> Complaint | None:
    return complaint_list(user=user).filter(pk=pk).first()


def complaint_views(*, user, complaint: Complaint) -> QuerySet[ComplaintView]:
    _require(user)
    return complaint.views.select_related("user")


def member_list(*, user) -> QuerySet[CbcmMember]:
    _require(user)
    return CbcmMember.objects.select_related("location")


def member_by_phone_hash(sender_hash: str) -> CbcmMember | None:
    """The active member texting from this number (intake: no user, nothing shown)."""
    if not sender_hash:
        return None
    return CbcmMember.objects.filter(phone_hash=sender_hash, active=True).first()
