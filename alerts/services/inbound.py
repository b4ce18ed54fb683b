"""Inbound SMS: store first (one transaction), then queue triage; keywords, threads, flooding.

No text is swallowed: a keyword acts only when it is the whole message and can never be a cry
for help (Keyword.may_be_plea), every other text makes or joins an alert, and a keyword message
joins the sender's latest open alert so analysts see it in the thread (an opt-out from a
registered focal point opens a review item of its own)."""

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.crypto import lookup_hash
from networks import selectors as network_selectors
from networks import services as network_services
from networks.phones import normalise_sender

from ..channels.base import InboundSMS
from ..constants import FLOOD_LIMIT, FLOOD_WINDOW, THREAD_WINDOW
from ..models import Alert, Keyword, Message, OptOut
from .alerts import enqueue_triage_soon, thread_text_enqueue_soon
from .answers import answer_offer, answers_expected
from .broadcasts import broadcast_reply_link
from .intake_sql import RECENT_SQL, auto_reply_keep, sms_alert_insert
from .outbound import is_opted_out
from .texts import keyword_for, reply_text

log = logging.getLogger(__name__)

# An opt-out from a registered focal point opens a review item for the network's supervisor.
OPT_OUT_REVIEW_RULE = "opt-out from a registered focal point: follow up"
OPT_OUT_REVIEW_PRIORITY = 4


@dataclass
class InboundResult:
    message: Message
    alert: Alert | None
    reply: str  # the automatic answer for the TwiML response ("" for none)
    duplicate: bool = False


@dataclass(frozen=True)
class InboundDiversion:
    """A channel of its own (a keyword or a number a higher app configures, e.g. the conduct
    app's complaints): `matches(sms)` says whether the SMS is for it; `take(sms=, number=,
    sender_hash=, now=)` stores it there, inside intake's transaction, and gives the automatic
    answer. The general tables keep only an empty message row: its provider id stops a second
    delivery and lets the provider's copy be deleted, as for every inbound SMS."""

    name: str
    matches: Callable[[InboundSMS], bool]
    take: Callable[..., str]


_diversions: dict[str, InboundDiversion] = {}


def inbound_diversion_register(diversion: InboundDiversion) -> None:
    """Add (or replace, by name) a diversion; called from the higher app's ready()."""
    _diversions[diversion.name] = diversion


def _diversion_for(sms: InboundSMS) -> InboundDiversion | None:
    for diversion in _diversions.values():
        if diversion.matches(sms):
            return diversion
    return None


def _divert(
    diversion: InboundDiversion, *, sms: InboundSMS, number: str, sender_hash: str, now
) -> InboundResult:
    """Store the SMS where its diversion keeps it; here, a message row without words or
    number."""
    try:
        with transaction.atomic():
            message = Message(
                direction=Message.Direction.INBOUND,
                kind=Message.Kind.KEYWORD,
                body="",
                status=Message.Status.RECEIVED,
                segments=sms.segments,
                provider_sid=sms.provider_sid,
                created_at=sms.received_at or now,
            )
            message.save(force_insert=True)
            reply = diversion.take(sms=sms, number=number, sender_hash=sender_hash, now=now)
            if reply:
                Message.objects.filter(pk=message.pk).update(auto_reply=reply)
                message.auto_reply = reply
    except IntegrityError:
        return _duplicate(sms)
    return InboundResult(message=message, alert=None, reply=message.auto_reply)


@dataclass
class Activity:
    """What a number's recent messages say about its new text: how many texts it sent in the
    flood window, the open alert an analyst replied to within the thread window (the text joins
    its thread), when the number is flooding its latest open alert (the text joins it), and the
    alert of the analyst's latest reply when that alert is no longer open (a new alert follows
    it)."""

    flood_count: int
    thread: Alert | None
    latest: Alert | None
    parent_id: int | None


def _recent_activity(sender_hash: str, now: dt.datetime) -> Activity:
    # Hand-written (see intake_sql): building it through the ORM cost more than running it.
    sql = RECENT_SQL.format(message_table=Message._meta.db_table, alert_table=Alert._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sender_hash, now - THREAD_WINDOW])
        rows = cursor.fetchall()
    return _activity_from(rows, now)


