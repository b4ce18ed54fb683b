"""Reads: the polls, and their results by question, territory and group, with the response
rate (answered by SMS / asked by SMS) and the previous round's shares. Callers narrow the
answers and conversations to what the reader may see (access.polls) before asking."""

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Conversation, Group, Poll, Question, Response


def poll_list() -> QuerySet[Poll]:
    return Poll.objects.select_related("previous_round", "created_by", "sent_by").order_by(
        "-created_at"
    )


def poll_questions(poll: Poll) -> list[Question]:
    return list(poll.questions.order_by("position").prefetch_related("choices"))


def previous_round_choices(poll: Poll) -> QuerySet[Poll]:
    """The polls another may follow: any other one."""
    queryset = Poll.objects.order_by("-created_at")
    return queryset.exclude(pk=poll.pk) if poll.pk else queryset


def _rate(answered: int, sent: int) -> float | None:
    return round(answered / sent, 3) if sent else None


def _share(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def _breakdown(question, responses, conversations, key, names) -> list[dict]:
    """Per territory or group: asked, answered by SMS, from the field, counts per answer."""
    asked = Counter(key(c) for c in conversations if c.asked >= question.position)
    answered = Counter(key(r) for r in responses if r.source == Response.Source.SMS)
    field = Counter(key(r) for r in responses if r.source == Response.Source.FIELD)
    counts: dict = defaultdict(Counter)
    for r in responses:
        if r.choice_id:
            counts[key(r)][r.choice_number] += 1
    rows = []
    for value in sorted(set(asked) | set(answered) | set(field), key=lambda v: str(names(v))):
        rows.append(
            {
                "key": value,
                "name": names(value),
                "sent": asked[value],
                "answered": answered[value],
                "field": field[value],
                "rate": _rate(answered[value], asked[value]),
                "choices": {number: counts[value][number] for number in question.numbers},
            }
        )
    return rows


def poll_results(
    *,
    poll: Poll,
    responses: QuerySet[Response],
    conversations: QuerySet[Conversation],
    with_previous: bool = True,
) -> dict:
    """The results of `poll` over the given answers and conversations (already narrowed to
    what the reader may see), question by question, with the previous round's when the poll
    names one (its questions matched by position)."""
    questions = poll_questions(poll)
    answer_rows = list(
        responses.filter(poll=poll).select_related("territory", "choice").order_by("id")
    )
    for row in answer_rows:
        row.choice_number = row.choice.number if row.choice_id else None
    convs = list(conversations.filter(poll=poll).select_related("territory"))
    territories = {c.territory_id: c.territory for c in convs}
    territories.update({r.territory_id: r.territory for r in answer_rows})
    group_names = dict(Group.choices)
    previous = None
    if with_previous and poll.previous_round_id:
        earlier_round = poll_results(
            poll=poll.previous_round,
            responses=responses,
            conversations=conversations,
            with_previous=False,  # one round back, never down the whole series
        )
        previous = {q["position"]: q for q in earlier_round["questions"]}
    out = []
    for question in questions:
        question.numbers = [choice.number for choice in question.choices.all()]
        mine = [r for r in answer_rows if r.question_id == question.pk]
        sent = sum(1 for c in convs if c.asked >= question.position)
        sms = sum(1 for r in mine if r.source == Response.Source.SMS)
        counts = Counter(r.choice_number for r in mine if r.choice_id)
        total = sum(counts.values())
        earlier = (previous or {}).get(question.position)
        earlier_shares = (
            {c["number"]: c["share"] for c in earlier["choices"]} if earlier is not None else {}
        )
        out.append(
            {
                "id": question.pk,
                "position": question.position,
                "kind": question.kind,
                "text": question.text_fr,
                "sent": sent,
                "answered": sms,
                "field": sum(1 for r in mine if r.source == Response.Source.FIELD),
                "rate": _rate(sms, sent),
                "previous_rate": earlier["rate"] if earlier is not None else None,
                "choices": [
                    {
                        "number": choice.number,
                        "label": choice.label_fr,
                        "count": counts[choice.number],
                        "share": _share(counts[choice.number], total),
                        "previous_share": earlier_shares.get(choice.number),
                    }
                    for choice in question.choices.all()
                ],
                "free_answers": sum(1 for r in mine if not r.choice_id),
                "by_territory": _breakdown(
                    question,
                    mine,
                    convs,
                    lambda row: row.territory_id,
                    lambda pk: territories[pk].name if territories.get(pk) else _("No territory"),
                ),
                "by_group": _breakdown(
                    question,
                    mine,
                    convs,
                    lambda row: row.group,
                    lambda code: group_names.get(code) or _("Not known"),
                ),
            }
        )
    return {
        "poll": {
            "id": poll.pk,
            "title": poll.title,
            "status": poll.status,
            "sent_at": poll.sent_at.isoformat() if poll.sent_at else None,
            "previous_round": poll.previous_round_id,
        },
        "questions": out,
    }


# A number someone wrote in a free answer (their own, a neighbour's) never leaves in an export.
_PHONE_LIKE = re.compile(r"\+?\d[\d .\-]{6,}\d")


def free_answer_export(text: str) -> str:
    """A free answer for a spreadsheet: numbers that may be phones hidden, and never read as a
    formula."""
    text = _PHONE_LIKE.sub("•••", text or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


CSV_HEADER = (
    "poll",
    "question",
    "question_text",
    "answer_number",
    "answer_label",
    "free_answer",
    "source",
    "group",
    "territory",
    "received_at",
)


def responses_csv(
    *, poll: Poll, responses: QuerySet[Response], include_text: bool = True
) -> Iterator[str]:
    """One row per answer: no phone number, no name, no place finer than the territory. Free
    answers only with `include_text` (as alert texts, only for roles that may read identities:
    a text may say who wrote it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(CSV_HEADER)
    yield flush()
    rows = (
        responses.filter(poll=poll)
        .select_related("question", "choice", "territory")
        .order_by("question__position", "id")
    )
    for row in rows.iterator(chunk_size=500):
        writer.writerow(
            (
                poll.title,
                row.question.position,
                row.question.text_fr,
                row.choice.number if row.choice_id else "",
                row.choice.label_fr if row.choice_id else "",
                free_answer_export(row.text) if include_text else "",
                row.source,
                row.group,
                row.territory.name if row.territory_id else "",
                row.received_at.date().isoformat(),
            )
        )
        yield flush()
