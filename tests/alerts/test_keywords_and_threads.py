import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, Keyword, Message, OptOut
from alerts.services import sms_send
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/sms/"


def send(client, body, sender="+243991234567"):
    return post_signed(client, URL, sms_params(body, sender)).content.decode()


@pytest.mark.parametrize("word", ["STOP", "stop", "Stopall", "QUIT!", " Stop. "])
def test_it_opts_the_sender_out_and_confirms_once(client, focal_point, word):
    first = send(client, word)
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is not None
    assert "ne recevrez plus" in first
    assert "<Message" not in send(client, word)  # confirmed once, then silence
    review = Alert.objects.get()  # both in the focal point's opt-out review item
    assert review.messages.filter(kind="keyword").count() == 2


def test_an_unknown_sender_can_opt_out_too(client):
    send(client, "STOP", sender="+243970000123")
    assert OptOut.objects.count() == 1


def test_start_or_anza_resubscribes(client, focal_point):
    send(client, "STOP")
    answer = send(client, "ANZA")
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None and not OptOut.objects.exists()
    assert "nouveau abonné" in answer


def test_help_explains_the_service(client):
    assert "Kengele" in send(client, "INFO", sender="+243970000123")
    assert not Alert.objects.exists()


@pytest.mark.parametrize("word", ["AIDE", "msaada", "HELP"])
def test_a_help_word_that_may_be_a_plea_explains_the_service_and_makes_an_alert(client, word):
    assert "Kengele" in send(client, word, sender="+243970000123")
    assert Alert.objects.get().text == word


def test_help_answers_in_the_keywords_language_for_an_unknown_sender(client):
    assert "eleza" in send(client, "MSAADA", sender="+243970000123")


def test_a_keyword_inside_a_sentence_is_an_alert(client, focal_point):
    send(client, "Stop, des hommes armés entrent à Mbau")
    assert Alert.objects.count() == 1


def test_keywords_are_data(client, focal_point):
    Keyword.objects.create(word="BASI", action="opt_out", language="sw", may_be_plea=False)
    send(client, "basi")
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is not None


def test_a_new_keyword_is_taken_for_a_possible_plea_until_an_admin_says_otherwise(
    client, focal_point
):
    Keyword.objects.create(word="BASI", action="opt_out", language="sw")
    send(client, "basi")
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None
    assert Alert.objects.get().text == "basi"


def test_an_opted_out_focal_point_still_reports_but_gets_no_acknowledgement(client, focal_point):
    send(client, "STOP")
    answer = send(client, "Coups de feu à Mbau")
    assert Alert.objects.filter(text="Coups de feu à Mbau").count() == 1
    assert "<Message" not in answer


def test_a_text_after_an_analyst_reply_joins_the_open_alert(client, focal_point):
    send(client, "Hommes armés à Mbau")
    alert = Alert.objects.get()
    sms_send(alert=alert, body="Combien sont-ils ?")
    answer = send(client, "Une vingtaine, avec des fusils")
    assert Alert.objects.count() == 1
    assert list(alert.messages.filter(direction="inbound").values_list("body", flat=True)) == [
        "Hommes armés à Mbau",
        "Une vingtaine, avec des fusils",
    ]
    assert "<Message" not in answer  # a conversation is not re-acknowledged


def test_without_an_analyst_reply_each_text_is_a_new_alert(client, focal_point):
    send(client, "Hommes armés à Mbau")
    send(client, "Ils sont partis vers Oicha")
    assert Alert.objects.count() == 2


def test_a_reply_older_than_24_hours_does_not_hold_the_thread(client, focal_point):
    send(client, "Hommes armés à Mbau")
    reply = sms_send(alert=Alert.objects.get(), body="Merci")
    Message.objects.filter(pk=reply.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    send(client, "Encore des tirs")
    assert Alert.objects.count() == 2


def test_a_closed_alert_does_not_hold_the_thread(client, focal_point):
    send(client, "Hommes armés à Mbau")
    alert = Alert.objects.get()
    sms_send(alert=alert, body="Merci")
    Alert.objects.filter(pk=alert.pk).update(status="closed")
    send(client, "Encore des tirs")
    assert Alert.objects.count() == 2


def test_a_flooding_number_is_stored_and_flagged_but_not_acknowledged(client, focal_point):
    answers = [send(client, f"message {i}") for i in range(33)]
    assert Message.objects.filter(direction="inbound").count() == 33
    assert all("<Message" in a for a in answers[:30])
    assert all("<Message" not in a for a in answers[30:])
    flooded = Message.objects.filter(flooded=True)
    assert flooded.count() == 3
    assert Alert.objects.filter(flooded=True).exists()


def test_a_number_flooding_without_an_alert_yet_gets_one_flagged(client):
    for _ in range(30):
        send(client, "INFO", sender="+243970000123")
    send(client, "Tirs à Beni", sender="+243970000123")
    alert = Alert.objects.get()
    assert alert.flooded and alert.messages.get().flooded


def test_a_reply_to_an_alert_with_an_open_thread_elsewhere_still_joins_it(client, focal_point):
    send(client, "Hommes armés à Mbau")
    first = Alert.objects.get()
    sms_send(alert=first, body="Combien sont-ils ?")
    send(client, "Une vingtaine")
    Alert.objects.filter(pk=first.pk).update(status="closed")
    send(client, "Encore des tirs")  # the thread's alert is closed: a new alert
    assert Alert.objects.count() == 2
    assert first.messages.filter(direction="inbound").count() == 2


def test_others_are_acknowledged_while_someone_floods(client, focal_point):
    from networks.services import focal_point_create

    other = focal_point_create(name="Bahati Ndungo", phone="+243997654321", language="fr")
    for i in range(32):
        send(client, f"spam {i}")
    assert "<Message" in send(client, "Attaque à Beni", sender=other.phone)


def test_a_number_that_opted_out_before_it_was_registered_gets_no_acknowledgement(client):
    from networks.services import focal_point_create

    send(client, "STOP", sender="+243997777777")
    focal_point_create(name="Furaha Kavira", phone="+243997777777", language="fr")
    answer = send(client, "Hommes armés à Beni", sender="+243997777777")
    assert Alert.objects.count() == 1 and "<Message" not in answer
