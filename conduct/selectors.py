"""Reads of complaints and members. Every function that gives complaints or members takes the
user and refuses (PermissionDenied) anyone without `read_complaints`; the places a complaint or
a member is placed at are no secret."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from core.roles import can
from networks.models import Location

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


def member_choices(*, user) -> QuerySet[CbcmMember]:
    """The members a complaint may name as the one who brought it: the active ones."""
    return member_list(user=user).filter(active=True)


def places() -> QuerySet[Location]:
    """Where a complaint or a member may be placed: any place but a province."""
    return Location.objects.exclude(kind=Location.Kind.PROVINCE).order_by("name")


def member_by_phone_hash(sender_hash: str) -> CbcmMember | None:
    """The active member texting from this number (intake: no user, nothing shown)."""
    if not sender_hash:
        return None
    return CbcmMember.objects.filter(phone_hash=sender_hash, active=True).first()
