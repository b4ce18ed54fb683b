"""Answers: by SMS (intake asks answer_take whether a text answers the question its sender
was asked) and from CLAs' field interviews."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alerts.discreet import revealing_words
from alerts.services import AnswerTaken
from alerts.services.outbound import is_opted_out
from core.taxonomy import CATEGORY_CODES
from networks import selectors as network_selectors
from networks.models import FocalPoint, Location
from triage.engine import analyse

from ..constants import CONVERSATION_TTL
from ..matching import answer_match, answer_words
from ..models import Conversation, Group, Interview, Poll, Question, Response
from .building import PollRefused, polls_open, question_render, territory_of

# Categories of an answer that reports violence (anything but "other").
VIOLENCE_CATEGORIES = frozenset(code for code in CATEGORY_CODES if code != "other")


# --- Answers by SMS ------------------------------------------------------------------------------


def reports_violence(text: str) -> bool:
    """Whether a free answer reports violence (triage's reading finds an attack, armed men,
    an abduction...): intake then makes an alert of it as well."""
    if not text or not text.strip():
        return False
    return bool(VIOLENCE_CATEGORIES & set(analyse(text, ()).categories))


def _stop_reason(person: FocalPoint, sender_hash: str, text: str) -> str:
    """Why the next question may not go to this person now ("" when it may)."""
    if not person.active:
        return "inactive"
    if person.at_risk_since is not None:
        return "at_risk"
    if is_opted_out(phone_hash=sender_hash, focal_point=person):
        return "opted_out"
    if network_selectors.focal_point_discreet(person) and revealing_words(text):
        return "revealing"
    return ""


def _thanks(language: str) -> str:
    thanks = answer_words()["thanks"]
    return thanks.get(language) or thanks["fr"]


def answer_take(*, sender_hash: str, body: str, now) -> AnswerTaken | None:
    """Intake's question: does this text answer the question its sender was asked? If so the
    answer is recorded, the conversation moves on, and the reply is the next question (or a
    thanks after the last). None when no poll is open, the number has no open conversation,
    or the text is no valid answer: it then goes through intake like any other text."""
    if not polls_open():  # intake asked polls_open already; a direct call is checked too
        return None
    conversation = (
        Conversation.objects.filter(
            phone_hash=sender_hash, state=Conversation.State.OPEN, expires_at__gt=now
        )
        .select_related("question", "poll", "focal_point")
        .order_by("-started_at", "-id")
        .first()
    )
    if conversation is None or conversation.poll.status != Poll.Status.OPEN:
        return None
    question = conversation.question
    choices = {choice.number: choice for choice in question.choices.all()}
    match = answer_match(kind=question.kind, choice_count=len(choices), body=body)
    if match is None:
        return None
    violence = question.kind == Question.Kind.TEXT and reports_violence(match.text)
    Response.objects.create(
        poll=conversation.poll,
        question=question,
        choice=choices.get(match.number) if match.number else None,
        text=match.text if question.kind == Question.Kind.TEXT else "",
        source=Response.Source.SMS,
        conversation=conversation,
        group=conversation.group,
        location_id=conversation.location_id,
        territory_id=conversation.territory_id,
        reports_violence=violence,
        received_at=now,
    )
    following = (
        conversation.poll.questions.filter(position__gt=question.position)
        .order_by("position")
        .prefetch_related("choices")
        .first()
    )
    person = conversation.focal_point
    reply = ""
    if following is None:
        conversation.state = Conversation.State.DONE
        candidate = _thanks(conversation.language)
        reply = "" if _stop_reason(person, sender_hash, candidate) else candidate
    else:
        candidate = question_render(following, conversation.language)
        reason = _stop_reason(person, sender_hash, candidate)
        if reason:
            conversation.state = Conversation.State.STOPPED
            conversation.stop_reason = reason
        else:
            conversation.question = following
            conversation.asked += 1
            conversation.expires_at = now + CONVERSATION_TTL
            reply = candidate
    conversation.save(update_fields=["state", "stop_reason", "question", "asked", "expires_at"])
    return AnswerTaken(reply=reply, reports_violence=violence, focal_point_id=person.pk)


# --- Field interviews ----------------------------------------------------------------------------


def interview_record(
    *, poll: Poll, by, group: str, location: Location, answers: dict[int, str]
) -> Interview:
    """One respondent's answers, asked by a CLA in the field: `answers` by question id, each
    the answer's number or the free text ("" or missing: not answered). Raises
    ValidationError by field ("q<id>" for an answer)."""
    if poll.status == Poll.Status.DRAFT:
        raise PollRefused(_("This poll has not been sent yet."))
    if group not in Group.values:
        raise ValidationError({"group": _("Choose the respondent's group.")}, code="invalid")
    questions = list(poll.questions.prefetch_related("choices"))
    unknown = sorted(set(answers) - {question.pk for question in questions})
    if unknown:
        raise ValidationError(
            {
                "answers": ValidationError(
                    _("No such question in this poll: %(ids)s."),
                    "unknown",
                    params={"ids": ", ".join(str(pk) for pk in unknown[:20])},
                )
            }
        )
    rows, errors = [], {}
    for question in questions:
        given = (answers.get(question.pk) or "").strip()
        if not given:
            continue
        choices = {choice.number: choice for choice in question.choices.all()}
        match = answer_match(kind=question.kind, choice_count=len(choices), body=given)
        if match is None:
            errors[f"q{question.pk}"] = ValidationError(_("Choose one of the answers."), "invalid")
            continue
        rows.append((question, choices.get(match.number) if match.number else None, match.text))
    if not rows and not errors:
        errors["__all__"] = ValidationError(_("Record at least one answer."), "empty")
    if errors:
        raise ValidationError(errors)
    territory = territory_of(location)
    with transaction.atomic():
        interview = Interview.objects.create(
            poll=poll, group=group, location=location, territory=territory, recorded_by=by
        )
        Response.objects.bulk_create(
            Response(
                poll=poll,
                question=question,
                choice=choice,
                text=text if question.kind == Question.Kind.TEXT else "",
                source=Response.Source.FIELD,
                interview=interview,
                group=group,
                location=location,
                territory=territory,
            )
            for question, choice, text in rows
        )
    return interview
