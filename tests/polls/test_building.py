"""Building a poll in one go (the API's way): a draft with its questions, their replacement while
it is a draft, all or none, and its deletion; nothing of it once the poll is sent."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from polls.models import Choice, Poll, Question
from polls.services import PollRefused, poll_create, poll_delete, poll_update, question_add
from tests.polls.conftest import build_poll, send_to

pytestmark = pytest.mark.django_db

YES_NO = {"kind": "yes_no", "texts": {"fr": "Ça va ?"}}
CHOICE = {
    "kind": "choice",
    "texts": {"fr": "Qui vous protège ?", "sw": "Nani anawalinda?"},
    "choices": [{"fr": "L'armée", "sw": "Jeshi"}, {"fr": "La police"}],
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_draft_is_made_with_its_questions_in_order(supervisor):
    poll = poll_create(title=" T1 ", created_by=supervisor, questions=[YES_NO, CHOICE])
    q1, q2 = poll.questions.order_by("position")
    assert (poll.title, poll.status, q1.kind, q2.text_sw) == (
        "T1",
        "draft",
        "yes_no",
        "Nani anawalinda?",
    )
    assert [(c.number, c.label_fr, c.label_sw) for c in q2.choices.all()] == [
        (1, "L'armée", "Jeshi"),
        (2, "La police", ""),
    ]


def test_one_bad_question_makes_no_poll_and_is_named_by_its_number(supervisor):
    bad = {"kind": "choice", "texts": {"fr": "Seule ?"}, "choices": [{"fr": "Oui"}]}
    with pytest.raises(ValidationError) as refused:
        poll_create(title="T1", created_by=supervisor, questions=[YES_NO, bad, {"kind": "x"}])
    assert refused.value.message_dict == {
        "questions": [
            "In question 2: Give between 2 and 9 answers.",
            "In question 3: Choose the kind of question.",
        ]
    }
    assert not Poll.objects.exists() and not Question.objects.exists()


def test_the_questions_given_replace_the_drafts_own_all_or_none(supervisor):
    poll = build_poll(supervisor)
    with pytest.raises(ValidationError):
        poll_update(
            poll=poll,
            title="T2",
            previous_round=None,
            questions=[CHOICE, {"kind": "text", "texts": {"fr": ""}}],
        )
    poll.refresh_from_db()
    assert (poll.title, poll.questions.count()) == ("Perception Q1", 3)
    poll_update(poll=poll, title="T2", previous_round=None, questions=[CHOICE])
    poll.refresh_from_db()
    assert poll.title == "T2"
    assert list(poll.questions.values_list("position", "kind")) == [(1, "choice")]
    assert Choice.objects.count() == 2  # the old questions' answers went with them
    poll_update(poll=poll, title="T3", previous_round=None)  # no questions given: kept
    assert poll.questions.count() == 1


def test_answers_of_their_own_only_for_numbered_questions(supervisor):
    poll = poll_create(title="T", created_by=supervisor)
    for kind in ("yes_no", "text"):
        with pytest.raises(ValidationError) as refused:
            question_add(poll=poll, kind=kind, texts={"fr": "Q ?"}, choices=[{"fr": "Peut-être"}])
        assert refused.value.message_dict == {
            "choices": ["Only a question with numbered answers takes answers of its own."]
        }
    # Empty lines, as the page's form may send, are no answers.
    question_add(poll=poll, kind="yes_no", texts={"fr": "Q ?"}, choices=[{"fr": " "}])
    assert poll.questions.get().choices.count() == 2


def test_a_draft_is_deleted_a_sent_poll_is_not(roster, supervisor):
    draft = build_poll(supervisor)
    poll_delete(poll=draft)
    assert not Poll.objects.filter(pk=draft.pk).exists() and not Question.objects.exists()
    sent = build_poll(supervisor)
    send_to(sent, supervisor, networks=[roster.can_mbau])
    with pytest.raises(PollRefused):
        poll_delete(poll=sent)
    with pytest.raises(PollRefused):
        poll_update(poll=sent, title="X", previous_round=None, questions=[YES_NO])
    assert Poll.objects.get(pk=sent.pk).questions.count() == 3
