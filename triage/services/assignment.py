"""Who works on what: automatic assignment of new alerts to on-duty analysts, analysts' duty,
and the claim lock ("X is working on this") that keeps two people off the same alert."""

import datetime as dt

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent
from alerts.services import alert_event_build, alert_event_record
from core.roles import roles_with
from networks.models import Location

from ..constants import AUTO_ASSIGN_NOTE
from ..models import AnalystProfile
from ..selectors import claim_is_fresh

# Roles whose on-duty members receive alerts automatically.
ASSIGNABLE_ROLES = roles_with("be_assigned")


class ClaimRefused(ValueError):
    """Someone else is working on this alert; the message says who, for people."""


# Hand-written because it runs for every placed alert, where building the ORM query (a
# correlated count, a role check, two joins) cost more than running it; and one statement
# both picks the analyst and moves them to the back of the tie-break.
_TAKE_SQL = """
UPDATE {profile} SET last_assigned_at = %s
WHERE id = (
  SELECT p.id
  FROM {profile} p
  JOIN {areas} a ON a.analystprofile_id = p.id
  JOIN {user} u ON u.id = p.user_id
  WHERE a.location_id = %s AND p.on_duty AND u.is_active
    AND EXISTS (
      SELECT 1 FROM {user_groups} ug JOIN {group} g ON g.id = ug.group_id
      WHERE ug.user_id = u.id AND g.name IN ({roles})
    )
  ORDER BY (
      SELECT COUNT(*) FROM {alert} al WHERE al.assignee_id = u.id AND al.status IN ({statuses})
    ), p.last_assigned_at IS NOT NULL, p.last_assigned_at, u.id
  LIMIT 1
)
{guard}
RETURNING user_id, (SELECT username FROM {user} WHERE {user}.id = {profile}.user_id)
"""


def _take_sql(guard: str = "") -> str:
    return _TAKE_SQL.format(
        guard=guard,
        profile=AnalystProfile._meta.db_table,
        areas=AnalystProfile.areas.through._meta.db_table,
        user=User._meta.db_table,
        user_groups=User.groups.through._meta.db_table,
        group=Group._meta.db_table,
        alert=Alert._meta.db_table,
        roles=", ".join(["%s"] * len(ASSIGNABLE_ROLES)),
        statuses=", ".join(["%s"] * len(Alert.OPEN_STATUSES)),
    )


def analyst_take(*, location: Location) -> User | None:
    """The on-duty analyst covering the place's territory with the fewest open alerts; ties
    go to whoever was assigned least recently (never first), then to the lowest id. They are
    marked as just assigned, inside the caller's transaction. None when nobody covers the
    place: the alert stays in the shared queue."""
    statement = analyst_take_sql(location=location)
    if statement is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        row = cursor.fetchone()
    return analyst_from_row(row)


def analyst_take_sql(*, location: Location, guard: str = "") -> tuple[str, list] | None:
    """The statement of analyst_take (an UPDATE … RETURNING the analyst's id and username),
    for a caller that sends it with others; `guard`, a further condition (`AND …`) on the
    update. None when the place lies in no territory."""
    territory = location.ancestor(Location.Kind.TERRITORY)
    if territory is None:
        return None
    now = AnalystProfile._meta.get_field("last_assigned_at").get_db_prep_save(
        timezone.now(), connection
    )
    return _take_sql(guard), [now, territory.pk, *ASSIGNABLE_ROLES, *Alert.OPEN_STATUSES]


def analyst_from_row(row) -> User | None:
    """The analyst of a row (id, username) that analyst_take_sql returned, if any."""
    if not row or row[0] is None:
        return None
    return User.from_db(connection.alias, ["id", "username"], tuple(row))


def _who(user: User | None):
    return {"id": user.pk, "username": user.get_username()} if user else None


def assignment_event(*, alert: Alert, analyst: User) -> AlertEvent:
    """The alert's history entry saying triage gave it to `analyst`, not yet saved."""
    return alert_event_build(
        alert=alert,
        kind=AlertEvent.Kind.ASSIGNED,
        after=_who(analyst),
        note=AUTO_ASSIGN_NOTE,
    )


def analyst_duty_set(*, user: User, on_duty: bool) -> AnalystProfile:
    """Start or end one's duty: only on-duty analysts receive new alerts automatically."""
    profile, _created = AnalystProfile.objects.get_or_create(user=user)
    if profile.on_duty != on_duty:
        profile.on_duty = on_duty
        profile.save(update_fields=["on_duty", "updated_at"])
    return profile


def _name(user: User | None) -> str:
    if user is None:
        return _("Someone")
    return user.get_full_name() or user.get_username()


def _current_claim(alert: Alert) -> tuple[int | None, dt.datetime | None]:
    return (
        Alert.objects.select_for_update()
        .filter(pk=alert.pk)
        .values_list("claimed_by_id", "claimed_at")
        .get()
    )


@transaction.atomic
def alert_claim(*, alert: Alert, by: User) -> Alert:
    """Mark `by` as working on the alert, for CLAIM_TTL_MINUTES (claiming again renews it).
    Refused while someone else's claim is fresh; an expired claim is simply taken over."""
    holder_id, claimed_at = _current_claim(alert)
    now = timezone.now()
    if holder_id not in (None, by.pk) and claim_is_fresh(claimed_at, now=now):
        holder = User.objects.filter(pk=holder_id).first()
        raise ClaimRefused(_("%(name)s is working on this alert.") % {"name": _name(holder)})
    Alert.objects.filter(pk=alert.pk).update(claimed_by=by, claimed_at=now)
    renewal = holder_id == by.pk and claim_is_fresh(claimed_at, now=now)
    alert.claimed_by, alert.claimed_at = by, now
    if not renewal:
        before = {"id": holder_id} if holder_id else None  # an expired claim taken over
        alert_event_record(
            alert=alert, kind=AlertEvent.Kind.CLAIMED, by=by, before=before, after=_who(by)
        )
    return alert


@transaction.atomic
def alert_release(*, alert: Alert, by: User) -> Alert:
    """Let go of one's claim. Refused on someone else's fresh claim; nothing to do when there
    is no claim or it has expired."""
    holder_id, claimed_at = _current_claim(alert)
    if holder_id is None:
        alert.claimed_by, alert.claimed_at = None, None
        return alert
    if holder_id != by.pk:
        if claim_is_fresh(claimed_at):
            holder = User.objects.filter(pk=holder_id).first()
            raise ClaimRefused(
                _("%(name)s is working on this alert: only they can release it.")
                % {"name": _name(holder)}
            )
        return alert
    Alert.objects.filter(pk=alert.pk).update(claimed_by=None, claimed_at=None)
    alert.claimed_by, alert.claimed_at = None, None
    alert_event_record(alert=alert, kind=AlertEvent.Kind.RELEASED, by=by, before=_who(by))
    return alert
