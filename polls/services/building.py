"""Building polls, sending them (the first question as a broadcast), closing them, and the
flag intake reads first: is any poll open?

Sending reuses the broadcasts: the first question goes out as a broadcast (the provider's rate,
opt-outs, people at risk skipped, discreet mode), and each SMS the broadcast makes opens its
recipient's conversation (alerts.signals.broadcast_recipient_sent). Each answer gets the next
question as the automatic reply, unless the recipient opted out, was marked at risk, left, or
is in discreet mode and the question would expose them: then the conversation stops."""

import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.discreet import revealing_words
from alerts.services import broadcast_create, broadcast_send
from networks.models import FocalPoint, Location

from ..constants import (
    CHOICE_MAX_LENGTH,
    CONVERSATION_TTL,
    LANGUAGES,
    MAX_CHOICES,
    MAX_QUESTIONS,
    OPEN_FLAG_SECONDS,
    QUESTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from ..matching import answer_words
from ..models import Choice, Conversation, Group, Poll, Question

log = logging.getLogger(__name__)


class PollRefused(Exception):
    """The poll cannot do that in its current state; the reason is user-facing."""


# --- Is any poll open? (intake skips polls entirely while none is) -------------------------------

_open_flag: list = [0.0, False]  # [checked at (monotonic), any poll open]


def polls_open() -> bool:
    """Whether any poll is open, asked of the database at most every OPEN_FLAG_SECONDS."""
    checked_at, value = _open_flag
    if time.monotonic() - checked_at < OPEN_FLAG_SECONDS:
        return value
    value = Poll.objects.filter(status=Poll.Status.OPEN).exists()
    _open_flag[:] = [time.monotonic(), value]
    return value


def open_flag_reset() -> None:
    """Ask the database again at the next text (this process; the others within the period)."""
    _open_flag[:] = [0.0, False]


# --- Building ------------------------------------------------------------------------------------


def _draft_only(poll: Poll) -> None:
    if poll.status != Poll.Status.DRAFT:
        raise PollRefused(_("Only a draft poll can be changed."))


def _draft_locked(poll: Poll) -> Poll:
    """The poll's row, locked until the transaction ends, if it is still a draft: a change and
    a send of the same poll never interleave (poll_send takes the same lock)."""
    locked = Poll.objects.select_for_update().filter(pk=poll.pk).first()
    if locked is None:
        raise PollRefused(_("This poll no longer exists."))
    _draft_only(locked)
    return locked


def _previous_round_check(poll: Poll | None, previous_round: Poll | None) -> None:
    if previous_round is None:
        return
    if poll is not None and poll.pk is not None:
        seen, current = {poll.pk}, previous_round
        while current is not None:
            if current.pk in seen:
                raise ValidationError(
                    {"previous_round": _("A poll cannot follow itself.")}, code="loop"
                )
            seen.add(current.pk)
            current = current.previous_round


def poll_create(
    *,
    title: str,
    created_by,
    previous_round: Poll | None = None,
    questions: list[dict] | None = None,
) -> Poll:
    """A draft poll, with `questions` if given (each as question_check takes it; all or
    none). Raises ValidationError by field."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A title is required.")}, code="required")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": _("The title is too long.")}, code="max_length")
    with transaction.atomic():
        poll = Poll.objects.create(
            title=title, previous_round=previous_round, created_by=created_by
        )
        if questions:
            _questions_replace(poll, questions)
    return poll


def poll_update(
    *,
    poll: Poll,
    title: str,
    previous_round: Poll | None,
    questions: list[dict] | None = None,
) -> Poll:
    """Change a draft's title and previous round and, when `questions` is given, put these
    questions in place of its own (all or none)."""
    _draft_only(poll)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": _("A title of at most 200 characters is required.")})
    _previous_round_check(poll, previous_round)
    with transaction.atomic():
        _draft_locked(poll)
        poll.title, poll.previous_round = title, previous_round
        poll.save(update_fields=["title", "previous_round"])
        if questions is not None:
            _questions_replace(poll, questions)
    return poll


def poll_delete(*, poll: Poll) -> None:
    """Delete a draft poll and its questions; a poll once sent stays (its answers with it)."""
    _draft_only(poll)
    with transaction.atomic():
        _draft_locked(poll).delete()


def _clean_texts(texts: dict[str, str], *, field: str, max_length: int) -> dict[str, str]:
    cleaned = {language: (texts.get(language) or "").strip() for language in LANGUAGES}
    errors = {}
    if not cleaned["fr"]:
        errors[f"{field}_fr"] = ValidationError(_("The French text is required."), "required")
    for language, text in cleaned.items():
        if len(text) > max_length:
            errors[f"{field}_{language}"] = ValidationError(
                _("At most %(max)s characters."), "max_length", params={"max": max_length}
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


@dataclass(frozen=True)
class QuestionDraft:
    """A question checked and ready to store: its kind, text by language, and its numbered
    answers' labels by language, in order."""

    kind: str
    texts: dict[str, str]
    labels: list[dict[str, str]]


def question_check(
    *, kind: str, texts: dict[str, str], choices: list[dict[str, str]] | None = None
) -> QuestionDraft:
    """A question as question_add takes it, checked. `texts` by language (French required);
    `choices`: the numbered answers' labels by language, in order (2 to 9, French required),
    for numbered answers only; a yes-or-no question gets its two answers by itself, a
    free-text question none. Raises ValidationError by field."""
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of question.")}, code="invalid")
    cleaned = _clean_texts(texts, field="text", max_length=QUESTION_MAX_LENGTH)
    rows = [row for row in (choices or []) if any((v or "").strip() for v in row.values())]
    if rows and kind != Question.Kind.CHOICE:
        raise ValidationError(
            {"choices": _("Only a question with numbered answers takes answers of its own.")},
            code="choices",
        )
    labels: list[dict[str, str]] = []
    if kind == Question.Kind.YES_NO:
        given = answer_words()["yes_no_labels"]
        labels = [{lang: given[lang][i] for lang in LANGUAGES} for i in (0, 1)]
    elif kind == Question.Kind.CHOICE:
        if not 2 <= len(rows) <= MAX_CHOICES:
            raise ValidationError(
                {"choices": _("Give between 2 and %(max)s answers.") % {"max": MAX_CHOICES}},
                code="choices",
            )
        for row in rows:
            try:
                labels.append(_clean_texts(row, field="label", max_length=CHOICE_MAX_LENGTH))
            except ValidationError as exc:
                raise ValidationError(
                    {"choices": _("Each answer needs a French label of at most 60 characters.")}
                ) from exc
    return QuestionDraft(kind=kind, texts=cleaned, labels=labels)


def _question_store(poll: Poll, draft: QuestionDraft, position: int) -> Question:
    question = Question.objects.create(
        poll=poll,
        position=position,
        kind=draft.kind,
        **{f"text_{lang}": text for lang, text in draft.texts.items()},
    )
    Choice.objects.bulk_create(
        Choice(
            question=question,
            number=number,
            **{f"label_{lang}": label for lang, label in row.items()},
        )
        for number, row in enumerate(draft.labels, start=1)
    )
    return question


def question_add(
    *,
    poll: Poll,
    kind: str,
    texts: dict[str, str],
    choices: list[dict[str, str]] | None = None,
) -> Question:
    """Add a question at the end of a draft poll (see question_check for its parts)."""
    _draft_only(poll)
    draft = question_check(kind=kind, texts=texts, choices=choices)
    with transaction.atomic():
        _draft_locked(poll)
        count = poll.questions.count()
        if count >= MAX_QUESTIONS:
            raise ValidationError(
                _("A poll has at most %(max)s questions."),
                "too_many",
                params={"max": MAX_QUESTIONS},
            )
        return _question_store(poll, draft, count + 1)


def _questions_replace(poll: Poll, questions: list[dict]) -> list[Question]:
    """Put `questions` (each with kind, texts and choices as question_check takes them) in
    place of the draft's own, in order; nothing changes unless every one is right. Call it
    inside a transaction holding the poll's lock. Raises ValidationError under "questions",
    each message naming the question's number."""
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": _("A poll has at most %(max)s questions.") % {"max": MAX_QUESTIONS}},
            code="too_many",
        )
    drafts, errors = [], []
    for number, given in enumerate(questions, start=1):
        try:
            drafts.append(
                question_check(
                    kind=given.get("kind", ""),
                    texts=given.get("texts") or {},
                    choices=given.get("choices"),
                )
            )
        except ValidationError as exc:
            errors.extend(
                ValidationError(
                    _("In question %(number)s: %(error)s"),
                    code="question",
                    params={"number": number, "error": message},
                )
                for message in exc.messages
            )
    if errors:
        raise ValidationError({"questions": errors})
    poll.questions.all().delete()
    return [
        _question_store(poll, draft, position) for position, draft in enumerate(drafts, start=1)
    ]


