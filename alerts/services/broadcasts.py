"""Broadcasts: a warning by SMS to every focal point of a selection, at the provider's rate.

Sending goes in three steps, each safe to run twice:
1. broadcast_send (web, API): draft -> sending, then the fan-out task on the broadcast queue;
2. broadcast_fan_out: one row per recipient (unique per broadcast) with the moment its turn
   comes, spaced by BROADCAST_RATE_PER_SECOND, then one task per recipient due at that moment;
3. broadcast_recipient_send: at its turn, the recipient's SMS goes through sms_send like every
   other SMS (opt-outs, retries with backoff, permanent errors), so one bad number stops nothing.
Someone at risk is skipped (broadcasts to them pause until a supervisor clears it), and someone
in discreet mode gets a text that reveals nothing or is skipped; each skip keeps its reason.
A sweeper (broadcasts_requeue_due) requeues what a lost task or a restarted worker left behind.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from networks import selectors as network_selectors

from ..discreet import revealing_words
from ..models import Alert, Broadcast, BroadcastRecipient, BroadcastReply, Message
from ..segments import count_segments
from ..selectors import MAX_ID, broadcast_audience
from ..signals import broadcast_recipient_sent
from .outbound import RevealingRefused, SendRefused, sms_send

log = logging.getLogger(__name__)

BROADCAST_TEXT_MAX_LENGTH = 1600  # ten concatenated segments; longer texts are refused by carriers
TITLE_MAX_LENGTH = 200
FAN_OUT_BATCH = 500
# A recipient still waiting this long after its turn lost its task (a worker restart on a broker
# without acknowledgements): the sweeper gives it a new turn.
REQUEUE_AFTER = dt.timedelta(minutes=2)
REQUEUE_BATCH = 500


class BroadcastRefused(Exception):
    """The broadcast cannot do that in its current state; the reason is user-facing."""


def _selection_check(*, network_ids: list[int], location_ids: list[int], fp_ids: list[int]):
    """Every id names something that exists, and something is selected; errors by field."""
    lookups = {
        "networks": (network_ids, network_selectors.network_list()),
        "locations": (location_ids, network_selectors.location_list()),
        "focal_points": (fp_ids, network_selectors.focal_point_list().prefetch_related(None)),
    }
    errors = {}
    for field, (ids, queryset) in lookups.items():
        storable = [pk for pk in ids if 0 < pk <= MAX_ID]  # a larger one overflows the database
        known = set(queryset.filter(pk__in=storable).values_list("pk", flat=True))
        unknown = sorted(set(ids) - known)
        if unknown:
            errors[field] = ValidationError(
                _("No such id: %(ids)s."),
                code="unknown",
                params={"ids": ", ".join(str(pk) for pk in unknown[:20])},
            )
    if not errors and not (network_ids or location_ids or fp_ids):
        errors["networks"] = ValidationError(
            _("Choose at least one network, place or focal point."), code="empty"
        )
    if errors:
        raise ValidationError(errors)


def _texts_check(texts: dict[str, str], discreet_texts: dict[str, str]) -> dict[str, str]:
    """The texts by field name (text_fr, discreet_text_fr...), stripped; errors by field."""
    cleaned = {
        f"{prefix}{language}": (given.get(language) or "").strip()
        for prefix, given in (("text_", texts), ("discreet_text_", discreet_texts))
        for language in Broadcast.LANGUAGES
    }
    errors = {}
    if not cleaned["text_fr"]:
        errors["text_fr"] = ValidationError(
            _("The French text is required: it goes to everyone without a text in their language."),
            code="required",
        )
    for field, text in cleaned.items():
        if len(text) > BROADCAST_TEXT_MAX_LENGTH:
            errors[field] = ValidationError(
                _("At most %(max)s characters."),
                code="max_length",
                params={"max": BROADCAST_TEXT_MAX_LENGTH},
            )
        elif field.startswith("discreet_") and (words := revealing_words(text)):
            errors[field] = ValidationError(
                _("A discreet text may not say %(words)s."),
                code="revealing",
                params={"words": ", ".join(words)},
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def broadcast_fill(
    *,
    broadcast: Broadcast,
    title: str,
    texts: dict[str, str],
    network_ids: list[int],
    location_ids: list[int],
    focal_point_ids: list[int],
    discreet_texts: dict[str, str] | None = None,
) -> None:
    """Check a broadcast's title, texts (and the neutral ones focal points in discreet mode
    get, by language) and selection, and set them (not saved: a preview of an unsaved
    broadcast uses it too). Raises ValidationError by field."""
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = ValidationError(_("A title is required."), code="required")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = ValidationError(
            _("At most %(max)s characters."), code="max_length", params={"max": TITLE_MAX_LENGTH}
        )
    try:
        cleaned = _texts_check(texts, discreet_texts or {})
    except ValidationError as exc:
        errors.update(exc.error_dict)
    ids = {
        "network_ids": sorted({int(pk) for pk in network_ids}),
        "location_ids": sorted({int(pk) for pk in location_ids}),
        "focal_point_ids": sorted({int(pk) for pk in focal_point_ids}),
    }
    try:
        _selection_check(
            network_ids=ids["network_ids"],
            location_ids=ids["location_ids"],
            fp_ids=ids["focal_point_ids"],
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    broadcast.title = title
    for field, text in cleaned.items():
        setattr(broadcast, field, text)
    for field, value in ids.items():
        setattr(broadcast, field, value)


def broadcast_create(
    *,
    title: str,
    texts: dict[str, str],
    network_ids: list[int],
    location_ids: list[int],
    focal_point_ids: list[int],
    created_by,
    discreet_texts: dict[str, str] | None = None,
) -> Broadcast:
    """A draft: nothing is sent until broadcast_send. Raises ValidationError by field."""
    broadcast = Broadcast(created_by=created_by)
    broadcast_fill(
        broadcast=broadcast,
        title=title,
        texts=texts,
        discreet_texts=discreet_texts,
        network_ids=network_ids,
        location_ids=location_ids,
        focal_point_ids=focal_point_ids,
    )
    broadcast.save()
    return broadcast


def broadcast_update(
    *,
    broadcast: Broadcast,
    title: str,
    texts: dict[str, str],
    network_ids: list[int],
    location_ids: list[int],
    focal_point_ids: list[int],
    discreet_texts: dict[str, str] | None = None,
) -> Broadcast:
    """Change a draft; once sending has started a broadcast is what was sent."""
    if broadcast.status != Broadcast.Status.DRAFT:
        raise BroadcastRefused(_("Only a draft can be changed."))
    broadcast_fill(
        broadcast=broadcast,
        title=title,
        texts=texts,
        discreet_texts=discreet_texts,
        network_ids=network_ids,
        location_ids=location_ids,
        focal_point_ids=focal_point_ids,
    )
    broadcast.save()
    return broadcast


def _publish(task, args: tuple, **options) -> None:
    try:
        task.apply_async(args, **options)
    except Exception:  # broker down: broadcasts_requeue_due picks it up
        log.exception("could not queue %s%s; the sweeper will retry", task.name, args)


def _enqueue_fan_out(broadcast_id: int) -> None:
    from ..tasks import broadcast_start

    _publish(broadcast_start, (broadcast_id,))


def _enqueue_recipient(recipient_id: int, due_at: dt.datetime) -> None:
    from ..tasks import broadcast_deliver

    _publish(broadcast_deliver, (recipient_id,), eta=due_at)


def broadcast_send(*, broadcast: Broadcast, by, status_callback: str = "") -> Broadcast:
    """Start sending a draft: the recipients are worked out again and queued by the fan-out."""
    updated = Broadcast.objects.filter(pk=broadcast.pk, status=Broadcast.Status.DRAFT).update(
        status=Broadcast.Status.SENDING,
        sent_by=by,
        sent_at=timezone.now(),
        status_callback=status_callback[:300],
        updated_at=timezone.now(),
    )
    if not updated:
        raise BroadcastRefused(_("This broadcast has already been sent or cancelled."))
    transaction.on_commit(lambda: _enqueue_fan_out(broadcast.pk))
    broadcast.refresh_from_db()
    return broadcast


def _next_turn(now: dt.datetime) -> dt.datetime:
    """When the sender is next free: after every recipient still waiting, of any broadcast, so
    two broadcasts at once share the rate instead of doubling it."""
    last = (
        BroadcastRecipient.objects.filter(state=BroadcastRecipient.State.WAITING)
        .order_by("-due_at", "-id")
        .values_list("due_at", "segments")
        .first()
    )
    if last is None:
        return now
    return max(now, last[0] + dt.timedelta(seconds=last[1] / settings.BROADCAST_RATE_PER_SECOND))


def broadcast_fan_out(*, broadcast_id: int) -> int:
    """Create the recipients (one row each, never two) with their turns, and queue them.
    Returns how many rows were made. Running it again adds only who is missing."""
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.status != Broadcast.Status.SENDING:
        return 0
    if broadcast.fanned_out_at is not None:
        return 0
    audience = broadcast_audience(
        network_ids=broadcast.network_ids,
        location_ids=broadcast.location_ids,
        focal_point_ids=broadcast.focal_point_ids,
    )
    segments = {}  # by (language, discreet); 0: no text may go to them
    for language in Broadcast.LANGUAGES:
        for discreet in (False, True):
            _text_language, text = broadcast.text_for(language, discreet=discreet)
            segments[language, discreet] = count_segments(text).segments if text else 0
    have = set(broadcast.recipients.values_list("focal_point_id", flat=True))
    missing = [(pk, language) for pk, language in audience.recipients if pk not in have]
    rate = settings.BROADCAST_RATE_PER_SECOND
    made = 0
    for start in range(0, len(missing), FAN_OUT_BATCH):
        with transaction.atomic():
            # Locked so a cancel waits for this batch, then cancels it with the rest.
            locked = Broadcast.objects.select_for_update().filter(pk=broadcast.pk)
            if locked.values_list("status", flat=True).first() != Broadcast.Status.SENDING:
                return made
            turn = _next_turn(timezone.now())
            rows = []
            for pk, language in missing[start : start + FAN_OUT_BATCH]:
                size = segments[language, pk in audience.discreet]
                # Skipped at once, and counted with the reason: someone at risk (broadcasts
                # to them are paused), someone in discreet mode whom every text would expose.
                reason = "at_risk" if pk in audience.at_risk else "" if size else "revealing"
                rows.append(
                    BroadcastRecipient(
                        broadcast=broadcast,
                        focal_point_id=pk,
                        language=language,
                        segments=size or 1,
                        due_at=turn,
                        state=(
                            BroadcastRecipient.State.SKIPPED
                            if reason
                            else BroadcastRecipient.State.WAITING
                        ),
                        skip_reason=reason,
                    )
                )
                if not reason:
                    turn += dt.timedelta(seconds=size / rate)
            BroadcastRecipient.objects.bulk_create(rows, ignore_conflicts=True)
            made += len(rows)
    Broadcast.objects.filter(pk=broadcast.pk, status=Broadcast.Status.SENDING).update(
        fanned_out_at=timezone.now(),
        recipient_count=len(audience.recipients),
        excluded=audience.excluded,
        updated_at=timezone.now(),
    )
    waiting = broadcast.recipients.filter(state=BroadcastRecipient.State.WAITING)
    for pk, due_at in waiting.values_list("pk", "due_at"):
        transaction.on_commit(lambda pk=pk, due_at=due_at: _enqueue_recipient(pk, due_at))
    _finish_if_complete(broadcast.pk)
    return made


def broadcast_recipient_send(*, recipient_id: int) -> None:
    """The recipient's turn: make their SMS (in their language, else French) through the same
    path as every SMS. Does nothing if it was made already or the broadcast was cancelled."""
    now = timezone.now()
    with transaction.atomic():
        claimed = BroadcastRecipient.objects.filter(
            pk=recipient_id,
            state=BroadcastRecipient.State.WAITING,
            broadcast__status=Broadcast.Status.SENDING,
        ).update(state=BroadcastRecipient.State.HANDED, sent_at=now)
        if not claimed:
            return
        recipient = BroadcastRecipient.objects.select_related("broadcast", "focal_point").get(
            pk=recipient_id
        )
        broadcast, person = recipient.broadcast, recipient.focal_point
        # Their state now, not at fan-out: marked at risk or made discreet since is respected.
        discreet = network_selectors.focal_point_discreet(person)
        _language, text = broadcast.text_for(recipient.language, discreet=discreet)
        if not person.active:
            _skip(recipient, "inactive")
        elif person.at_risk_since is not None:
            _skip(recipient, "at_risk")
        elif not text:
            _skip(recipient, "revealing")
        else:
            try:
                message = sms_send(
                    body=text,
                    focal_point=person,
                    kind=Message.Kind.BROADCAST,
                    sent_by=broadcast.sent_by,
                    status_callback=broadcast.status_callback,
                )
            except RevealingRefused:
                _skip(recipient, "revealing")
            except SendRefused:
                _skip(recipient, "opted_out" if person.opted_out_at else "refused")
            else:
                recipient.message = message
                recipient.save(update_fields=["message"])
                broadcast_recipient_sent.send(sender=BroadcastRecipient, recipient=recipient)
    _finish_if_complete(recipient.broadcast_id)


def _skip(recipient: BroadcastRecipient, reason: str) -> None:
    # No time sent: a later SMS from them is no reply to a broadcast they never got.
    recipient.state = BroadcastRecipient.State.SKIPPED
    recipient.skip_reason = reason
    recipient.sent_at = None
    recipient.save(update_fields=["state", "skip_reason", "sent_at"])


def _finish_if_complete(broadcast_id: int) -> None:
    """Sending is done once every recipient's SMS is made (or skipped); delivery reports keep
    coming in afterwards."""
    waiting = BroadcastRecipient.objects.filter(
        broadcast_id=broadcast_id, state=BroadcastRecipient.State.WAITING
    )
    if waiting.exists():
        return
    Broadcast.objects.filter(
        pk=broadcast_id, status=Broadcast.Status.SENDING, fanned_out_at__isnull=False
    ).update(status=Broadcast.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now())


def broadcast_cancel(*, broadcast: Broadcast, by) -> Broadcast:
    """Stop a draft or a broadcast being sent: nobody still waiting gets the SMS, nor anyone
    whose SMS was made but not yet tried. What was handed to the provider stays sent."""
    now = timezone.now()
    with transaction.atomic():
        updated = Broadcast.objects.filter(
            pk=broadcast.pk, status__in=(Broadcast.Status.DRAFT, Broadcast.Status.SENDING)
        ).update(
            status=Broadcast.Status.CANCELLED, cancelled_by=by, cancelled_at=now, updated_at=now
        )
        if not updated:
            raise BroadcastRefused(_("This broadcast has finished sending: it cannot be stopped."))
        broadcast.recipients.filter(state=BroadcastRecipient.State.WAITING).update(
            state=BroadcastRecipient.State.CANCELLED
        )
        untried = Message.objects.filter(
            broadcast_recipient__broadcast=broadcast,
            status=Message.Status.PENDING,
            attempts=0,
        )
        untried_ids = list(untried.values_list("pk", flat=True))
        # attempts=0 again: a worker may have claimed one in between; that one is sent.
        Message.objects.filter(
            pk__in=untried_ids, status=Message.Status.PENDING, attempts=0
        ).update(
            status=Message.Status.FAILED,
            error_code="cancelled",
            error_message="broadcast cancelled before sending",
            updated_at=now,
        )
        broadcast.recipients.filter(
            message__status=Message.Status.FAILED, message__error_code="cancelled"
        ).update(state=BroadcastRecipient.State.CANCELLED)
    broadcast.refresh_from_db()
    return broadcast


def broadcasts_requeue_due() -> int:
    """Queue again what a lost task left behind: a fan-out that never ran, and recipients whose
    turn passed long ago (they get new turns, at the rate). Returns how many were queued."""
    now = timezone.now()
    stale = now - REQUEUE_AFTER
    queued = 0
    for pk in Broadcast.objects.filter(
        status=Broadcast.Status.SENDING, fanned_out_at__isnull=True, sent_at__lt=stale
    ).values_list("pk", flat=True):
        transaction.on_commit(lambda pk=pk: _enqueue_fan_out(pk))
        queued += 1
    overdue = list(
        BroadcastRecipient.objects.filter(
            state=BroadcastRecipient.State.WAITING,
            due_at__lt=stale,
            broadcast__status=Broadcast.Status.SENDING,
        )
        .order_by("due_at", "id")
        .values_list("pk", "segments")[:REQUEUE_BATCH]
    )
    if overdue:
        rate = settings.BROADCAST_RATE_PER_SECOND
        with transaction.atomic():
            # After those still on time, which the lost ones must not overtake.
            latest = BroadcastRecipient.objects.filter(
                state=BroadcastRecipient.State.WAITING, due_at__gte=stale
            ).aggregate(last=Max("due_at"))["last"]
            turn = max(now, latest or now)
            for pk, segments in overdue:
                BroadcastRecipient.objects.filter(
                    pk=pk, state=BroadcastRecipient.State.WAITING
                ).update(due_at=turn)
                transaction.on_commit(lambda pk=pk, turn=turn: _enqueue_recipient(pk, turn))
                turn += dt.timedelta(seconds=segments / rate)
        queued += len(overdue)
    return queued


# Hand-written because it runs on inbound SMS (index on focal point, sent at).
_LAST_RECEIVED_SQL = (
    "SELECT id, broadcast_id FROM {table} WHERE focal_point_id = %s AND sent_at >= %s "
    "ORDER BY sent_at DESC LIMIT 1"
)


def broadcast_reply_link(
    *, focal_point_id: int, alert: Alert, now: dt.datetime, using: str = DEFAULT_DB_ALIAS
) -> bool:
    """File a new alert from a focal point as a reply to the last broadcast sent to them within
    BROADCAST_REPLY_WINDOW_HOURS, if any. One indexed query; an insert when there is one. `using`:
    the connection that stored the alert (intake's, for a new SMS alert)."""
    since = now - dt.timedelta(hours=settings.BROADCAST_REPLY_WINDOW_HOURS)
    with connections[using].cursor() as cursor:
        cursor.execute(
            _LAST_RECEIVED_SQL.format(table=BroadcastRecipient._meta.db_table),
            [focal_point_id, since],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    BroadcastReply.objects.using(using).create(
        broadcast_id=row[1], recipient_id=row[0], alert=alert, received_at=alert.received_at
    )
    return True
