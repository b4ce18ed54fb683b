"""Polls by SMS: the first question goes out through the broadcasts, each answer is recorded
against the question its sender was asked and brings the next question in their language, and
no text that is no answer (or that reports violence) is swallowed."""

import pytest

from alerts.models import Alert, Message
from polls.models import Conversation, Response
from tests.polls.conftest import build_poll, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"


def text(client, person, body) -> str:
    return post_signed(client, URL, sms_params(body, person.phone)).content.decode()


def test_an_answer_brings_the_next_question_in_the_recipients_language_and_makes_no_alert(
    client, roster, supervisor
):
    poll = build_poll(supervisor)
    sent = send_to(poll, supervisor, networks=[roster.can_mbau])
    amani = roster.people["amani"]
    assert sent["amani"].message.body == "Mnajisikia salama?\n1. Ndiyo\n2. Hapana"
    reply = text(client, amani, " Ndiyo. ")
    assert "Hali tangu miezi 3?" in reply and "3. Mbaya" in reply
    reply = text(client, amani, "C")
    assert "Que faudrait-il ?" in reply  # no Swahili text: French
    text(client, amani, "Des routes réparées et de l'eau")
    answers = Response.objects.filter(conversation__focal_point=amani).order_by(
        "question__position"
    )
    assert [(r.question.position, r.choice and r.choice.number, r.text) for r in answers] == [
        (1, 1, ""),
        (2, 3, ""),
        (3, None, "Des routes réparées et de l'eau"),
    ]
    assert Alert.objects.count() == 0
    assert Message.objects.filter(kind="answer", direction="inbound").count() == 3
    conversation = Conversation.objects.get(focal_point=amani)
    assert (conversation.state, conversation.asked) == ("done", 3)
    assert answers[0].territory == roster.beni


def test_a_text_that_is_no_answer_goes_through_intake_and_the_question_stays_open(
    client, roster, supervisor
):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    bahati = roster.people["bahati"]
    text(client, bahati, "7")  # no seventh answer
    text(client, bahati, "Bonjour, le marché est fermé aujourd'hui")
    assert Alert.objects.filter(reporter=bahati).count() == 2
    assert not Response.objects.exists()
    reply = text(client, bahati, "oui")
    assert "La situation depuis 3 mois ?" in reply
    assert Response.objects.get().choice.number == 1


def test_a_violence_report_in_a_free_answer_is_recorded_and_makes_an_alert(
    client, roster, supervisor
):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    bahati = roster.people["bahati"]
    text(client, bahati, "non")
    text(client, bahati, "3")
    report = "Des hommes armés ont attaqué Oicha cette nuit, deux morts"
    text(client, bahati, report)
    alert = Alert.objects.get()
    assert (alert.text, alert.reporter) == (report, bahati)
    assert alert.messages.get().body == report
    answer = Response.objects.get(question__position=3)
    assert (answer.text, answer.reports_violence) == (report, True)
    assert [r.choice.number for r in Response.objects.filter(question__position__lt=3)] == [2, 3]


def test_a_violence_report_instead_of_a_numbered_answer_is_an_alert_and_no_answer(
    client, roster, supervisor
):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    bahati = roster.people["bahati"]
    text(client, bahati, "2 hommes armés ont enlevé le chef")
    assert Alert.objects.get().text == "2 hommes armés ont enlevé le chef"
    assert not Response.objects.exists()
    assert Conversation.objects.get(focal_point=bahati).state == "open"


def test_a_keyword_during_a_conversation_acts_as_a_keyword(client, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    bahati = roster.people["bahati"]
    text(client, bahati, "STOP")
    assert bahati.__class__.objects.get(pk=bahati.pk).opted_out_at is not None
    assert not Response.objects.exists()


def test_a_closed_poll_takes_no_more_answers(client, roster, supervisor):
    from polls.services import poll_close

    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    poll_close(poll=poll, by=supervisor)
    text(client, roster.people["bahati"], "1")
    assert not Response.objects.exists()
    assert Alert.objects.count() == 1


def test_the_same_sms_delivered_twice_is_one_answer(client, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    params = sms_params("1", roster.people["bahati"].phone)
    first = post_signed(client, URL, params).content.decode()
    again = post_signed(client, URL, params).content.decode()
    assert first == again and "La situation depuis 3 mois ?" in first
    assert Response.objects.count() == 1
