import threading
from urllib.parse import urlencode, urlparse

import pytest
from django.db import connection, connections
from django.test import Client
from twilio.request_validator import RequestValidator, add_port, remove_port

from alerts.channels import twilio
from alerts.models import Alert, Message
from tests.twilio_support import post_signed, sign, sms_params

URL = "/webhooks/twilio/sms/"
FORM = "application/x-www-form-urlencoded"
pytestmark = pytest.mark.django_db


def test_it_stores_a_signed_sms_as_one_new_alert_and_answers_twiml(client):
    params = sms_params("Hommes armés à Mbau, on tire")
    response = post_signed(client, URL, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response" in response.content
    alert = Alert.objects.get()
    assert (alert.status, alert.source, alert.text) == ("new", "sms", params["Body"])
    assert alert.sender_known is False and alert.reporter is None
    message = alert.messages.get()
    assert message.provider_sid == params["MessageSid"]
    assert message.raw["From"] == params["From"]  # every raw parameter kept (encrypted)
    assert message.direction == "inbound" and message.status == "received"


def test_media_links_are_kept_encrypted(client, focal_point):
    link = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    params = dict(
        sms_params("Photo du camp", sender=focal_point.phone), NumMedia="1", MediaUrl0=link
    )
    assert post_signed(client, URL, params).status_code == 200
    message = Message.objects.get(provider_sid=params["MessageSid"])
    assert message.media_urls == [link]
    with connection.cursor() as cursor:
        cursor.execute("SELECT media_urls FROM alerts_message WHERE id = %s", [message.pk])
        [stored] = cursor.fetchone()
    assert "twilio" not in stored and "MM1" not in stored
    # A text without media stores nothing at all there.
    plain = sms_params("Calme à Oicha", sender=focal_point.phone)
    post_signed(client, URL, plain)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT media_urls FROM alerts_message WHERE provider_sid = %s", [plain["MessageSid"]]
        )
        assert cursor.fetchone() == ("",)
    assert Message.objects.get(provider_sid=plain["MessageSid"]).media_urls == []


def test_the_answer_states_its_length(client):
    response = post_signed(client, URL, sms_params("Tirs à Beni"))
    assert int(response["Content-Length"]) == len(response.content)


