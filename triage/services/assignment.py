"""Who works on what: automatic assignment of new alerts to on-duty analysts, analysts' duty,
and the claim lock ("X is working on this") that keeps two people off the same alert."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent
from alerts.services import alert_event_record
from config.permissions import ADMIN, ANALYST, SUPERVISOR
from networks.models import Location

from ..models import AnalystProfile
from ..selectors import claim_is_fresh

# Roles whose on-duty members receive alerts automatically.
ASSIGNABLE_ROLES = (ANALYST, SUPERVISOR, ADMIN)


class ClaimRefused(ValueError):
    """Someone else is working on this alert; the message says who, for people."""


def analyst_for(*, location: Location) -> User | None:
    """The on-duty analyst covering the place's territory with the fewest open alerts; ties
    go to whoever was assigned least recently (never first), then to the lowest id. None when
    nobody covers it: the alert stays in the shared queue."""
    territory = location.ancestor(Location.Kind.TERRITORY)
    if territory is None:
        return None
    open_alerts = (
        Alert.objects.filter(assignee=OuterRef("user_id"), status__in=Alert.OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    may_work = User.groups.through.objects.filter(
        user_id=OuterRef("user_id"), group__name__in=ASSIGNABLE_ROLES
    )
    profile = (
        AnalystProfile.objects.filter(on_duty=True, areas=territory, user__is_active=True)
        .filter(Exists(may_work))
        .annotate(open_alerts=Coalesce(Subquery(open_alerts), 0))
        .order_by("open_alerts", F("last_assigned_at").asc(nulls_first=True), "user_id")
        .select_related("user")
        .only("user__username", "user__first_name", "user__last_name", "last_assigned_at")
        .first()
    )
    return profile.user if profile else None


def _who(user: User | None):
    return {"id": user.pk, "username": user.get_username()} if user else None


def assignee_choose(*, alert: Alert, location: Location) -> User | None:
    """Who a freshly triaged alert goes to: nobody when it already has someone or someone has
    already taken it up (acknowledged before triage reached it)."""
    if alert.assignee_id or alert.status != Alert.Status.TRIAGED:
        return None
    return analyst_for(location=location)


def assignment_record(*, alert: Alert, analyst: User) -> None:
    """After triage gave the alert to `analyst`: they move to the back of the tie-break, and
    the alert's history says so."""
    AnalystProfile.objects.filter(user=analyst).update(last_assigned_at=timezone.now())
    alert_event_record(
        alert=alert,
        kind=AlertEvent.Kind.ASSIGNED,
        after=_who(analyst),
        note="automatic: on duty for this area",
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
