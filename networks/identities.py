"""Whose names and numbers a page, response or export may show, and how many one person may
read in an hour.

Where: an analyst reads the identities of the focal points of their areas, a CLA those of their
places, supervisors and admins everyone's, viewers nobody's. That rule is defined once, in
access.identities, which registers it here when it loads (AccessConfig.ready), so that the pages
of this app and of those above it reach the same rule. Until then no identity is shown.

How many: showing someone more than IDENTITY_READS_PER_HOUR different focal points within an
hour (counted from the audit trail's `identity_viewed` entries) is a bulk read. It is refused
and recorded (`identity_limit`), which supervisors see on the dashboard. Admins, who export the
roster for a handover, are not limited.

Every place that shows names or numbers asks `identities_reveal` which ids it may show in
clear, shows the others masked, and gets the reading recorded in the audit trail by it.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.roles import can, can_see_identity

from .audit import audit_identities_shown, audit_identity_reads_refused, identity_ids_read
from .models import FocalPoint

# user -> a Q on FocalPoint limiting whose identity they may read, or None for everyone's.
IdentityScope = Callable[..., Q | None]
LIMIT_WINDOW = dt.timedelta(hours=1)


def _nobody(user) -> Q | None:
    return Q(pk__in=[])


_rule: dict[str, IdentityScope] = {"scope": _nobody}


def identity_scope_register(scope: IdentityScope) -> None:
    """`scope(user)` gives a Q on FocalPoint, or None when the user may read every identity."""
    _rule["scope"] = scope


def identity_scope(user) -> Q | None:
    """Whose identities `user` may read: a Q on FocalPoint, or None for everyone's."""
    if not can_see_identity(user):
        return Q(pk__in=[])
    return _rule["scope"](user)


def focal_points_identifiable(queryset: QuerySet[FocalPoint], user) -> QuerySet[FocalPoint]:
    """`queryset` narrowed to the focal points whose identity `user` may read."""
    scope = identity_scope(user)
    return queryset if scope is None else queryset.filter(scope)


def identity_in_scope(user, focal_point_id: int | None) -> bool:
    """May `user` read this focal point's identity at all (the hourly count aside)?"""
    if focal_point_id is None:
        return False
    people = FocalPoint.objects.filter(pk=focal_point_id)
    return focal_points_identifiable(people, user).exists()


@dataclass(frozen=True)
class Reveal:
    """The answer for one page or response: the focal points shown in clear (the others are
    masked), and whether the hourly limit refused them all."""

    shown: frozenset[int] = frozenset()
    refused: bool = False

    def __contains__(self, focal_point_id) -> bool:
        return focal_point_id in self.shown


def identities_reveal(
    *, request: HttpRequest, focal_point_ids: Iterable[int | None], where: str, **details
) -> Reveal:
    """Which of these focal points' names and numbers this response may show in clear: those
    within the user's scope, unless that takes the user past the hourly limit (then none, and
    the refusal is recorded). What is shown is recorded in the audit trail."""
    user = request.user
    ids = {int(pk) for pk in focal_point_ids if pk is not None}
    if not ids or not can_see_identity(user):
        return Reveal()
    scope = identity_scope(user)
    if scope is not None:
        ids = set(FocalPoint.objects.filter(scope, pk__in=ids).values_list("pk", flat=True))
        if not ids:
            return Reveal()
    if not can(user, "read_identities_in_bulk"):
        limit = settings.IDENTITY_READS_PER_HOUR
        read = identity_ids_read(actor=user, since=timezone.now() - LIMIT_WINDOW)
        if len(read | {str(pk) for pk in ids}) > limit:
            audit_identity_reads_refused(
                request=request,
                focal_point_ids=sorted(ids),
                where=where,
                read=len(read),
                limit=limit,
            )
            return Reveal(refused=True)
    audit_identities_shown(request=request, focal_point_ids=sorted(ids), where=where, **details)
    return Reveal(shown=frozenset(ids))