def test_it_rejects_a_bad_signature_and_stores_nothing(client, caplog):
    params = sms_params("forged")
    signature = sign(f"http://testserver{URL}", params)
    params["Body"] = "tampered"
    response = client.post(
        URL, urlencode(params), content_type=FORM, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    assert not Alert.objects.exists() and not Message.objects.exists()
    assert "X-Twilio-Signature" in caplog.text


def test_it_rejects_a_missing_signature(client):
    response = client.post(URL, urlencode(sms_params("unsigned")), content_type=FORM)
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_it_checks_the_signature_against_the_public_base_url(client, settings):
    settings.PUBLIC_BASE_URL = "https://alerts.example.org"
    params = sms_params("behind the proxy")
    assert post_signed(client, URL, params).status_code == 403  # signed for testserver
    ok = post_signed(client, URL, params, url=f"https://alerts.example.org{URL}")
    assert ok.status_code == 200


def test_it_accepts_a_signature_made_on_the_url_with_its_port(client, settings):
    settings.PUBLIC_BASE_URL = "https://alerts.example.org"
    params = sms_params("with port")
    response = post_signed(client, URL, params, url=f"https://alerts.example.org:443{URL}")
    assert response.status_code == 200


def test_it_accepts_a_signature_made_without_the_port_the_public_url_names(client, settings):
    settings.PUBLIC_BASE_URL = "https://alerts.example.org:443"
    params = sms_params("without port")
    response = post_signed(client, URL, params, url=f"https://alerts.example.org{URL}")
    assert response.status_code == 200
    forged = post_signed(client, URL, params, url=f"https://alerts.example.org:8443{URL}")
    assert forged.status_code == 403


@pytest.mark.parametrize(
    "public",
    [
        "https://alerts.example.org",
        "https://alerts.example.org:443",
        "http://alerts.example.org:80",
        "https://alerts.example.org:8443",
    ],
)
def test_the_signature_check_answers_as_twilios_validator_does(public):
    validator = RequestValidator("a-token")
    params = sms_params("the same answer")
    url = public + URL
    parsed = urlparse(url)
    signed_over = [add_port(parsed), remove_port(parsed), "https://other.example.org" + URL]
    signatures = [validator.compute_signature(u, params) for u in signed_over] + ["", "bad"]
    for signature in signatures:
        expected = validator.validate(url, params, signature)
        assert twilio.signature_matches(validator, url, params, signature) is expected


def test_duplicate_message_sid_makes_one_alert_and_the_same_answer(client, focal_point):
    params = sms_params("Attaque à Oicha", sender=focal_point.phone)
    first = post_signed(client, URL, params)
    second = post_signed(client, URL, params)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert Alert.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_duplicate_message_sid_under_concurrency_makes_one_alert():
    params = sms_params("Coups de feu à Eringeti")
    barrier = threading.Barrier(2)
    statuses = []

    def deliver():
        try:
            barrier.wait(5)
            statuses.append(post_signed(Client(), URL, params).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200, 200]
    assert Alert.objects.count() == 1 and Message.objects.count() == 1


def test_a_known_focal_point_gets_an_acknowledgement_in_their_language(client, focal_point):
    focal_point.language = "sw"
    focal_point.save()
    response = post_signed(client, URL, sms_params("Wanajeshi Kiwanja", focal_point.phone))
    alert = Alert.objects.get()
    assert alert.reporter == focal_point and alert.sender_known
    assert f"taarifa {alert.reference} imepokelewa" in response.content.decode()


def test_the_acknowledgement_text_is_data_an_admin_can_edit(client, focal_point):
    from alerts.models import ReplyText

    ReplyText.objects.filter(key="ack", language="fr").update(text="Reçu {reference} !")
    response = post_signed(client, URL, sms_params("Tirs à Mbau", focal_point.phone))
    assert f"Reçu {Alert.objects.get().reference} !" in response.content.decode()


def test_an_unknown_sender_is_stored_but_not_acknowledged(client):
    response = post_signed(client, URL, sms_params("Bonjour, hommes armés à Beni"))
    assert Alert.objects.get().sender_known is False
    assert b"<Message" not in response.content


def test_it_queues_triage_only_after_the_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        post_signed(client, URL, sms_params("Hommes armés à Mbau"))
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"From": "+243970000123", "Body": "x"}, "MessageSid"),
        ({"MessageSid": "SM1", "Body": "x"}, "From"),
        ({"MessageSid": "SM2", "From": "+243970000123", "NumSegments": "many"}, "NumSegments"),
    ],
)
def test_a_signed_but_malformed_post_gets_a_400_with_the_reason(client, params, reason):
    response = post_signed(client, URL, params)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Message.objects.exists()


def test_a_wrong_content_type_gets_a_415(client):
    response = client.post(URL, data='{"Body": "x"}', content_type="application/json")
    assert response.status_code == 415


def test_an_oversized_body_gets_a_413_not_a_500(client):
    params = sms_params("x" * (1024 * 1024))
    response = post_signed(client, URL, params)
    assert response.status_code == 413
    assert not Message.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_the_sender_number_is_not_stored_in_clear(client):
    post_signed(client, URL, sms_params("Attaque", sender="+243970000123"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender FROM alerts_alert")
        (sender,) = cursor.fetchone()
        cursor.execute("SELECT peer, raw FROM alerts_message")
        peer, raw = cursor.fetchone()
    for stored in (sender, peer, raw):
        assert "970000123" not in stored


@pytest.mark.parametrize("segments", ["9" * 30, "70000"])
def test_an_impossible_segment_count_is_kept_within_bounds_not_a_500(client, segments):
    params = dict(sms_params("Tirs à Beni"), NumSegments=segments)
    response = post_signed(client, URL, params)
    assert response.status_code == 200
    assert Message.objects.get().segments == 32767
    assert Alert.objects.get().text == "Tirs à Beni"


def test_nul_characters_are_dropped_not_a_500(client):
    response = post_signed(client, URL, sms_params("Tirs\x00 à Beni"))
    assert response.status_code == 200
    assert Alert.objects.get().text == "Tirs à Beni"
