"""The two ways an SMS reaches conduct and discipline staff without an analyst reading it: the
dedicated keyword or number (diverted at intake) and a text triage recognises (moved out of the
alert in triage's transaction, a stub left in its place). Registered in ConductConfig.ready."""

import datetime as dt

from django.conf import settings

from alerts.services import InboundDiversion
from networks.models import Location
from networks.phones import normalise_sender
from triage.services import ConfidentialRoute

from .detection import normalise, reports_peacekeeper_abuse
from .models import Complaint
from .selectors import member_by_phone_hash
from .services import complaint_create

STUB_TEXT = "Signalement confidentiel reçu de {fr}. — A confidential report was received from {en}."


def stub_text(territory: str | None) -> str:
    """The text the general queue shows instead (French first, then English)."""
    if territory:
        return STUB_TEXT.format(fr=territory, en=territory)
    return STUB_TEXT.format(fr="un lieu inconnu", en="an unknown place")


def _keyword_rest(body: str) -> str | None:
    """The text after a complaints keyword opening the SMS, or None when it has none."""
    words = (body or "").strip().split(maxsplit=1)
    if not words:
        return None
    keywords = {" ".join(normalise(word)) for word in settings.CONDUCT_SMS_KEYWORDS}
    if " ".join(normalise(words[0])) not in keywords:
        return None
    return words[1] if len(words) > 1 else ""


def _is_for_conduct(sms) -> bool:
    if _keyword_rest(sms.body) is not None:
        return True
    if not sms.recipient or not settings.CONDUCT_SMS_NUMBERS:
        return False
    ours = {normalise_sender(raw) for raw in settings.CONDUCT_SMS_NUMBERS}
    return normalise_sender(sms.recipient) in ours


def _take_sms(*, sms, number: str, sender_hash: str, now: dt.datetime) -> str:
    rest = _keyword_rest(sms.body)
    member = member_by_phone_hash(sender_hash)
    complaint = complaint_create(
        text=rest if rest is not None else sms.body,
        source=Complaint.Source.SMS_CHANNEL,
        member=member,
        location=member.location if member else None,
        sender=number,
        sender_hash=sender_hash,
        received_at=sms.received_at or now,
    )
    return settings.CONDUCT_SMS_REPLY.format(reference=complaint.reference)


def _take_alert(*, alert, original) -> None:
    location = Location.objects.filter(pk=original.location_id).first()
    complaint_create(
        text=original.text,
        source=Complaint.Source.SMS_TRIAGE,
        member=member_by_phone_hash(original.sender_hash),
        location=location,
        sender=original.sender,
        sender_hash=original.sender_hash,
        reporter_id=original.reporter_id,
        language=original.language,
        priority=original.priority,
        categories=original.categories,
        stub_alert_id=alert.pk,
        received_at=alert.received_at,
    )


DIVERSION = InboundDiversion(name="conduct", matches=_is_for_conduct, take=_take_sms)
ROUTE = ConfidentialRoute(
    name="conduct", matches=reports_peacekeeper_abuse, take=_take_alert, stub_text=stub_text
)
