"""Which alerts a person may see. Supervisors, admins and viewers see every alert (viewers
without who reported it). Analysts with areas see the alerts placed in them, the ones no place
was found for and the ones assigned to them; an analyst without areas sees everything (a small
mission). CLAs see the alerts placed in their places and those they raised themselves.

Everything that comes with an alert follows it: its messages, its history, its place in an
incident (an incident shows the alerts one may see, and only who sees all of them acts on it)."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from alerts.models import Alert, Message
from alerts.services import AssignmentRefused, assignable
from cla.selectors import cla_place_ids
from core.roles import ANALYST, CLA, can, roles_of
from networks.selectors import location_ancestor_ids, location_ids_within_any
from triage.models import Incident
from triage.selectors import analyst_area_ids, analysts_areas_and_duty

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


def messages_visible(queryset: QuerySet[Message], user) -> QuerySet[Message]:
    """Messages of the alerts `user` may see. Someone limited to areas or places sees no
    message that belongs to no alert: it has no place to be in."""
    scope = alert_visibility(user)
    if scope is None:
        return queryset
    return queryset.filter(alert__in=Alert.objects.filter(scope).values("pk"))


def incidents_visible(queryset: QuerySet[Incident], user) -> QuerySet[Incident]:
    """Incidents holding at least one alert `user` may see."""
    scope = alert_visibility(user)
    if scope is None:
        return queryset
    holding = Alert.objects.filter(scope, incident__isnull=False).values("incident_id")
    return queryset.filter(pk__in=holding)


def incident_workable(incident: Incident, user) -> bool:
    """May `user` merge or split this incident? Only when they see every alert in it: an
    action on it moves alerts, and nobody moves what lies outside their areas."""
    if alert_visibility(user) is None:
        return True
    unseen = incident.alerts.exclude(pk__in=alerts_visible(Alert.objects.all(), user).values("pk"))
    return not unseen.exists()


def alert_workers(alert: Alert, users: Iterable[User]) -> list[User]:
    """Of `users`, those who may be given `alert` to work: alerts may be assigned to them
    (alerts.services.assignable: active, with the capability be_assigned) and the alert lies
    where they work, as `alert_visibility` sees it without the alerts already assigned to them
    (an analyst's areas, or everywhere; an alert with no place goes to anyone). Those on duty
    come first, then by name; each carries `on_duty`."""
    candidates = [user for user in users if assignable(user)]
    profiles = analysts_areas_and_duty(user_ids=[user.pk for user in candidates])
    above = location_ancestor_ids(alert.location_id) if alert.location_id else set()
    workers = []
    for user in candidates:
        areas, on_duty = profiles.get(user.pk, (set(), False))
        roles = roles_of(user)
        if can(user, "see_all_alerts") or ANALYST not in roles:
            works_here = True  # no areas to keep to (be_assigned without an analyst's areas)
        else:
            works_here = not areas or alert.location_id is None or bool(areas & above)
            if not works_here and CLA in roles:
                works_here = Alert.objects.filter(_cla_scope(user), pk=alert.pk).exists()
        if works_here:
            user.on_duty = on_duty
            workers.append(user)
    workers.sort(key=lambda u: (not u.on_duty, u.get_full_name() or u.get_username()))
    return workers


def may_work_alert(alert: Alert, user) -> bool:
    """May `alert` be assigned to `user` (see `alert_workers`)?"""
    return bool(user is not None and alert_workers(alert, [user]))


def assignment_check(alert: Alert, assignee) -> None:
    """Raise AssignmentRefused when `alert` may not go to `assignee` because it lies outside
    where they work (alerts.services.alert_update refuses those who work no alerts at all)."""
    if assignee is None or assignee.pk == alert.assignee_id or not assignable(assignee):
        return
    if not may_work_alert(alert, assignee):
        raise AssignmentRefused(
            gettext("%(name)s does not work this alert's area: they cannot be assigned it.")
            % {"name": assignee.get_full_name() or assignee.get_username()}
        )
