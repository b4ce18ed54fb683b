"""Whose names and numbers a person may read. Supervisors and admins read everyone's; viewers
nobody's. An analyst with areas reads those of the focal points whose networks lie in them (a
network based in, or serving, a place within an area), and of the focal points in no network
who live there; an analyst without areas reads everyone's, as they see every alert. A CLA reads
those of their places, by the same measure, and those they recruited themselves. Someone
holding both roles adds both.

The rule is applied through networks.identities (registered there by AccessConfig.ready), which
also counts how many identities one person reads in an hour."""

from django.db.models import Q

from cla.selectors import cla_place_ids, cla_recruits
from core.roles import ANALYST, CLA, can, roles_of
from networks.models import FocalPoint, Membership, Network
from networks.selectors import location_ids_within_any
from triage.selectors import analyst_area_ids

# Kept on the user object for the request it came with (False: not worked out yet).
_SCOPE_ATTRIBUTE = "kengele_identity_scope"


def _people_of(places: set[int]) -> Q:
    """Focal points with a current membership in a network based in or serving one of
    `places`, and those in no network living in one of them."""
    networks = Network.objects.filter(Q(base_id__in=places) | Q(area__in=places)).values("pk")
    open_memberships = Membership.objects.filter(left_on__isnull=True)
    members = open_memberships.filter(network__in=networks).values("focal_point_id")
    unattached = FocalPoint.objects.filter(home_location_id__in=places).exclude(
        pk__in=open_memberships.values("focal_point_id")
    )
    return Q(pk__in=members) | Q(pk__in=unattached.values("pk"))


def identity_visibility(user) -> Q | None:
    """A Q on FocalPoint: whose identities `user` may read; None for everyone's."""
    cached = getattr(user, _SCOPE_ATTRIBUTE, False)
    if cached is not False:
        return cached
    roles = roles_of(user)
    scope: Q | None = Q(pk__in=[])  # no role, a viewer: nobody's
    if can(user, "see_all_identities"):
        scope = None
    elif ANALYST in roles and not analyst_area_ids(user=user):
        scope = None  # a small mission: they see every alert, and call anyone back
    else:
        places: set[int] = set()
        if ANALYST in roles:
            places |= location_ids_within_any(analyst_area_ids(user=user))
        if CLA in roles:
            places |= cla_place_ids(user=user)
        if places:
            scope = _people_of(places)
        if CLA in roles:
            scope = scope | Q(pk__in=cla_recruits(user=user))
    if user is not None and user.is_authenticated:
        setattr(user, _SCOPE_ATTRIBUTE, scope)
    return scope
