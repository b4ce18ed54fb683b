"""What analysts do around an alert besides its status: escalate it to a response unit, keep
internal notes, record that a missed call was returned."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import Alert, AlertEvent, ResponseUnit
from .changes import TransitionRefused, alert_transition
from .events import alert_event_record

S = Alert.Status
# Escalate what was checked: verified, or unverified but too serious to wait.
ESCALATABLE = (S.VERIFIED, S.UNVERIFIED, S.ESCALATED)
NOTE_MAX_LENGTH = 2000


@transaction.atomic
def alert_escalate(*, alert: Alert, unit: ResponseUnit, by, note: str = "") -> Alert:
    """Hand the alert to a response unit (Force, Human Rights, a partner...): the status becomes
    "escalated" and the history says to whom and when. An alert may go to several units."""
    if not unit.active:
        raise TransitionRefused(gettext("This response unit is no longer in use."))
    current = Alert.objects.select_for_update().values_list("status", flat=True).get(pk=alert.pk)
    if current not in ESCALATABLE:
        # Checked first: verified, or unverified but too grave to wait.
        raise TransitionRefused(
            gettext(
                "Mark the alert verified or unverified before escalating it (it is “%(status)s”)."
            )
            % {"status": S(current).label}
        )
    alert_transition(alert=alert, to=S.ESCALATED, by=by, note=note)  # already escalated: kept
    alert_event_record(
        alert=alert,
        kind=AlertEvent.Kind.ESCALATED_TO,
        by=by,
        after={"unit": unit.pk, "name": unit.name},
        note=note,
    )
    return alert


def alert_note_add(*, alert: Alert, by, text: str) -> AlertEvent:
    """An internal note: seen by colleagues on the alert page, never sent to anyone."""
    text = (text or "").strip()
    if not text:
        raise ValueError(gettext("A note cannot be empty."))
    if len(text) > NOTE_MAX_LENGTH:
        raise ValueError(gettext("A note is at most %(n)s characters.") % {"n": NOTE_MAX_LENGTH})
    return alert_event_record(alert=alert, kind=AlertEvent.Kind.NOTE, by=by, note=text)


@transaction.atomic
def alert_callback_done(*, alert: Alert, by, note: str = "") -> Alert:
    """Someone called the person back (a missed call, a "bip"). Recorded once; a second click
    only adds its note to the history."""
    now = timezone.now()
    updated = Alert.objects.filter(pk=alert.pk, callback_done_at__isnull=True).update(
        callback_done_at=now
    )
    if updated:
        alert.callback_done_at = now
    alert_event_record(alert=alert, kind=AlertEvent.Kind.CALLED_BACK, by=by, note=note)
    return alert
