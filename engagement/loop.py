"""Closing the loop: once an alert is closed, tell its reporter what was done (a focal point
with a phone, by SMS in their language, in neutral words when they are in discreet mode), and
prepare the same news for the networks of the place as a broadcast draft, which a supervisor
sends. The wording is data (data/loop.yaml)."""

from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from alerts.discreet import short_number
from alerts.models import Alert, AlertEvent, Broadcast, Message
from alerts.services import SendRefused, alert_event_record, broadcast_create, sms_send
from networks import selectors as network_selectors
from networks.models import Location, Network

from .constants import LOOP_MESSAGE_MAX_LENGTH

DATA = Path(__file__).resolve().parent / "data" / "loop.yaml"
FALLBACK_LANGUAGES = ("fr", "en")


@cache
def _texts() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}


def loop_reporter_reachable(*, alert: Alert) -> bool:
    """Is there someone to tell: a focal point with a phone who has not opted out?"""
    reporter = alert.reporter
    return bool(reporter is not None and reporter.phone and reporter.opted_out_at is None)


def loop_reporter_discreet(*, alert: Alert) -> bool:
    return alert.reporter is not None and network_selectors.focal_point_discreet(alert.reporter)


def _outcome(outcome: str) -> str:
    outcome = " ".join((outcome or "").split())
    if not outcome:
        raise ValidationError({"outcome": _("Write in a few words what was done.")})
    if outcome[-1] not in ".!?":
        outcome += "."
    return outcome


def loop_message_text(*, alert: Alert, outcome: str) -> str:
    """The SMS the reporter gets: the wording of their language (French, then English, when
    there is none), the neutral one when they are in discreet mode."""
    discreet = loop_reporter_discreet(alert=alert)
    table = _texts()["discreet" if discreet else "reporter"]
    language = alert.reporter.language if alert.reporter is not None else "fr"
    template = next(table[lang] for lang in (language, *FALLBACK_LANGUAGES) if lang in table)
    text = template.format(
        outcome=_outcome(outcome), reference=alert.reference, number=short_number(alert.pk)
    )
    return " ".join(text.split())


def loop_text(*, alert: Alert, outcome: str = "", text: str = "") -> str:
    """What the reporter gets: the wording of loop_message_text around `outcome`, or `text`
    as the person edited it in full. At most LOOP_MESSAGE_MAX_LENGTH characters either way."""
    if text and outcome:
        raise ValidationError(_("Give either the outcome or the whole text, not both."))
    body = " ".join((text or "").split()) or loop_message_text(alert=alert, outcome=outcome)
    if len(body) > LOOP_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "text" if text else "outcome": _(
                    "Too long for a short SMS: at most %(max)s characters in all."
                )
                % {"max": LOOP_MESSAGE_MAX_LENGTH}
            }
        )
    return body


def loop_offered(*, alert: Alert) -> bool:
    """Is the analyst offered to tell the reporter (the alert is closed, someone to tell)?"""
    return alert.status == Alert.Status.CLOSED and loop_reporter_reachable(alert=alert)


@transaction.atomic
def loop_reporter_tell(*, alert: Alert, outcome: str = "", text: str = "", by) -> Message:
    """Send the reporter of a closed alert what was done (`outcome` in the usual wording, or
    the whole `text` as edited), through the outbound SMS service (so opt-outs hold, and a
    discreet reporter never gets words that would expose them: refused with
    RevealingRefused). The alert's history records it."""
    if alert.status != Alert.Status.CLOSED:
        raise SendRefused(_("Tell the reporter once the alert is closed."))
    if not loop_reporter_reachable(alert=alert):
        raise SendRefused(_("The reporter is not a focal point with a phone: nobody to tell."))
    body = loop_text(alert=alert, outcome=outcome, text=text)
    message = sms_send(
        body=body, focal_point=alert.reporter, alert=alert, kind=Message.Kind.REPLY, sent_by=by
    )
    alert_event_record(
        alert=alert, kind=AlertEvent.Kind.REPORTER_TOLD, by=by, after={"message": message.pk}
    )
    return message


def loop_area_networks(*, alert: Alert) -> list[int]:
    """The networks of the alert's place: based in it or serving it."""
    return loop_place_networks(alert.location_id)


def loop_place_networks(location_id: int | None) -> list[int]:
    if location_id is None:
        return []
    return list(
        Network.objects.filter(Q(base_id=location_id) | Q(area=location_id))
        .distinct()
        .values_list("pk", flat=True)
    )


@transaction.atomic
def loop_area_tell(*, alert: Alert, text: str, by) -> Broadcast:
    """Prepare the news for the networks of the alert's place ("la patrouille est arrivée à
    X ; la situation est calme") as a broadcast draft: the broadcast machinery sends it once a
    supervisor does, each in their language, discreet recipients getting it only when it
    reveals nothing. Without a network there, the people living in the place are selected."""
    if alert.status != Alert.Status.CLOSED:
        raise ValidationError(_("Tell the area once the alert is closed."))
    if alert.location_id is None:
        raise ValidationError(_("The alert has no place: there is no area to tell."))
    broadcast = loop_area_draft(
        reference=alert.reference, location=alert.location, text=text, by=by
    )
    alert_event_record(
        alert=alert, kind=AlertEvent.Kind.AREA_TOLD, by=by, after={"broadcast": broadcast.pk}
    )
    return broadcast


def loop_area_draft(*, reference: str, location: Location, text: str, by) -> Broadcast:
    """The broadcast draft to the networks of `location`, else to the people living there."""
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Write the message for the area.")})
    if len(text) > LOOP_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("Too long for a short SMS: at most %(max)s characters in all.")
                % {"max": LOOP_MESSAGE_MAX_LENGTH}
            }
        )
    networks = loop_place_networks(location.pk)
    return broadcast_create(
        title=_("After %(reference)s: %(place)s")
        % {"reference": reference, "place": location.name},
        texts={"fr": text},
        network_ids=networks,
        location_ids=[] if networks else [location.pk],
        focal_point_ids=[],
        created_by=by,
    )