def _activity_from(rows, now: dt.datetime) -> Activity:
    """_recent_activity's answer from its rows (direction, kind, created_at, alert_id,
    alert status), newest first: the decision intake_sql's statement makes, in Python."""
    flood_since = now - FLOOD_WINDOW
    flood_count, thread_id, latest_id, parent_id = 0, None, None, None
    for direction, kind, created_at, alert_id, alert_status in rows:
        if isinstance(created_at, str):  # SQLite hands back text
            created_at = parse_datetime(created_at)
        if timezone.is_naive(created_at):
            created_at = timezone.make_aware(created_at, dt.UTC)
        is_open = alert_status in Alert.OPEN_STATUSES
        if direction == Message.Direction.INBOUND and created_at >= flood_since:
            flood_count += 1
            # Never a closed or dismissed alert: a flood's texts stay in the open queue.
            if latest_id is None and alert_id is not None and is_open:
                latest_id = alert_id
        is_reply = direction == Message.Direction.OUTBOUND and kind == Message.Kind.REPLY
        if is_reply and alert_id is not None:
            if parent_id is None:
                parent_id = alert_id
            if thread_id is None and is_open:
                thread_id = alert_id
    if flood_count < FLOOD_LIMIT:
        latest_id = None
    if thread_id is not None:
        parent_id = None
    wanted = [pk for pk in (thread_id, latest_id) if pk is not None]
    alerts = Alert.objects.in_bulk(wanted) if wanted else {}
    return Activity(flood_count, alerts.get(thread_id), alerts.get(latest_id), parent_id)


def _latest_open_alert(sender_hash: str) -> Alert | None:
    return (
        Alert.objects.filter(sender_hash=sender_hash, status__in=Alert.OPEN_STATUSES)
        .order_by("-received_at", "-id")
        .first()
    )


def _new_message_mark(alert: Alert, at: dt.datetime, **changes) -> None:
    """The reporter wrote again on `alert`: the queue shows it until an analyst reads it."""
    Alert.objects.filter(pk=alert.pk).update(new_message_at=at, **changes)
    alert.new_message_at = at
    for name, value in changes.items():
        setattr(alert, name, value)


def _opt_out_review(*, sms: InboundSMS, number: str, sender_hash: str, focal_point, now):
    """The open review item of this focal point's opt-out, made when there is none: a
    registered focal point stopping every message is for the network's supervisor to follow
    up (the queue shows it to supervisors; no network has a supervisor of its own to assign it
    to). Already triaged, priority 4, no deadline; never sent to triage."""
    review = (
        Alert.objects.filter(
            sender_hash=sender_hash,
            status__in=Alert.OPEN_STATUSES,
            explanation__priority_rule=OPT_OUT_REVIEW_RULE,
        )
        .order_by("-received_at", "-id")
        .first()
    )
    if review is not None:
        _new_message_mark(review, sms.received_at or now)
        return review
    return Alert.objects.create(
        source=Alert.Source.SMS,
        text=sms.body,
        reporter=focal_point,
        sender_known=True,
        sender=number,
        sender_hash=sender_hash,
        status=Alert.Status.TRIAGED,
        priority=OPT_OUT_REVIEW_PRIORITY,
        categories=["other"],
        language=focal_point.language,
        location=focal_point.home_location,
        location_is_fallback=focal_point.home_location_id is not None,
        explanation={"priority_rule": OPT_OUT_REVIEW_RULE},
        received_at=sms.received_at or now,
        triaged_at=now,
    )


def _discreet(focal_point) -> bool:
    """Whether the sender gets the neutral wording (an unknown number never has a setting)."""
    return focal_point is not None and network_selectors.focal_point_discreet(focal_point)


def _acknowledgement(focal_point, alert: Alert) -> str:
    return reply_text(
        "ack",
        focal_point.language,
        discreet=_discreet(focal_point),
        reference=alert.reference,
        alert_id=alert.pk,
    )