def question_delete(*, question: Question) -> None:
    """Remove a question of a draft poll; the ones after it move up."""
    poll = question.poll
    _draft_only(poll)
    with transaction.atomic():
        _draft_locked(poll)
        question.delete()
        for position, pk in enumerate(
            poll.questions.order_by("position").values_list("pk", flat=True), 1
        ):
            Question.objects.filter(pk=pk).update(position=position)


def question_render(question: Question, language: str) -> str:
    """The SMS asking `question` in `language` (else French): the text, then the numbered
    answers one per line."""
    lines = [question.text_in(language)]
    for choice in question.choices.all():
        lines.append(f"{choice.number}. {choice.label_in(language)}")
    return "\n".join(lines)


# --- Sending -------------------------------------------------------------------------------------


def poll_send(
    *,
    poll: Poll,
    by,
    network_ids: list[int],
    location_ids: list[int],
    focal_point_ids: list[int],
    status_callback: str = "",
) -> Poll:
    """Send a draft poll's first question to a selection, as a broadcast. Raises PollRefused
    (state) or ValidationError (the selection, by field, as broadcasts check it)."""
    _draft_only(poll)
    with transaction.atomic():
        locked = _draft_locked(poll)
        first = poll.questions.order_by("position").prefetch_related("choices").first()
        if first is None:
            raise PollRefused(_("Add at least one question before sending."))
        texts = {language: question_render(first, language) for language in LANGUAGES}
        # Focal points in discreet mode get the question only where it exposes nothing.
        discreet = {lang: text for lang, text in texts.items() if not revealing_words(text)}
        broadcast = broadcast_create(
            title=(_("Poll: %(title)s") % {"title": locked.title})[:200],
            texts=texts,
            discreet_texts=discreet,
            network_ids=network_ids,
            location_ids=location_ids,
            focal_point_ids=focal_point_ids,
            created_by=by,
        )
        poll.broadcast = broadcast
        poll.status = Poll.Status.OPEN
        poll.sent_by, poll.sent_at = by, timezone.now()
        poll.network_ids = broadcast.network_ids
        poll.location_ids = broadcast.location_ids
        poll.focal_point_ids = broadcast.focal_point_ids
        poll.save(
            update_fields=[
                "broadcast",
                "status",
                "sent_by",
                "sent_at",
                "network_ids",
                "location_ids",
                "focal_point_ids",
            ]
        )
        broadcast_send(broadcast=broadcast, by=by, status_callback=status_callback)
    open_flag_reset()
    return poll


