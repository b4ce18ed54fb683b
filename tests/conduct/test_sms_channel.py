"""The dedicated keyword and number: such an SMS becomes a complaint at intake, never an
alert; the general tables keep an empty message row (for deduplication and the provider's
copy), nothing more."""

import pytest
from django.db import connection

from alerts.models import Alert, Message
from alerts.services import message_provider_copy_delete
from conduct.models import Complaint
from conduct.services import member_create
from tests.conduct.conftest import KAVIRA_PHONE, SMS_URL, sms_in
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db

MEMBER_PHONE = "+243992000009"


def _rows_with(word: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, auto_reply, our_number FROM alerts_message")
        return sum(word in " ".join(map(str, row)) for row in cursor.fetchall())


def test_the_keyword_makes_a_complaint_and_no_alert(client, places):
    member = member_create(name="Masika Mwami", phone=MEMBER_PHONE, location=places["mbau"])
    params = sms_params("cbcm Un militaire de la base demande du sexe à Sita", sender=MEMBER_PHONE)
    response = post_signed(client, SMS_URL, params)
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.text == "Un militaire de la base demande du sexe à Sita"
    assert complaint.source == "sms_channel"
    assert complaint.member == member and complaint.location == places["mbau"]
    assert complaint.sender == MEMBER_PHONE
    assert not Alert.objects.exists()
    message = Message.objects.get()
    assert (message.body, message.peer, message.peer_hash, message.alert) == ("", "", "", None)
    assert message.provider_sid == params["MessageSid"]
    assert _rows_with("Sita") == 0
    # The answer is neutral: it names no complaint, only a reference.
    assert f"Réf. {complaint.reference}" in response.content.decode()
    assert "plainte" not in response.content.decode().lower()


def test_a_second_delivery_makes_one_complaint_and_the_same_answer(client, places):
    params = sms_params("CBCM les soldats de la base", sender=KAVIRA_PHONE)
    first = post_signed(client, SMS_URL, params)
    second = post_signed(client, SMS_URL, params)
    assert first.content == second.content
    assert Complaint.objects.count() == 1 and Message.objects.count() == 1


def test_the_dedicated_number_takes_any_text(client, places, settings):
    settings.CONDUCT_SMS_NUMBERS = ["+243810000777"]
    sms_in(client, "Ils ont abusé de ma soeur", To="+243 81 000 0777")
    assert Complaint.objects.get().text == "Ils ont abusé de ma soeur"
    assert not Alert.objects.exists()
    # Another number of ours: an ordinary alert.
    sms_in(client, "Ils ont abusé de ma soeur", To="+15005550006")
    assert Alert.objects.count() == 1 and Complaint.objects.count() == 1


def test_an_admin_configures_the_keyword(client, places, settings):
    settings.CONDUCT_SMS_KEYWORDS = ["PLAINTE", "MALALAMIKO"]
    sms_in(client, "malalamiko askari wa kambi")
    sms_in(client, "CBCM ceci est une alerte ordinaire")
    assert [c.text for c in Complaint.objects.all()] == ["askari wa kambi"]
    assert Alert.objects.get().text == "CBCM ceci est une alerte ordinaire"


def test_a_word_starting_like_the_keyword_is_an_ordinary_alert(client, places):
    sms_in(client, "CBCMX hommes armés à Mbau")
    assert not Complaint.objects.exists() and Alert.objects.count() == 1


def test_the_provider_copy_of_a_complaint_is_deleted(client, places, fake_twilio):
    params = sms_params("CBCM abus à Sita")
    post_signed(client, SMS_URL, params)
    assert message_provider_copy_delete(message_id=Message.objects.get().pk)
    assert fake_twilio.deleted == [params["MessageSid"]]