def _handle_keyword(
    *,
    keyword: Keyword,
    sms: InboundSMS,
    number: str,
    sender_hash: str,
    focal_point,
    now: dt.datetime,
) -> tuple[str, Message, Alert | None]:
    """A keyword that can never be a plea acts, and its message is filed where analysts see
    it: an opt-out from a registered focal point in its review item, any other keyword message
    in the sender's latest open alert (none: an unknown number's opt-out, or an opt-in or help
    request the automatic answer fully serves, stays out of the queue)."""
    language = focal_point.language if focal_point else (keyword.language or "fr")
    discreet = _discreet(focal_point)
    reply = ""
    alert = None
    if keyword.action == Keyword.Action.OPT_OUT:
        _, created = OptOut.objects.get_or_create(
            phone_hash=sender_hash, defaults={"opted_out_at": now, "keyword": keyword.word}
        )
        if focal_point is not None:
            network_services.focal_point_opt_out(focal_point=focal_point, at=now)
            alert = _opt_out_review(
                sms=sms, number=number, sender_hash=sender_hash, focal_point=focal_point, now=now
            )
        if created:  # confirmed once; after that, silence
            reply = reply_text("opt_out", language, discreet=discreet)
    elif keyword.action == Keyword.Action.OPT_IN:
        OptOut.objects.filter(phone_hash=sender_hash).delete()
        if focal_point is not None:
            network_services.focal_point_opt_in(focal_point=focal_point)
        reply = reply_text("opt_in", language, discreet=discreet)
    else:
        reply = reply_text("help", language, discreet=discreet)
    if alert is None:
        alert = _latest_open_alert(sender_hash)
        if alert is not None:
            _new_message_mark(alert, sms.received_at or now)
    message = _store_message(
        sms=sms,
        number=number,
        sender_hash=sender_hash,
        focal_point=focal_point,
        alert=alert,
        kind=Message.Kind.KEYWORD,
        reply=reply,
        flooded=False,
        now=now,
    )
    return reply, message, alert


def _with_help(reply: str, *, plea: Keyword | None, focal_point, flooded: bool) -> str:
    """The automatic answer to a text that made or joined an alert, with the how-to text after
    it when the text was a help word that may be a plea: the reporter gets the alert's
    reference (a registered focal point's acknowledgement) and how to say more. A flooding
    number gets nothing."""
    if plea is None or plea.action != Keyword.Action.HELP or flooded:
        return reply
    language = focal_point.language if focal_point else (plea.language or "fr")
    how_to = reply_text("help", language, discreet=_discreet(focal_point))
    return "\n".join(text for text in (reply, how_to) if text)


def _message_for(
    *,
    sms: InboundSMS,
    number: str,
    sender_hash: str,
    focal_point,
    alert,
    kind: str,
    reply: str,
    flooded: bool,
    now: dt.datetime,
) -> Message:
    """The inbound message row, not yet saved."""
    return Message(
        alert=alert,
        direction=Message.Direction.INBOUND,
        kind=kind,
        body=sms.body,
        status=Message.Status.RECEIVED,
        segments=sms.segments,
        provider_sid=sms.provider_sid,
        peer=number,
        peer_hash=sender_hash,
        our_number=sms.recipient,
        focal_point=focal_point,
        media_urls=list(sms.media_urls),
        raw=sms.raw,
        auto_reply=reply,
        flooded=flooded,
        created_at=sms.received_at or now,
    )


def _store_message(**fields) -> Message:
    message = _message_for(**fields)
    message.save(force_insert=True)
    return message


