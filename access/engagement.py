"""Which town hall meetings and deployments a person may see: the alerts' rule, by place.
Who sees every alert sees them all. An analyst with areas sees those held in or sent to a place
within their areas (an analyst without areas sees everything, as for alerts); a CLA those of
their places and the town halls they convened or recorded. Everything recorded with a meeting
(its concerns, commitments) or a deployment (its recommendations) follows it."""

from django.db.models import Q, QuerySet

from cla.selectors import cla_place_ids
from core.roles import ANALYST, CLA, can, roles_of
from engagement.models import Deployment, TownHall
from networks.selectors import location_ids_within_any
from triage.selectors import analyst_area_ids

# Kept on the user object for the request it came with (False: not worked out yet).
_PLACES_ATTRIBUTE = "kengele_engagement_places"


def engagement_places(user) -> set[int] | None:
    """The place ids whose meetings and deployments `user` sees; None for every place."""
    cached = getattr(user, _PLACES_ATTRIBUTE, False)
    if cached is not False:
        return cached
    roles = roles_of(user)
    places: set[int] | None = set()
    if can(user, "see_all_alerts"):
        places = None
    elif ANALYST in roles and not analyst_area_ids(user=user):
        places = None  # a small mission: they see every alert, and every meeting
    else:
        if ANALYST in roles:
            places |= location_ids_within_any(analyst_area_ids(user=user))
        if CLA in roles:
            places |= cla_place_ids(user=user)
    if user is not None and user.is_authenticated:
        setattr(user, _PLACES_ATTRIBUTE, places)
    return places


def town_halls_visible(queryset: QuerySet[TownHall], user) -> QuerySet[TownHall]:
    """`queryset` narrowed to the town hall meetings `user` may see."""
    if not can(user, "read_town_halls"):
        return queryset.none()
    places = engagement_places(user)
    if places is None:
        return queryset
    scope = Q(place_id__in=places)
    if CLA in roles_of(user):
        scope |= Q(convener=user) | Q(created_by=user)
    return queryset.filter(scope)


def deployments_visible(queryset: QuerySet[Deployment], user) -> QuerySet[Deployment]:
    """`queryset` narrowed to the deployments `user` may see."""
    if not can(user, "read_deployments"):
        return queryset.none()
    places = engagement_places(user)
    return queryset if places is None else queryset.filter(area_id__in=places)
