"""Which alerts a person may see. Supervisors, admins and viewers see every alert (viewers
without who reported it). Analysts with areas see the alerts placed in them, the ones no place
was found for and the ones assigned to them; an analyst without areas sees everything (a small
mission). CLAs see the alerts placed in their places and those they raised themselves."""

from django.db.models import Q, QuerySet

from cla.selectors import cla_place_ids
from core.roles import ANALYST, CLA, can, roles_of
from networks.selectors import location_ids_within_any
from triage.selectors import analyst_area_ids

# The scope is kept on the user object for the request it came with (False: not worked out).
_SCOPE_ATTRIBUTE = "kengele_alert_scope"


def alert_visibility(user) -> Q | None:
    """A Q object limiting Alert querysets to what `user` may see, or None for everything."""
    cached = getattr(user, _SCOPE_ATTRIBUTE, False)
    if cached is not False:
        return cached
    roles = roles_of(user)
    scope = Q(pk__in=[])  # no role: nothing
    if can(user, "see_all_alerts"):
        scope = None
    elif ANALYST in roles:
        areas = analyst_area_ids(user=user)
        if not areas:
            scope = None
        else:
            places = location_ids_within_any(areas)  # one query per level, all areas at once
            scope = Q(location_id__in=places) | Q(location__isnull=True) | Q(assignee=user)
            if CLA in roles:
                scope |= _cla_scope(user)
    elif CLA in roles:
        scope = _cla_scope(user)
    if user is not None and user.is_authenticated:
        setattr(user, _SCOPE_ATTRIBUTE, scope)
    return scope


def _cla_scope(user) -> Q:
    return Q(location_id__in=cla_place_ids(user=user)) | Q(created_by=user)


def alerts_visible(queryset: QuerySet, user) -> QuerySet:
    """`queryset` narrowed to the alerts `user` may see (the API, dashboard, map and exports)."""
    scope = alert_visibility(user)
    return queryset if scope is None else queryset.filter(scope)
