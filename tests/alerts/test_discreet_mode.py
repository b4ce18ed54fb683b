"""Discreet mode: what is sent to a focal point whose phone may be searched never names
Kengele, an alert, the mission or the UN. Acknowledgements and keyword answers take the neutral
wording; an analyst's reply with a revealing word is refused unless they confirm it, which is
recorded."""

import html
import re

import pytest
from django.core.exceptions import ValidationError

from alerts.discreet import revealing_words, short_number
from alerts.models import Alert, AlertEvent, CannedReply, Message, ReplyText
from alerts.services import RevealingRefused, alert_reply_send, sms_send
from alerts.services.texts import clear_cache, reply_text
from networks.models import FocalPoint
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"


def answer(client, body: str, sender: str) -> str:
    """The automatic SMS the webhook answers with ("" for none)."""
    twiml = post_signed(client, URL, sms_params(body, sender)).content.decode()
    found = re.search(r"<Message>(.*?)</Message>", twiml, re.S)
    return html.unescape(found.group(1)) if found else ""


def make_discreet(focal_point: FocalPoint, value: bool | None = True) -> FocalPoint:
    FocalPoint.objects.filter(pk=focal_point.pk).update(discreet=value)
    focal_point.refresh_from_db()
    return focal_point


# --- What reveals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Kengele : alerte A-2026-00123 reçue.", ["Kengele", "alerte"]),
        ("Merci pour votre ALERTE", ["ALERTE"]),
        ("La MONUSCO et l'ONU suivent", ["MONUSCO", "ONU"]),
        ("The U.N. mission is informed", ["U.N.", "mission"]),
        ("Les casques bleus arrivent", ["casques bleus"]),
        ("Un groupe armé a été vu, merci", []),
        ("Asante. 4821", []),
    ],
)
def test_revealing_words_are_found_whatever_the_case_and_accents(text, words):
    assert revealing_words(text) == words


def test_the_short_number_is_the_end_of_the_alerts_number():
    assert short_number(104821) == "4821" and short_number(7) == "0007"


# --- Acknowledgements and keyword answers ------------------------------------------------------


def test_a_discreet_focal_point_gets_a_neutral_acknowledgement_with_a_short_number(
    client, focal_point
):
    make_discreet(focal_point)
    text = answer(client, "Des hommes armés à Mbau", focal_point.phone)
    alert = Alert.objects.get()
    assert text == f"Merci. {short_number(alert.pk)}"
    assert alert.reference not in text and not revealing_words(text)
    assert Message.objects.get().auto_reply == text


def test_a_standard_focal_point_still_gets_the_reference(client, focal_point):
    text = answer(client, "Des hommes armés à Mbau", focal_point.phone)
    assert Alert.objects.get().reference in text and "Kengele" in text


def test_a_network_makes_its_focal_points_discreet_unless_their_own_setting_says_no(
    client, focal_point
):
    MembershipFactory(focal_point=focal_point, network=NetworkFactory(discreet=True))
    assert not revealing_words(answer(client, "Tirs à Oicha", focal_point.phone))
    make_discreet(focal_point, False)
    assert "Kengele" in answer(client, "Tirs à Kamango", focal_point.phone)


def test_a_repeated_delivery_gets_the_same_neutral_answer(client, focal_point):
    make_discreet(focal_point)
    params = sms_params("Tirs à Mbau", focal_point.phone)
    first = post_signed(client, URL, params).content.decode()
    again = post_signed(client, URL, params).content.decode()
    assert first == again and "Kengele" not in again
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("word", ["STOP", "START", "HELP", "AIDE"])
def test_keyword_answers_to_a_discreet_focal_point_reveal_nothing(client, focal_point, word):
    make_discreet(focal_point)
    text = answer(client, word, focal_point.phone)
    assert text and not revealing_words(text), text
    assert "Kengele" in answer(client, word, "+243970000123")  # an unknown number: standard


def test_a_discreet_text_that_would_reveal_is_refused_by_the_admin_and_never_sent(focal_point):
    row = ReplyText.objects.get(key="ack", language="fr")
    row.discreet_text = "Kengele: alerte {number} reçue"
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "discreet_text" in refused.value.message_dict
    row.discreet_text = "Merci {reference}"
    with pytest.raises(ValidationError):
        row.full_clean()
    # Saved anyway (a script, the shell): intake sends nothing rather than that text.
    ReplyText.objects.filter(pk=row.pk).update(discreet_text="Kengele: alerte {number} reçue")
    clear_cache()
    assert reply_text("ack", "fr", discreet=True, alert_id=12) == ""