def inbound_receive(*, sms: InboundSMS) -> InboundResult:
    """Store an inbound SMS and (usually) a new alert, in one transaction; queue triage after
    commit. A MessageSid seen before returns the first result and creates nothing."""
    number = normalise_sender(sms.sender)
    sender_hash = lookup_hash(number)
    now = timezone.now()
    diversion = _diversion_for(sms)
    if diversion is not None:
        return _divert(diversion, sms=sms, number=number, sender_hash=sender_hash, now=now)
    keyword = keyword_for(sms.body)
    # A word that may be a cry for help ("AIDE", "ARRETEZ") is an alert, never a command.
    plea = keyword if keyword is not None and keyword.may_be_plea else None
    command = keyword if plea is None else None
    if keyword is None and answers_expected():
        answered = _receive_answer(sms=sms, number=number, sender_hash=sender_hash, now=now)
        if answered is not None:
            return answered
    if command is None and connection.vendor == "postgresql" and settings.INTAKE_ONE_STATEMENT:
        try:
            result, focal_point = _receive_alert_text_in_one_statement(
                sms=sms, number=number, sender_hash=sender_hash, plea=plea, now=now
            )
        except IntegrityError:
            return _duplicate(sms)
        if result is not None:
            return result
    else:
        focal_point = network_selectors.focal_point_by_hash(sender_hash)
    try:
        with transaction.atomic():
            if command is not None:
                reply, message, alert = _handle_keyword(
                    keyword=command,
                    sms=sms,
                    number=number,
                    sender_hash=sender_hash,
                    focal_point=focal_point,
                    now=now,
                )
                return InboundResult(message=message, alert=alert, reply=reply)
            result = _receive_alert_text(
                sms=sms,
                number=number,
                sender_hash=sender_hash,
                focal_point=focal_point,
                plea=plea,
                now=now,
            )
    except IntegrityError:
        return _duplicate(sms)
    return result


def _receive_answer(
    *, sms: InboundSMS, number: str, sender_hash: str, now: dt.datetime
) -> InboundResult | None:
    """A text that answers a question its sender was asked (a poll) is recorded there and
    stored as an answer message, in one transaction; no alert, unless it also reports
    violence: then it makes its alert exactly as any other text. None: no answer (or a taker
    that failed), the text goes through intake as always."""
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    taken = answer_offer(sender_hash=sender_hash, body=sms.body, now=now)
            except Exception:  # a faulty taker must never cost a text its alert
                log.exception("answer taker failed; the text goes through intake")
                return None
            if taken is None:
                return None
            focal_point = network_selectors.focal_point_by_hash(sender_hash)
            if taken.reports_violence:
                result = _receive_alert_text(
                    sms=sms,
                    number=number,
                    sender_hash=sender_hash,
                    focal_point=focal_point,
                    plea=None,
                    now=now,
                )
                reply = "\n".join(text for text in (result.reply, taken.reply) if text)
                if reply != result.reply:
                    Message.objects.filter(pk=result.message.pk).update(auto_reply=reply)
                    result.message.auto_reply = result.reply = reply
                return result
            message = _store_message(
                sms=sms,
                number=number,
                sender_hash=sender_hash,
                focal_point=focal_point,
                alert=None,
                kind=Message.Kind.ANSWER,
                reply=taken.reply,
                flooded=False,
                now=now,
            )
            return InboundResult(message=message, alert=None, reply=taken.reply)
    except IntegrityError:
        return _duplicate(sms)


def _duplicate(sms: InboundSMS) -> InboundResult:
    """Twilio delivered the same MessageSid twice (possibly at the same moment): the unique
    constraint stopped the second one; answer exactly as the first time."""
    first = Message.objects.select_related("alert").filter(provider_sid=sms.provider_sid).first()
    if first is None:
        raise IntegrityError(f"inbound {sms.provider_sid} refused, and no first copy stored")
    return InboundResult(message=first, alert=first.alert, reply=first.auto_reply, duplicate=True)


