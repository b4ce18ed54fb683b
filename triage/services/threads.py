"""Texts a reporter sends in an alert's thread after an analyst answered: triage reads each one.

About the same event (the usual case), the text can make the alert more urgent, never less: the
priority only rises, categories and risk factors are only added; a rise sets the deadline afresh
from the text and the assignee (or, with nobody to tell, the supervisors) gets an SMS notice.
About another event (another place, or violence in a thread about tension), or in the thread of
an alert closed meanwhile, the text becomes an alert of its own that follows the thread's one
and goes through the usual triage.
"""

import logging
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertEvent, Message
from alerts.services import (
    SendRefused,
    alert_event_build,
    alert_event_record,
    enqueue_triage,
    sms_send,
)
from core.taxonomy import CATEGORY_CHOICES, CATEGORY_CODES, RISK_FACTOR_CHOICES_NUMBERED
from networks.models import Location

from ..engine import Analysis
from ..geo import distance_km, radius_km
from ..models import AnalystProfile, Incident
from ..selectors import supervisors_to_notify
from .deadlines import deadline_for, notice_place
from .incidents import category_families, incident_recount
from .informants import alert_informant_threat
from .pipeline import place_with_ancestors, text_analysis

log = logging.getLogger(__name__)

# Why a text in a thread became an alert of its own (the follow_up events' notes).
OTHER_PLACE, OTHER_KIND, THREAD_CLOSED = "place", "categories", "closed"


def thread_message_triage(*, message_id: int) -> Alert | None:
    """Triage one text that joined an alert's thread (`Message.triage_pending`). Returns the
    alert it now belongs to, or None when there was nothing to do: the message is gone or
    already triaged (running twice, or twice at once, is harmless: the first to clear the flag
    does the work), or its alert awaits its own triage (the sweeper brings the text back)."""
    message = (
        Message.objects.filter(pk=message_id, triage_pending=True)
        .only("pk", "alert_id", "body", "created_at")
        .first()
    )
    if message is None:
        return None
    alert = Alert.objects.defer("sender", "explanation").filter(pk=message.alert_id).first()
    if alert is None:  # not in a thread after all: nothing to weigh it against
        Message.objects.filter(pk=message.pk).update(triage_pending=False)
        log.warning("thread triage: message %s has no alert", message_id)
        return None
    if alert.triaged_at is None:
        return None  # what the text adds is weighed against the alert's own triage
    analysis = text_analysis(alert=alert, text=message.body)  # no lock held while it runs
    with transaction.atomic():
        claimed = Message.objects.filter(
            pk=message.pk, triage_pending=True, alert_id=alert.pk
        ).update(triage_pending=False)
        if not claimed:
            return None  # another run got there first, or the text was moved meanwhile
        alert = Alert.objects.select_for_update().defer("sender", "explanation").get(pk=alert.pk)
        reason = _other_event(alert, analysis)
        if reason:
            return _follow_up(alert, message, reason)
        _same_event(alert, message, analysis)
        return alert


def _other_event(alert: Alert, analysis: Analysis) -> str:
    """Why the text is about another event than the alert's ("" when it is about the same)."""
    if alert.status not in Alert.OPEN_STATUSES:
        return THREAD_CLOSED
    named = analysis.place if not analysis.place_is_fallback else None
    # A place named where the alert's was only the reporter's home (or unknown) says where the
    # alert's event is, not that there is another one.
    if named is not None and alert.location_id and not alert.location_is_fallback:
        here, there = place_with_ancestors(alert.location_id), place_with_ancestors(named.id)
        if here is not None and there is not None and _far_apart(here, there):
            return OTHER_PLACE
    theirs, ours = category_families(analysis.categories), category_families(alert.categories)
    if theirs and ours and not theirs & ours:
        return OTHER_KIND
    return ""


def _within(place: Location, area: Location) -> bool:
    node = place
    while node is not None:
        if node.pk == area.pk:
            return True
        node = node.parent
    return False


