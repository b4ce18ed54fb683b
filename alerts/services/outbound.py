"""Outbound SMS: one entry point for every sender path, delivery through Celery, status updates."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import lookup_hash
from networks import selectors as network_selectors
from networks.phones import normalise_phone

from ..channels.backends import get_backend
from ..channels.base import PermanentSendError, TransientSendError
from ..constants import ABANDONED_AFTER, REQUEUE_AFTER
from ..discreet import revealing_words
from ..models import Alert, AlertEvent, Message, OptOut, SendAttempt
from ..segments import count_segments
from .changes import alert_message_read
from .events import alert_event_record
from .provider_copies import FINAL_OUTBOUND, messages_provider_copy_enqueue

log = logging.getLogger(__name__)

# Statuses only move forward: a late "sent" never undoes "delivered".
STATUS_RANK = {"pending": 0, "queued": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}
PROVIDER_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}


class SendRefused(Exception):
    """This SMS must not be sent (e.g. the recipient opted out); the reason is user-facing."""


class RevealingRefused(SendRefused):
    """The recipient is in discreet mode and the text names Kengele, an alert or the mission:
    a search of their phone would expose them. `words` are the ones found, as written."""

    def __init__(self, words: list[str]):
        self.words = words
        super().__init__(
            _(
                "This person is in discreet mode: the message must not say %(words)s "
                "(their phone may be searched)."
            )
            % {"words": ", ".join(f"“{word}”" for word in words)}
        )


def default_status_callback() -> str:
    if not settings.PUBLIC_BASE_URL:
        return ""
    return settings.PUBLIC_BASE_URL + reverse("twilio-status")


def status_callback_url(request_url: str) -> str:
    """The public callback when configured, else the URL the request itself came in on."""
    return default_status_callback() or request_url


def is_opted_out(*, phone_hash: str, focal_point=None) -> bool:
    if focal_point is not None and focal_point.opted_out_at is not None:
        return True
    return OptOut.objects.filter(phone_hash=phone_hash).exists()


def _enqueue_send(message_id: int) -> None:
    from ..tasks import send_sms

    try:
        send_sms.delay(message_id)
    except Exception:  # broker down: messages_requeue_pending picks it up
        log.exception("could not queue SMS %s; the sweeper will retry", message_id)


def sms_send(
    *,
    body: str,
    focal_point=None,
    to: str = "",
    alert: Alert | None = None,
    kind: str = Message.Kind.REPLY,
    sent_by=None,
    status_callback: str = "",
    revealing_confirmed: bool = False,
) -> Message:
    """Queue one SMS. Every path (replies, broadcasts, notices) comes through here, so an
    opted-out number is refused everywhere, and so is a text that would expose a focal point
    in discreet mode (RevealingRefused), unless an analyst confirmed it for their own reply
    (`revealing_confirmed`, see alert_reply_send)."""
    body = (body or "").strip()
    if not body:
        raise SendRefused(_("The message is empty."))
    if focal_point is None and not to and alert is not None:
        focal_point = alert.reporter
        to = alert.sender
    phone = focal_point.phone if focal_point is not None else ""
    if not phone:
        try:
            phone = normalise_phone(to)
        except Exception as exc:
            raise SendRefused(_("There is no valid number to send to.")) from exc
    phone_hash = lookup_hash(phone)
    if is_opted_out(phone_hash=phone_hash, focal_point=focal_point):
        raise SendRefused(_("This person has opted out (sent STOP): no SMS may be sent to them."))
    analysts_choice = revealing_confirmed and kind == Message.Kind.REPLY and sent_by is not None
    words = [] if analysts_choice else revealing_words(body)
    if words:
        # The number's owner, even when the caller named none (an alert from a number
        # registered since, a notice to someone who is also a focal point).
        owner = focal_point or network_selectors.focal_point_by_hash(phone_hash)
        if owner is not None and network_selectors.focal_point_discreet(owner):
            raise RevealingRefused(words)
    message = Message.objects.create(
        alert=alert,
        direction=Message.Direction.OUTBOUND,
        kind=kind,
        body=body,
        status=Message.Status.PENDING,
        segments=count_segments(body).segments,
        peer=phone,
        peer_hash=phone_hash,
        focal_point=focal_point,
        sent_by=sent_by,
        status_callback=status_callback or default_status_callback(),
    )
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    if kind == Message.Kind.REPLY and alert is not None and sent_by is not None:
        alert_message_read(alert=alert, by=sent_by)  # answering it, they read what came in
    return message


def recipient_discreet(*, alert: Alert) -> bool:
    """Whether a reply to this alert goes to someone in discreet mode (an unknown sender has
    no setting)."""
    return alert.reporter_id is not None and network_selectors.focal_point_discreet(alert.reporter)


@transaction.atomic
def alert_reply_send(
    *,
    alert: Alert,
    body: str,
    by,
    status_callback: str = "",
    revealing_confirmed: bool = False,
) -> Message:
    """An analyst's reply to the alert's reporter. To someone in discreet mode, a text with
    words that would expose them is refused (RevealingRefused, with the words) unless the
    analyst confirms it: then it is sent, and the alert's history records who chose to send
    which words."""
    message = sms_send(
        alert=alert,
        body=body,
        kind=Message.Kind.REPLY,
        sent_by=by,
        status_callback=status_callback,
        revealing_confirmed=revealing_confirmed,
    )
    words = revealing_words(message.body) if revealing_confirmed else []
    if words and recipient_discreet(alert=alert):
        alert_event_record(
            alert=alert,
            kind=AlertEvent.Kind.REVEALING_REPLY,
            by=by,
            after={"message": message.pk, "words": words},
        )
    return message


def message_deliver(*, message_id: int, final_attempt: bool = False) -> None:
    """Hand one pending SMS to the provider. Raises TransientSendError to be retried."""
    message = Message.objects.select_related("focal_point").filter(pk=message_id).first()
    if message is None or message.status != Message.Status.PENDING:
        return  # already handed over (or gone): running twice is harmless
    # Claim this attempt: a duplicate task for the same attempt finds nothing to do.
    claimed = Message.objects.filter(
        pk=message.pk, status=Message.Status.PENDING, attempts=message.attempts
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return
    if is_opted_out(phone_hash=message.peer_hash, focal_point=message.focal_point):
        _fail(message, code="opted_out", text="recipient opted out before sending")
        return
    attempt = SendAttempt(message=message)
    try:
        result = get_backend().send(
            to=message.peer, body=message.body, status_callback=message.status_callback
        )
    except PermanentSendError as exc:
        _record(attempt, exc, permanent=True)
        _fail(message, code=exc.code or "permanent", text=str(exc))
        return
    except TransientSendError as exc:
        _record(attempt, exc, permanent=final_attempt)
        if final_attempt:
            _fail(message, code=exc.code or "gave_up", text=str(exc))
            return
        raise
    attempt.succeeded = True
    attempt.save()
    status = PROVIDER_STATUS.get(result.status, "queued")
    Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
        provider_sid=result.provider_sid,
        status=status,
        segments=result.segments or message.segments,
        updated_at=timezone.now(),
    )


def _record(attempt: SendAttempt, exc, *, permanent: bool) -> None:
    attempt.http_status = getattr(exc, "http_status", None)
    attempt.error_code = getattr(exc, "code", "")[:12]
    attempt.error_message = str(exc)  # masked and cut to length by the field
    attempt.permanent = permanent
    attempt.save()


def _fail(message: Message, *, code: str, text: str) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED,
        error_code=code[:12],
        error_message=text,  # masked and cut to length by the field
        updated_at=timezone.now(),
    )


def message_status_update(*, provider_sid: str, status: str, error_code: str = "") -> bool:
    """Apply a delivery callback. Out-of-order callbacks never move a status backwards. Once
    the status is final, the provider's copy of the message is deleted."""
    new = PROVIDER_STATUS.get((status or "").lower())
    if new is None:
        return False
    lower = [name for name, rank in STATUS_RANK.items() if rank < STATUS_RANK[new]]
    changes = {"status": new, "updated_at": timezone.now()}
    if error_code:
        changes["error_code"] = error_code[:12]
    outbound = Message.objects.filter(
        provider_sid=provider_sid, direction=Message.Direction.OUTBOUND
    )
    updated = outbound.filter(status__in=lower).update(**changes)
    if updated and new in FINAL_OUTBOUND:
        messages_provider_copy_enqueue(message_ids=list(outbound.values_list("pk", flat=True)))
    return bool(updated)


def messages_requeue_pending() -> int:
    """Queue again the SMS that never reached the broker (it was down when they were made), and
    those whose worker died mid-attempt (pending, untouched for longer than any retry wait)."""
    now = timezone.now()
    cutoff = now - REQUEUE_AFTER
    pending = Message.objects.filter(
        direction=Message.Direction.OUTBOUND, status=Message.Status.PENDING
    )
    never_tried = Q(attempts=0, created_at__lt=cutoff, updated_at__lt=cutoff)
    abandoned = Q(updated_at__lt=now - ABANDONED_AFTER)
    ids = list(pending.filter(never_tried | abandoned).values_list("pk", flat=True)[:500])
    if ids:
        Message.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    for pk in ids:
        _enqueue_send(pk)
    return len(ids)
