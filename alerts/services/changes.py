"""People's changes to an alert: its status (through the one status machine), corrections of
the triage decisions and assignment, each recorded in the alert's history."""

import datetime as dt
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.roles import can

from ..models import Alert, AlertEvent
from ..signals import alert_categories_changed, alert_priority_changed
from .events import alert_event_record

S = Alert.Status

# Where each status may go. "triaged" is reached only by the triage pipeline. An alert may be
# acknowledged before triage (the worker is down and someone must act); triage still runs.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.DISMISSED}),
    S.TRIAGED: frozenset({S.ACKNOWLEDGED, S.DISMISSED}),
    S.ACKNOWLEDGED: frozenset({S.VERIFIED, S.UNVERIFIED, S.FALSE_ALARM, S.CLOSED, S.DISMISSED}),
    S.VERIFIED: frozenset({S.ESCALATED, S.CLOSED, S.UNVERIFIED, S.FALSE_ALARM}),
    S.UNVERIFIED: frozenset({S.VERIFIED, S.FALSE_ALARM, S.ESCALATED, S.CLOSED}),
    S.FALSE_ALARM: frozenset({S.VERIFIED, S.UNVERIFIED, S.CLOSED}),
    S.ESCALATED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.ACKNOWLEDGED}),  # reopened
    S.DISMISSED: frozenset({S.ACKNOWLEDGED}),  # dismissed by mistake
}
CLOSING = frozenset({S.CLOSED, S.DISMISSED})
OUTCOMES = frozenset({S.VERIFIED, S.UNVERIFIED, S.FALSE_ALARM})
# Fields whose change corrects a decision the triage engine made.
CORRECTABLE = ("priority", "categories", "risk_factors", "language", "location")


class TransitionRefused(ValueError):
    """The status machine does not allow this change; the message says why, for people."""


class AssignmentRefused(ValueError):
    """The alert cannot go to this person: they do not work alerts (or are deactivated)."""


def assignable(user) -> bool:
    """May alerts be given to `user` to handle?"""
    return bool(user and user.is_active and can(user, "be_assigned"))


def transitions_from(status: str) -> list[str]:
    """The statuses an alert in `status` may move to, in the machine's order."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [value for value in S.values if value in allowed]


def _refusal(current: str, to: str) -> str:
    allowed = ", ".join(str(S(value).label) for value in transitions_from(current))
    return gettext("An alert cannot go from “%(current)s” to “%(to)s”. Allowed: %(allowed)s.") % {
        "current": S(current).label,
        "to": S(to).label if to in S.values else to,
        "allowed": allowed or gettext("none"),
    }


@transaction.atomic
def alert_transition(
    *, alert: Alert, to: str, by, note: str = "", only_from: Collection[str] | None = None
) -> Alert:
    """Move `alert` to status `to` if the machine allows it, set the reaction-time stamps
    (acknowledged, closed) and the outcome, and record who did it. Moving to the status it
    already has changes nothing. Raises TransitionRefused otherwise, or when the alert is no
    longer in one of `only_from` (someone else moved it since the page was drawn)."""
    current = Alert.objects.select_for_update().values_list("status", flat=True).get(pk=alert.pk)
    alert.status = current  # another analyst may have moved it since the page was drawn
    if only_from is not None and current not in only_from:
        raise TransitionRefused(
            gettext("Someone else already set this alert to “%(current)s”.")
            % {"current": S(current).label}
        )
    if to == current:
        return alert
    if to not in TRANSITIONS.get(current, ()):
        raise TransitionRefused(_refusal(current, to))
    now = timezone.now()
    fields = {"status"}
    alert.status = to
    if to != S.DISMISSED and alert.acknowledged_at is None:
        alert.acknowledged_at = now
        fields.add("acknowledged_at")
    if to in CLOSING:
        alert.closed_at = now
        fields.add("closed_at")
    elif alert.closed_at is not None:  # reopened
        alert.closed_at = None
        fields.add("closed_at")
    if to in OUTCOMES:
        alert.outcome = to
        fields.add("outcome")
    alert.save(update_fields=[*fields, "updated_at"])
    alert_event_record(
        alert=alert, kind=AlertEvent.Kind.STATUS, by=by, before=current, after=to, note=note
    )
    if to == S.ACKNOWLEDGED:
        alert_message_read(alert=alert, by=by)  # acknowledging it, they read what came in
    return alert


@transaction.atomic
def alert_message_read(*, alert: Alert, by, seen: dt.datetime | None = None) -> bool:
    """An analyst has read the reporter's new message (opened the alert, replied to it or
    acknowledged it): the queue stops showing it up, and the history says who read it.
    `seen`: the marker as the page showed it; a message that came in after that stays new.
    Returns whether there was a marker to clear."""
    marked = Alert.objects.filter(pk=alert.pk, new_message_at__isnull=False)
    if seen is not None:
        marked = marked.filter(new_message_at__lte=seen)
    at = marked.values_list("new_message_at", flat=True).first()
    # Cleared only if it is still the marker just read: a text arriving meanwhile stays new.
    if at is None or not Alert.objects.filter(pk=alert.pk, new_message_at=at).update(
        new_message_at=None, updated_at=timezone.now()
    ):
        return False
    alert.new_message_at = None
    alert_event_record(
        alert=alert,
        kind=AlertEvent.Kind.MESSAGE_READ,
        by=by,
        after={"new_message_at": at.isoformat()},
    )
    return True


def _event_value(alert: Alert, name: str):
    if name == "location":
        return {"id": alert.location_id, "name": alert.location.name} if alert.location_id else None
    if name == "assignee":
        return (
            {"id": alert.assignee_id, "username": alert.assignee.get_username()}
            if alert.assignee_id
            else None
        )
    return getattr(alert, name)


@transaction.atomic
def alert_update(*, alert: Alert, by, note: str = "", **changes) -> Alert:
    """Apply an analyst's changes: the status through the status machine, other fields directly,
    each change recorded with its value before and after (a correction when it overrides the
    triage engine)."""
    new_status = changes.pop("status", None)
    unknown = set(changes) - {*CORRECTABLE, "assignee"}
    if unknown:
        raise TypeError(f"alert_update cannot change {sorted(unknown)}")
    assignee = changes.get("assignee")
    if assignee is not None and assignee.pk != alert.assignee_id and not assignable(assignee):
        raise AssignmentRefused(
            gettext("%(name)s does not work alerts: they cannot be assigned one.")
            % {"name": assignee.get_username()}
        )
    changed = []
    for name, value in changes.items():
        if getattr(alert, name) == value:
            continue
        before = _event_value(alert, name)
        setattr(alert, name, value)
        changed.append((name, before, _event_value(alert, name)))
    if changed:
        fields = [name for name, _before, _after in changed]
        if "location" in fields:
            alert.location_is_fallback = False
            fields.append("location_is_fallback")
        alert.save(update_fields=[*fields, "updated_at"])
        for name, before, after in changed:
            kind = AlertEvent.Kind.ASSIGNED if name == "assignee" else name
            alert_event_record(alert=alert, kind=kind, by=by, before=before, after=after, note=note)
        if "priority" in fields:
            # The acknowledge deadline follows the new priority; a breach is notified afresh.
            alert_priority_changed.send(sender=Alert, alert=alert)
        if "categories" in fields:
            alert_categories_changed.send(sender=Alert, alert=alert, by=by)
    if new_status is not None:
        alert_transition(alert=alert, to=new_status, by=by, note=note)
    return alert