def _far_apart(here: Location, there: Location) -> bool:
    """Places of two different events: in different territories, or farther apart than the
    incident radius. A place and one inside it (a village of the territory named) never are,
    nor two places whose distance is unknown within one territory."""
    if _within(here, there) or _within(there, here):
        return False
    territories = [p.ancestor(Location.Kind.TERRITORY) for p in (here, there)]
    if None not in territories and territories[0].pk != territories[1].pk:
        return True
    distance = distance_km(here, there)
    return math.isfinite(distance) and distance > radius_km()


def _ordered(categories: set[str]) -> list[str]:
    return [c for c in CATEGORY_CODES if c in categories] + sorted(categories - set(CATEGORY_CODES))


def _added_categories(current: list[str], found: list[str]) -> list[str]:
    """The alert's categories with the text's added; `other` (nothing else fits) goes once a
    category of its own does."""
    merged = set(current or ()) | set(found or ())
    if len(merged) > 1:
        merged.discard("other")
    return _ordered(merged)


def _added_risk_factors(current: list[str], found: list[str]) -> list[str]:
    merged = set(current or ()) | set(found or ())
    return sorted(merged, key=lambda code: (len(code), code))  # RF2 before RF11


def _same_event(alert: Alert, message: Message, analysis: Analysis) -> None:
    """Raise the priority and add categories and risk factors when the text calls for it, with
    a fresh deadline, the incident's figures and the history; then tell the people concerned.
    Inside the caller's transaction, the alert's row locked."""
    before = {"priority": alert.priority, "categories": list(alert.categories or ())}
    changes: dict = {}
    raised = analysis.priority is not None and (
        alert.priority is None or analysis.priority < alert.priority
    )
    if raised:
        due = deadline_for(priority=analysis.priority, received_at=message.created_at)
        if (
            due is not None
            and alert.acknowledged_at is None
            and alert.sla_escalated_at is None
            and alert.sla_due_at is not None
            and message.created_at <= alert.sla_due_at < due
        ):
            due = alert.sla_due_at  # a rise never gives more time than the deadline running
        changes.update(priority=analysis.priority, sla_due_at=due, sla_escalated_at=None)
    categories = _added_categories(alert.categories, analysis.categories)
    if categories != list(alert.categories or ()):
        changes["categories"] = categories
    risk_factors = _added_risk_factors(alert.risk_factors, analysis.risk_factors)
    if risk_factors != list(alert.risk_factors or ()):
        changes["risk_factors"] = risk_factors
    named = analysis.place if not analysis.place_is_fallback else None
    if named is not None and (not alert.location_id or alert.location_is_fallback):
        location = place_with_ancestors(named.id)
        if location is not None and location.pk != alert.location_id:
            changes.update(location=location, location_is_fallback=False)
    for name, value in changes.items():
        setattr(alert, name, value)
    after = {"priority": alert.priority, "categories": list(alert.categories or ())}
    if "risk_factors" in changes:
        after["risk_factors"] = risk_factors
    if "location" in changes:
        after["location"] = {"id": alert.location_id, "name": alert.location.name}
    if changes:
        Alert.objects.filter(pk=alert.pk).update(**changes, updated_at=timezone.now())
    alert_event_record(
        alert=alert,
        kind=AlertEvent.Kind.NEW_MESSAGE,
        before=before,
        after=after,
        note=_change_note(before, after, changes),
    )
    if changes and alert.incident_id:
        incident = Incident.objects.select_for_update().filter(pk=alert.incident_id).first()
        if incident is not None:
            incident_recount(incident=incident)
    _notify(alert, raised=raised)
    alert_informant_threat(alert=alert)  # the text says the reporter is threatened