def test_the_admin_edits_the_neutral_wording(client):
    client.force_login(UserFactory.with_role("admin", is_staff=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    row = ReplyText.objects.get(key="ack", language="fr")
    url = f"/admin/alerts/replytext/{row.pk}/change/"
    form = {"text": row.text, "discreet_text": "Bien reçu, merci. {number}"}
    assert client.post(url, form).status_code == 302
    clear_cache()
    assert reply_text("ack", "fr", discreet=True, alert_id=104821) == "Bien reçu, merci. 4821"
    refused = client.post(url, {"text": row.text, "discreet_text": "MONUSCO {number}"})
    assert refused.status_code == 200 and "may not say MONUSCO" in refused.content.decode()


# --- Every SMS ----------------------------------------------------------------------------------


def test_no_automatic_sms_with_a_revealing_word_goes_to_a_discreet_number(focal_point):
    make_discreet(focal_point)
    with pytest.raises(RevealingRefused) as refused:
        sms_send(focal_point=focal_point, body="Alerte MONUSCO: restez prudents", kind="broadcast")
    assert refused.value.words == ["Alerte", "MONUSCO"]
    assert not Message.objects.exists()
    # Confirming does not apply to an automatic SMS.
    with pytest.raises(RevealingRefused):
        sms_send(focal_point=focal_point, body="Kengele", kind="keyword", revealing_confirmed=True)
    # Nor when only the number is given.
    with pytest.raises(RevealingRefused):
        sms_send(to=focal_point.phone, body="Kengele: merci", kind="notice")
    # A notice to a staff number names the system as ever.
    sms_send(to="+243990000001", body="Kengele: alerte A-2026-00001 en retard", kind="notice")


# --- Replies ----------------------------------------------------------------------------------


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana", role="analyst")


@pytest.fixture
def reported(client, focal_point):
    """An alert from the focal point, in discreet mode."""
    make_discreet(focal_point)
    answer(client, "Des hommes armés à Mbau", focal_point.phone)
    return Alert.objects.get()


def test_a_revealing_reply_is_refused_until_the_analyst_confirms_and_that_is_recorded(
    reported, analyst
):
    with pytest.raises(RevealingRefused) as refused:
        alert_reply_send(alert=reported, body="La MONUSCO a reçu votre alerte", by=analyst)
    assert refused.value.words == ["MONUSCO", "alerte"]
    assert not Message.objects.filter(direction="outbound").exists()
    message = alert_reply_send(
        alert=reported, body="La MONUSCO a reçu votre alerte", by=analyst, revealing_confirmed=True
    )
    assert message.kind == "reply" and message.sent_by == analyst
    event = AlertEvent.objects.get(alert=reported, kind="revealing_reply")
    assert event.by == analyst and event.after == {
        "message": message.pk,
        "words": ["MONUSCO", "alerte"],
    }


def test_a_neutral_reply_or_a_standard_reporter_records_nothing(reported, analyst, focal_point):
    alert_reply_send(alert=reported, body="Merci, nous suivons.", by=analyst)
    make_discreet(focal_point, None)
    reported.refresh_from_db()
    alert_reply_send(alert=reported, body="Kengele a bien reçu l'alerte.", by=analyst)
    assert not AlertEvent.objects.filter(kind="revealing_reply").exists()
    assert Message.objects.filter(kind="reply").count() == 2


def test_the_api_refuses_a_revealing_reply_with_the_words_and_takes_a_confirmed_one(
    client, reported, analyst
):
    client.force_login(analyst)
    url = f"/api/v1/alerts/{reported.pk}/replies/"
    body = {"body": "Alerte reçue par Kengele"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["revealing_words"] == ["Alerte", "Kengele"]
    sent = client.post(
        url,
        {"body": "Alerte reçue par Kengele", "confirm_revealing": True},
        content_type="application/json",
    )
    assert sent.status_code == 201
    assert AlertEvent.objects.filter(alert=reported, kind="revealing_reply").count() == 1


# --- The reply composer -----------------------------------------------------------------------


def test_the_composer_says_which_wording_applies(client, reported, analyst, focal_point):
    client.force_login(analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/dashboard/alerts/{reported.pk}/").content.decode()
    assert 'data-mode="discreet"' in page and 'id="revealing-rules"' in page
    assert f"acknowledged as “{short_number(reported.pk)}”" in page
    make_discreet(focal_point, False)
    page = client.get(f"/dashboard/alerts/{reported.pk}/").content.decode()
    assert 'data-mode="standard"' in page and 'id="revealing-rules"' not in page


def test_the_composer_warns_sends_nothing_and_offers_to_confirm(client, reported, analyst):
    client.force_login(analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/dashboard/alerts/{reported.pk}/reply/"
    page = client.post(url, {"body": "Votre alerte est à la MONUSCO"}).content.decode()
    assert "Not sent: this reply says alerte, MONUSCO" in page
    assert 'name="confirm_revealing"' in page
    assert not Message.objects.filter(kind="reply").exists()
    client.post(url, {"body": "Votre alerte est à la MONUSCO", "confirm_revealing": "on"})
    assert Message.objects.filter(kind="reply").count() == 1
    history = client.get(f"/dashboard/alerts/{reported.pk}/").content.decode()
    assert "Revealing words sent to a discreet reporter" in history


def test_the_composer_offers_a_discreet_reporter_only_canned_replies_that_reveal_nothing(
    client, reported, analyst
):
    CannedReply.objects.create(title="Révélateur", language="fr", body="Votre alerte est reçue")
    CannedReply.objects.create(title="Neutre", language="fr", body="Bien reçu, merci")
    client.force_login(analyst)
    page = client.get(f"/dashboard/alerts/{reported.pk}/").content.decode()
    assert "Bien reçu, merci" in page and "Votre alerte est reçue" not in page
