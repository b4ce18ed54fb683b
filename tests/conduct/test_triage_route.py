"""Triage moves a report of abuse by peacekeepers out of the general tables, in its own
transaction: the alert left is a stub (territory, priority, no text, no sender), the
complaint keeps the original; an ordinary alert is untouched."""

import pytest
from django.db import connection

from alerts.models import Alert, AlertEvent, Message
from alerts.services import message_provider_copy_delete
from conduct.models import Complaint
from conduct.routes import ROUTE
from core.crypto import lookup_hash
from tests.conduct.conftest import COMPLAINT, KAVIRA_PHONE, SECRET, sms_in, sms_triaged
from triage.services import (
    alert_triage_by_id,
    confidential_route_register,
    thread_message_triage,
)
from triage.services.confidential import ConfidentialRoute

pytestmark = pytest.mark.django_db


def _tables_holding(word: str) -> list[str]:
    """Every table of the general apps (alerts, triage, networks) with `word` in any column."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith(("alerts_", "triage_", "networks_")):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
            if any(word in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


def test_the_alert_becomes_a_stub_and_the_complaint_keeps_the_text(client, kavira, places):
    alert = sms_triaged(client, COMPLAINT)
    assert alert.text == (
        "Signalement confidentiel reçu de Beni. — A confidential report was received from Beni."
    )
    assert alert.status == "triaged" and alert.priority is not None
    assert alert.location == places["beni"]  # the territory, never the village
    assert (alert.sender, alert.sender_hash, alert.reporter, alert.sender_known) == (
        "",
        "",
        None,
        False,
    )
    assert alert.incident is None  # joins no incident
    assert alert.explanation == {
        "priority_rule": "confidential report: kept apart, only its priority and territory here"
    }
    complaint = Complaint.objects.get()
    assert complaint.text == COMPLAINT
    assert complaint.source == "sms_triage"
    assert complaint.sender == KAVIRA_PHONE
    assert complaint.location == places["mbau"]
    assert complaint.reporter == kavira
    assert complaint.priority == alert.priority
    assert complaint.stub_alert_id == alert.pk


def test_the_text_and_the_number_are_in_no_general_table_after_triage(client, kavira):
    sms_triaged(client, COMPLAINT)
    assert _tables_holding(SECRET) == []
    assert _tables_holding("violé") == []
    message = Message.objects.get(direction="inbound")
    assert message.body.startswith("Signalement confidentiel")
    assert (message.peer, message.peer_hash, message.focal_point, message.raw) == (
        "",
        "",
        None,
        None,
    )
    # The history names no exact place.
    triaged = AlertEvent.objects.get(kind="triaged")
    assert triaged.after["location"] == kavira.home_location.parent_id


def test_the_provider_copy_is_still_deleted(client, kavira, fake_twilio, settings):
    sent = sms_in(client, COMPLAINT)
    alert_triage_by_id(alert_id=Alert.objects.get().pk)
    message = Message.objects.get(provider_sid=sent["MessageSid"])
    assert message_provider_copy_delete(message_id=message.pk)
    assert fake_twilio.deleted == [sent["MessageSid"]]


def test_an_ordinary_alert_keeps_its_text_place_and_sender(client, kavira, places):
    alert = sms_triaged(client, "Hommes armés à Mbau, on tire, trois morts")
    assert alert.text == "Hommes armés à Mbau, on tire, trois morts"
    assert alert.reporter == kavira and alert.sender == KAVIRA_PHONE
    assert alert.location == places["mbau"]
    assert not Complaint.objects.exists()


def test_monusco_without_abuse_stays_an_alert(client, kavira):
    alert = sms_triaged(client, "Patrouille de la MONUSCO arrivée à Mbau ce matin")
    assert "MONUSCO" in alert.text
    assert not Complaint.objects.exists()


def test_a_place_given_by_hand_is_raised_to_the_territory_too(client, kavira, places):
    sent = sms_in(client, COMPLAINT)
    Alert.objects.filter(messages__provider_sid=sent["MessageSid"]).update(location=places["mbau"])
    alert = Alert.objects.get()
    alert_triage_by_id(alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.location == places["beni"]
    assert Complaint.objects.get().location == places["mbau"]


def test_when_the_complaint_cannot_be_stored_nothing_is_lost(client, kavira):
    """The route's failure undoes triage's transaction: the alert stays untriaged, with its
    text, for the next try (never a stub without its complaint)."""

    def refuse(**kwargs):
        raise RuntimeError("database refused")

    confidential_route_register(
        ConfidentialRoute(
            name="conduct", matches=ROUTE.matches, take=refuse, stub_text=ROUTE.stub_text
        )
    )
    try:
        sms_in(client, COMPLAINT)
        alert = Alert.objects.get()
        with pytest.raises(RuntimeError):
            alert_triage_by_id(alert_id=alert.pk)
        alert.refresh_from_db()
        assert alert.triaged_at is None and alert.text == COMPLAINT
        assert not Complaint.objects.exists()
    finally:
        confidential_route_register(ROUTE)
    alert_triage_by_id(alert_id=alert.pk)
    assert Complaint.objects.get().text == COMPLAINT


# Through the webhook and triage, in the four languages: (text, goes to conduct).
SMS_TABLE = [
    ("Les casques bleus ont violé une fille à Mbau hier soir", True),
    ("Patrouille de la MONUSCO arrivée à Mbau", False),
    ("Des hommes armés ont attaqué Mbau, trois morts", False),
    ("Walinda amani wamebaka msichana karibu na kambi ya Mbau", True),
    ("Askari wa MONUSCO wamefika Mbau", False),
    ("Basoda ya MONUSCO babebisi mwana mwasi na Mbau", True),
    ("Basoda ya MONUSCO bakomi na Mbau", False),
    ("UN soldiers raped two women near Mbau", True),
    ("Armed men attacked Mbau and raped women", False),
]


@pytest.mark.parametrize("text,routed", SMS_TABLE)
def test_an_sms_goes_to_conduct_only_when_it_reports_abuse_by_peacekeepers(
    client, kavira, text, routed
):
    alert = sms_triaged(client, text)
    assert [c.text for c in Complaint.objects.all()] == ([text] if routed else [])
    assert (alert.text != text) is routed
    assert (Message.objects.get(direction="inbound").body == text) is (not routed)


def test_a_report_written_into_a_conversation_leaves_the_thread_for_conduct(client, kavira):
    """A reporter in conversation with an analyst: the text joins the thread, then thread
    triage moves it to an alert of its own, whose triage takes it to conduct."""
    first = sms_triaged(client, "Hommes armés à Mbau, on tire")
    Message.objects.create(
        alert=first,
        direction="outbound",
        kind="reply",
        body="Combien sont-ils ?",
        status="delivered",
        peer=KAVIRA_PHONE,
        peer_hash=lookup_hash(KAVIRA_PHONE),
    )
    sent = sms_in(client, COMPLAINT)
    joined = Message.objects.get(provider_sid=sent["MessageSid"])
    assert joined.alert_id == first.pk and joined.triage_pending
    follower = thread_message_triage(message_id=joined.pk)
    assert follower.pk != first.pk
    alert_triage_by_id(alert_id=follower.pk)
    assert [c.text for c in Complaint.objects.all()] == [COMPLAINT]
    joined.refresh_from_db()
    assert joined.alert_id == follower.pk and joined.body.startswith("Signalement confidentiel")
    assert _tables_holding(SECRET) == []
    first.refresh_from_db()
    assert first.text == "Hommes armés à Mbau, on tire"  # the conversation's alert is untouched