def _change_note(before: dict, after: dict, changes: dict) -> str:
    """The history's words for what the text changed, in the users' language."""
    labels = dict(CATEGORY_CHOICES)
    numbered = dict(RISK_FACTOR_CHOICES_NUMBERED)
    with translation.override(settings.LANGUAGE_CODE):
        parts = []
        if "priority" in changes:
            parts.append(
                _("Priority raised from P%(before)s to P%(after)s by the reporter's new message.")
                % {"before": before["priority"] or "?", "after": after["priority"]}
            )
        added = [c for c in after["categories"] if c not in before["categories"]]
        if added:
            parts.append(
                _("Categories added: %(categories)s.")
                % {"categories": ", ".join(str(labels.get(c, c)) for c in added)}
            )
        if "risk_factors" in changes:
            parts.append(
                _("Risk factors now: %(codes)s.")
                % {"codes": ", ".join(str(numbered.get(c, c)) for c in after["risk_factors"])}
            )
        if "location" in changes:
            parts.append(_("Place named: %(place)s.") % {"place": after["location"]["name"]})
        if not parts:
            parts.append(
                _(
                    "Nothing in the new message raises the priority or adds a category "
                    "(a new message never lowers them)."
                )
            )
        return " ".join(parts)


def thread_notice(alert: Alert, *, raised: bool) -> str:
    """The SMS telling an analyst the reporter wrote again: reference, priority and place only,
    never who reported it or from which number."""
    values = {
        "reference": alert.reference,
        "priority": alert.priority or "?",
        "place": notice_place(alert),
    }
    if raised:
        return (
            _(
                "Kengele: new message from the reporter on alert %(reference)s (%(place)s): "
                "priority raised to P%(priority)s. Please read it on the dashboard."
            )
            % values
        )
    return (
        _(
            "Kengele: new message from the reporter on alert %(reference)s (P%(priority)s, "
            "%(place)s). Please read it on the dashboard."
        )
        % values
    )


def _notify(alert: Alert, *, raised: bool) -> int:
    """Tell the assignee (if they gave a number) of every new message; when the priority rose
    and no assignee can be told, the supervisors. Returns how many notices were queued."""
    recipients = []
    if alert.assignee_id:
        profile = AnalystProfile.objects.filter(user_id=alert.assignee_id).exclude(phone="").first()
        if profile is not None:
            recipients.append(profile)
    if raised and not recipients:
        recipients = list(supervisors_to_notify())
    if alert.location_id:
        alert.location = place_with_ancestors(alert.location_id) or alert.location
    sent = 0
    for profile in recipients:
        with translation.override(profile.language):
            body = thread_notice(alert, raised=raised)
        try:
            sms_send(to=profile.phone, body=body, kind=Message.Kind.NOTICE)
        except SendRefused as exc:
            log.warning("new message notice to %s not sent: %s", profile.user_id, exc)
            continue
        sent += 1
    return sent


def _follow_up(alert: Alert, message: Message, reason: str) -> Alert:
    """Make the text an alert of its own, following the thread's, from the same reporter and
    number; move the text to it and queue its triage (which groups it the usual way). Inside
    the caller's transaction."""
    sender = Alert.objects.filter(pk=alert.pk).values_list("sender", flat=True).get()
    follower = Alert.objects.create(
        source=Alert.Source.SMS,
        text=message.body,
        reporter_id=alert.reporter_id,
        sender_known=alert.sender_known,
        sender=sender,
        sender_hash=alert.sender_hash,
        received_at=message.created_at,
        thread_parent=alert,
    )
    Message.objects.filter(pk=message.pk).update(alert=follower)
    with translation.override(settings.LANGUAGE_CODE):
        why = {
            OTHER_PLACE: _("The reporter's new message names another place."),
            OTHER_KIND: _("The reporter's new message is about another kind of event."),
            THREAD_CLOSED: _("The reporter wrote after the alert was closed."),
        }[reason]
    AlertEvent.objects.bulk_create(
        [
            alert_event_build(
                alert=alert,
                kind=AlertEvent.Kind.FOLLOW_UP,
                after={"id": follower.pk, "reference": follower.reference, "reason": reason},
                note=why,
            ),
            alert_event_build(
                alert=follower,
                kind=AlertEvent.Kind.FOLLOW_UP,
                after={"id": alert.pk, "reference": alert.reference, "follows": True},
                note=why,
            ),
        ]
    )
    transaction.on_commit(lambda: enqueue_triage(follower.pk))
    return follower