def _receive_alert_text_in_one_statement(
    *, sms: InboundSMS, number: str, sender_hash: str, plea: Keyword | None, now: dt.datetime
) -> tuple[InboundResult | None, object]:
    """The common case on PostgreSQL, a new alert, stored with its message by one atomic
    statement that also reads the sender and their recent messages (intake_sql). Gives the
    result and the sender's focal point; no result when the text belongs to a thread or a
    flooding number's alert: the transactional path handles those."""
    alert = Alert(
        source=Alert.Source.SMS,
        text=sms.body,
        sender=number,
        sender_hash=sender_hash,
        received_at=sms.received_at or now,
    )
    message = _message_for(
        sms=sms,
        number=number,
        sender_hash=sender_hash,
        focal_point=None,
        alert=None,
        kind=Message.Kind.ALERT,
        reply="",
        flooded=False,
        now=now,
    )
    if connection.in_atomic_block:
        # Inside a caller's transaction: its connection, and a savepoint that keeps a refused
        # duplicate from breaking that transaction.
        using, guard = DEFAULT_DB_ALIAS, transaction.atomic()
    else:
        # In autocommit the statement is its own transaction, on intake's own connection.
        using, guard = settings.INTAKE_DATABASE, contextlib.nullcontext()
    with guard:
        intake = sms_alert_insert(
            alert=alert, message=message, sender_hash=sender_hash, now=now, using=using
        )
    focal_point = intake.focal_point
    if intake.alert is None:
        return None, focal_point
    alert, message = intake.alert, intake.message
    flooded = alert.flooded
    reply = ""
    if focal_point is not None:
        # As outbound.is_opted_out, from what the statement read.
        opted_out = focal_point.opted_out_at is not None or intake.number_opted_out
        if not flooded and not opted_out:
            reply = _acknowledgement(focal_point, alert)
        broadcast_reply_link(focal_point_id=focal_point.pk, alert=alert, now=now, using=using)
    reply = _with_help(reply, plea=plea, focal_point=focal_point, flooded=flooded)
    if reply:
        # Kept for a repeated delivery of the same SMS, which gets the same answer.
        auto_reply_keep(message, reply, using=using)
    # At once in autocommit; after the caller's commit inside an outer transaction.
    transaction.on_commit(lambda: enqueue_triage_soon(alert.pk, flooded=flooded, text=alert.text))
    return InboundResult(message=message, alert=alert, reply=reply), focal_point


def _receive_alert_text(
    *,
    sms: InboundSMS,
    number: str,
    sender_hash: str,
    focal_point,
    plea: Keyword | None,
    now: dt.datetime,
) -> InboundResult:
    activity = _recent_activity(sender_hash, now)
    flooded = activity.flood_count >= FLOOD_LIMIT
    received_at = sms.received_at or now
    reply = ""
    pending = False
    if activity.thread is not None:
        # A conversation with an analyst: the text joins that alert's thread, and triage reads
        # it (a flood's texts aside: they are kept, not triaged one by one).
        alert = activity.thread
        pending = not flooded
        _new_message_mark(alert, received_at)
    elif flooded and activity.latest is not None:
        # A flooding number's texts are all kept, on its latest open alert, and never
        # acknowledged.
        alert = activity.latest
        _new_message_mark(alert, received_at, **({} if alert.flooded else {"flooded": True}))
    else:
        # A new alert; after an analyst's reply to an alert since closed, it follows that one
        # (linked) rather than reopening it.
        alert = Alert.objects.create(
            source=Alert.Source.SMS,
            text=sms.body,
            reporter=focal_point,
            sender_known=focal_point is not None,
            sender=number,
            sender_hash=sender_hash,
            flooded=flooded,
            thread_parent_id=activity.parent_id,
            received_at=received_at,
        )
        if (
            focal_point is not None
            and not flooded
            and not is_opted_out(phone_hash=sender_hash, focal_point=focal_point)
        ):
            reply = _acknowledgement(focal_point, alert)
        if focal_point is not None:  # an answer to a recent broadcast is filed with it
            broadcast_reply_link(focal_point_id=focal_point.pk, alert=alert, now=now)
        transaction.on_commit(
            lambda: enqueue_triage_soon(alert.pk, flooded=flooded, text=alert.text)
        )
    message = _message_for(
        sms=sms,
        number=number,
        sender_hash=sender_hash,
        focal_point=focal_point,
        alert=alert,
        kind=Message.Kind.ALERT,
        reply=_with_help(reply, plea=plea, focal_point=focal_point, flooded=flooded),
        flooded=flooded,
        now=now,
    )
    message.triage_pending = pending
    message.save(force_insert=True)
    if pending:
        transaction.on_commit(lambda: thread_text_enqueue_soon(message.pk, text=message.body))
    return InboundResult(message=message, alert=alert, reply=message.auto_reply)
