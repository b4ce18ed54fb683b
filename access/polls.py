"""Whose poll answers a person may see. Supervisors, admins and viewers see every answer;
analysts with areas see those of respondents placed in their areas (without areas, all); CLAs
see those placed in their places and the interviews they recorded. An answer without a place
is seen only by those who see everything. Results and exports are computed over these."""

from django.db.models import Q, QuerySet

from cla.selectors import cla_place_ids
from core.roles import ANALYST, CLA, can, roles_of
from networks.selectors import location_ids_within_any
from polls.models import Conversation, Response
from triage.selectors import analyst_area_ids

_SCOPE_ATTRIBUTE = "kengele_poll_scope"


def poll_place_scope(user) -> tuple[set[int] | None, bool]:
    """(the place ids whose answers `user` sees, or None for every answer; whether their own
    field interviews count as well)."""
    cached = getattr(user, _SCOPE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    scope: tuple[set[int] | None, bool] = (set(), False)
    if can(user, "see_all_alerts"):
        scope = (None, False)
    elif ANALYST in roles:
        areas = analyst_area_ids(user=user)
        if not areas:
            scope = (None, False)
        else:
            places = location_ids_within_any(areas)
            if CLA in roles:
                places |= cla_place_ids(user=user)
            scope = (places, CLA in roles)
    elif CLA in roles:
        scope = (cla_place_ids(user=user), True)
    if user is not None and user.is_authenticated:
        setattr(user, _SCOPE_ATTRIBUTE, scope)
    return scope


def responses_visible(queryset: QuerySet[Response], user) -> QuerySet[Response]:
    places, own_interviews = poll_place_scope(user)
    if places is None:
        return queryset
    wanted = Q(location_id__in=places)
    if own_interviews:
        wanted |= Q(interview__recorded_by=user)
    return queryset.filter(wanted)


def conversations_visible(queryset: QuerySet[Conversation], user) -> QuerySet[Conversation]:
    """The conversations counted in the response rates `user` sees."""
    places, _own = poll_place_scope(user)
    if places is None:
        return queryset
    return queryset.filter(location_id__in=places)
