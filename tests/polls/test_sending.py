"""A poll goes out through the broadcasts: one recipient row each, in their language, at the
broadcasts' rate, leaving out opted-out people, skipping those at risk and, in discreet mode,
those the question would expose; the next questions follow the same rules."""

import pytest
from django.core.exceptions import ValidationError

from alerts.models import Broadcast, OptOut
from networks.models import FocalPoint
from networks.services import focal_point_mark_at_risk
from polls.models import Conversation, Poll
from polls.services import PollRefused, poll_create, poll_send, question_add
from tests.polls.conftest import build_poll, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"


def test_the_first_question_is_a_broadcast_and_each_sms_opens_a_conversation(roster, supervisor):
    poll = build_poll(supervisor)
    sent = send_to(poll, supervisor, networks=[roster.can_mbau, roster.can_butembo])
    poll.refresh_from_db()
    assert poll.status == "open" and poll.broadcast.status == Broadcast.Status.DONE
    assert sent["chance"].message.body.startswith("Vous sentez-vous en sécurité ?\n1. Iyo\n2. Te")
    assert "dieu" not in sent  # in no network: not selected
    assert set(Conversation.objects.values_list("focal_point__name", flat=True)) == {
        "Amani Kahindo",
        "Bahati Masika",
        "Chance Mbusa",
    }


def test_opted_out_people_get_no_question_and_have_no_conversation(roster, supervisor):
    bahati = roster.people["bahati"]
    OptOut.objects.create(phone_hash=bahati.phone_hash)
    poll = build_poll(supervisor)
    sent = send_to(poll, supervisor, networks=[roster.can_mbau])
    assert "bahati" not in sent
    assert poll.broadcast.excluded["opt_out_list"] == 1
    assert not Conversation.objects.filter(focal_point=bahati).exists()


def test_someone_at_risk_is_skipped(roster, supervisor):
    amani = roster.people["amani"]
    focal_point_mark_at_risk(focal_point=amani, reason="threat")
    sent = send_to(build_poll(supervisor), supervisor, networks=[roster.can_mbau])
    assert (sent["amani"].state, sent["amani"].skip_reason) == ("skipped", "at_risk")
    assert not Conversation.objects.filter(focal_point=amani).exists()


def test_in_discreet_mode_a_revealing_question_is_never_sent(roster, supervisor):
    bahati, amani = roster.people["bahati"], roster.people["amani"]
    FocalPoint.objects.filter(pk__in=[bahati.pk, amani.pk]).update(discreet=True)
    poll = poll_create(title="Perception", created_by=supervisor)
    question_add(poll=poll, kind="yes_no", texts={"fr": "La MONUSCO vous protège-t-elle ?"})
    sent = send_to(poll, supervisor, networks=[roster.can_mbau])
    assert (sent["bahati"].state, sent["bahati"].skip_reason) == ("skipped", "revealing")
    assert sent["amani"].skip_reason == "revealing"  # French fallback reveals too
    assert not Conversation.objects.exists()


def test_in_discreet_mode_a_neutral_question_goes_and_a_revealing_next_one_stops(
    client, roster, supervisor
):
    bahati = roster.people["bahati"]
    FocalPoint.objects.filter(pk=bahati.pk).update(discreet=True)
    poll = poll_create(title="Perception", created_by=supervisor)
    question_add(poll=poll, kind="yes_no", texts={"fr": "Le marché est-il ouvert ?"})
    question_add(poll=poll, kind="yes_no", texts={"fr": "Faites-vous confiance à la MONUSCO ?"})
    sent = send_to(poll, supervisor, networks=[roster.can_mbau])
    assert sent["bahati"].message.body.startswith("Le marché est-il ouvert ?")
    reply = post_signed(client, URL, sms_params("1", bahati.phone)).content.decode()
    assert "MONUSCO" not in reply
    conversation = Conversation.objects.get(focal_point=bahati)
    assert (conversation.state, conversation.stop_reason) == ("stopped", "revealing")
    assert conversation.responses.count() == 1


def test_a_poll_without_questions_or_recipients_is_refused(roster, supervisor):
    empty = poll_create(title="Vide", created_by=supervisor)
    with pytest.raises(PollRefused):
        poll_send(
            poll=empty,
            by=supervisor,
            network_ids=[roster.can_mbau.pk],
            location_ids=[],
            focal_point_ids=[],
        )
    poll = build_poll(supervisor)
    with pytest.raises(ValidationError):
        poll_send(poll=poll, by=supervisor, network_ids=[], location_ids=[], focal_point_ids=[])
    assert Poll.objects.get(pk=poll.pk).status == "draft"
    with pytest.raises(ValidationError):
        poll_send(
            poll=poll, by=supervisor, network_ids=[99999], location_ids=[], focal_point_ids=[]
        )


def test_a_sent_poll_cannot_be_changed_nor_sent_again(roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau])
    with pytest.raises(PollRefused):
        question_add(poll=poll, kind="text", texts={"fr": "Encore ?"})
    with pytest.raises(PollRefused):
        poll_send(
            poll=poll,
            by=supervisor,
            network_ids=[roster.can_mbau.pk],
            location_ids=[],
            focal_point_ids=[],
        )
    assert Broadcast.objects.count() == 1
