"""Results: per question the SMS asked and answered and the rate, counts and shares per answer,
by territory and by group, field answers counted apart from the rate; the previous round's
shares beside them; and a CSV with no phone number and no name."""

import pytest

from networks.models import FocalPoint
from polls.models import Conversation, Response
from polls.selectors import poll_results, responses_csv
from polls.services import interview_record
from tests.polls.conftest import build_poll, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"


def text(client, person, body):
    post_signed(client, URL, sms_params(body, person.phone))


def everything(poll):
    return poll_results(
        poll=poll, responses=Response.objects.all(), conversations=Conversation.objects.all()
    )


@pytest.fixture
def answered(client, roster, supervisor):
    """Amani (Beni, youth) says yes then 2; Bahati (Beni, woman) says no; Chance (Lubero,
    displaced) says nothing. A CLA's interview of an elder in Lubero says yes."""
    people = roster.people
    FocalPoint.objects.filter(pk=people["amani"].pk).update(role="youth")
    FocalPoint.objects.filter(pk=people["bahati"].pk).update(gender="female", role="teacher")
    FocalPoint.objects.filter(pk=people["chance"].pk).update(role="displaced")
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau, roster.can_butembo])
    text(client, people["amani"], "1")
    text(client, people["amani"], "2")
    text(client, people["bahati"], "non")
    q1, q2, q3 = poll.questions.order_by("position")
    interview_record(
        poll=poll, by=supervisor, group="elders", location=roster.butembo, answers={q1.pk: "1"}
    )
    return poll


def test_each_question_counts_asked_answered_the_rate_and_each_answer(answered):
    q1, q2, q3 = everything(answered)["questions"]
    assert (q1["sent"], q1["answered"], q1["field"], q1["rate"]) == (3, 2, 1, 0.667)
    assert [(c["label"], c["count"], c["share"]) for c in q1["choices"]] == [
        ("Oui", 2, 0.667),
        ("Non", 1, 0.333),
    ]
    # Question 2 went to both who answered question 1; question 3 to Amani only.
    assert (q2["sent"], q2["answered"], q2["rate"]) == (2, 1, 0.5)
    assert [c["count"] for c in q2["choices"]] == [0, 1, 0]
    assert (q3["sent"], q3["answered"], q3["rate"]) == (1, 0, 0.0)


def test_results_by_territory_and_by_group(answered):
    q1 = everything(answered)["questions"][0]
    by_territory = {row["name"]: row for row in q1["by_territory"]}
    assert {name: (r["sent"], r["answered"], r["field"]) for name, r in by_territory.items()} == {
        "Beni": (2, 2, 0),
        "Lubero": (1, 0, 1),
    }
    assert by_territory["Beni"]["choices"] == {1: 1, 2: 1}
    assert by_territory["Lubero"]["choices"] == {1: 1, 2: 0}
    by_group = {row["key"]: (row["sent"], row["answered"], row["field"]) for row in q1["by_group"]}
    assert by_group == {
        "youth": (1, 1, 0),
        "women": (1, 1, 0),
        "displaced": (1, 0, 0),
        "elders": (0, 0, 1),
    }


def test_the_next_round_shows_the_previous_rounds_shares(client, roster, supervisor, answered):
    second = build_poll(supervisor, title="Perception Q2", previous_round=answered)
    send_to(second, supervisor, networks=[roster.can_mbau])
    text(client, roster.people["amani"], "non")
    q1 = everything(second)["questions"][0]
    assert [(c["share"], c["previous_share"]) for c in q1["choices"]] == [
        (0.0, 0.667),
        (1.0, 0.333),
    ]
    assert (q1["rate"], q1["previous_rate"]) == (0.5, 0.667)


def test_the_csv_has_the_answers_and_no_phone_number_nor_name(client, roster, answered):
    amani = roster.people["amani"]
    q3 = answered.questions.get(position=3)
    interview_record(
        poll=answered,
        by=None,
        group="women",
        location=roster.mbau,
        answers={q3.pk: "=Appelez Kahindo au +243 991 234 567"},
    )
    body = "".join(responses_csv(poll=answered, responses=Response.objects.all()))
    lines = body.strip().splitlines()
    assert lines[0] == (
        "poll,question,question_text,answer_number,answer_label,free_answer,source,group,"
        "territory,received_at"
    )
    assert len(lines) == 6
    assert "Perception Q1,1,Vous sentez-vous en sécurité ?,1,Oui,,sms,youth,Beni," in body
    assert "'=Appelez Kahindo au •••" in body
    for secret in (amani.phone, amani.phone[4:], "991 234 567", "Amani", "Masika"):
        assert secret not in body


def test_a_poll_naming_itself_as_previous_round_still_has_results(answered):
    type(answered).objects.filter(pk=answered.pk).update(previous_round=answered)
    answered.refresh_from_db()
    q1 = everything(answered)["questions"][0]
    assert [c["previous_share"] for c in q1["choices"]] == [0.667, 0.333]
