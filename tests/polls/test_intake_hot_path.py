"""Polls cost intake nothing while no poll is open, and one indexed lookup per text while one
is; a failing poll app never costs a text its alert."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert
from alerts.services import answer_taker_register
from polls.services import answer_take, polls_open
from tests.polls.conftest import build_poll, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"


def poll_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "polls_" in q["sql"]]


def test_without_an_open_poll_intake_asks_polls_nothing(client, roster, supervisor):
    build_poll(supervisor)  # a draft
    post_signed(client, URL, sms_params("Bonjour", "+243970000001"))  # the flag is read once
    with CaptureQueriesContext(connection) as queries:
        post_signed(client, URL, sms_params("Tirs à Mbau", "+243970000002"))
    assert poll_queries(queries) == []
    assert Alert.objects.count() == 2


def test_with_an_open_poll_a_number_without_a_conversation_costs_one_lookup(
    client, roster, supervisor
):
    send_to(build_poll(supervisor), supervisor, networks=[roster.can_mbau])
    assert polls_open()
    with CaptureQueriesContext(connection) as queries:
        post_signed(client, URL, sms_params("Tirs à Mbau", "+243970000003"))
    found = poll_queries(queries)
    assert len(found) == 1 and 'FROM "polls_conversation"' in found[0]
    assert Alert.objects.get().text == "Tirs à Mbau"


def test_a_failing_answer_taker_never_costs_a_text_its_alert(client, roster, supervisor):
    def broken(**kwargs):
        raise RuntimeError("boom")

    send_to(build_poll(supervisor), supervisor, networks=[roster.can_mbau])
    answer_taker_register(broken, expecting=polls_open)
    try:
        post_signed(client, URL, sms_params("1", roster.people["bahati"].phone))
    finally:
        answer_taker_register(answer_take, expecting=polls_open)
    assert Alert.objects.get().text == "1"