def poll_close(*, poll: Poll, by) -> Poll:
    """No more answers by SMS: open conversations stop (field interviews may still be added)."""
    with transaction.atomic():
        updated = Poll.objects.filter(pk=poll.pk, status=Poll.Status.OPEN).update(
            status=Poll.Status.CLOSED, closed_at=timezone.now()
        )
        if not updated:
            raise PollRefused(_("Only an open poll can be closed."))
        poll.conversations.filter(state=Conversation.State.OPEN).update(
            state=Conversation.State.STOPPED, stop_reason="closed"
        )
    open_flag_reset()
    poll.refresh_from_db()
    return poll


def territory_of(location: Location | None) -> Location | None:
    """The territory a place lies in (itself if it is one); None above or outside one."""
    current, hops = location, 0
    while current is not None and hops < 10:
        if current.kind == Location.Kind.TERRITORY:
            return current
        current, hops = current.parent, hops + 1
    return None


def group_of(focal_point: FocalPoint) -> str:
    """The respondent group a focal point's profile places them in ("" when it says nothing)."""
    if focal_point.role == FocalPoint.Role.DISPLACED:
        return Group.DISPLACED
    if focal_point.role == FocalPoint.Role.YOUTH or focal_point.age_band == "18-24":
        return Group.YOUTH
    if focal_point.age_band == "65+" or focal_point.role == FocalPoint.Role.CHIEF:
        return Group.ELDERS
    if focal_point.role == FocalPoint.Role.WOMEN or focal_point.gender == "female":
        return Group.WOMEN
    if focal_point.gender == "male":
        return Group.MEN
    return ""


def conversation_open_for(sender, recipient, **kwargs) -> Conversation | None:
    """A broadcast made a recipient's SMS: when the broadcast is a poll's first question, the
    recipient's conversation opens, waiting for their answer (once per poll and person). A
    failure here never stops the broadcast: without a conversation, an answer is an alert."""
    try:
        with transaction.atomic():
            return _conversation_open(recipient)
    except Exception:
        log.exception("could not open the poll conversation of recipient %s", recipient.pk)
        return None


def _conversation_open(recipient) -> Conversation | None:
    poll = Poll.objects.filter(broadcast_id=recipient.broadcast_id).first()
    if poll is None or poll.status != Poll.Status.OPEN:
        return None
    first = poll.questions.order_by("position").first()
    if first is None:
        return None
    person = recipient.focal_point
    now = timezone.now()
    conversation, _created = Conversation.objects.get_or_create(
        poll=poll,
        focal_point=person,
        defaults={
            "phone_hash": person.phone_hash,
            "language": recipient.language,
            "question": first,
            "asked": 1,
            "state": Conversation.State.OPEN,
            "group": group_of(person),
            "location": person.home_location,
            "territory": territory_of(person.home_location),
            "started_at": now,
            "expires_at": now + CONVERSATION_TTL,
        },
    )
    return conversation
