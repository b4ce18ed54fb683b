import pytest
from django.db import connection
from django.utils import timezone

from alerts.channels.base import TransientSendError
from alerts.models import Alert, Message, OptOut, SendAttempt
from alerts.segments import count_segments
from alerts.services import SendRefused, message_deliver, message_status_update, sms_send
from core.crypto import lookup_hash
from tests.twilio_support import post_signed

pytestmark = pytest.mark.django_db
STATUS_URL = "/webhooks/twilio/status/"


def _reply(focal_point, body="Merci, nous vérifions.") -> Message:
    return sms_send(
        focal_point=focal_point,
        body=body,
        status_callback="https://k.example/webhooks/twilio/status/",
    )


def test_it_sends_through_the_twilio_client_to_the_api(fake_twilio, focal_point, settings):
    message = _reply(focal_point)
    message_deliver(message_id=message.pk)
    [sent] = fake_twilio.sent
    assert sent["To"] == focal_point.phone
    assert sent["From"] == settings.TWILIO_FROM_NUMBER
    assert sent["Body"] == "Merci, nous vérifions."
    assert sent["StatusCallback"] == "https://k.example/webhooks/twilio/status/"
    assert sent["_path"] == f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    message.refresh_from_db()
    assert message.status == "queued" and message.provider_sid.startswith("SM")
    assert SendAttempt.objects.get(message=message).succeeded


def test_it_uses_the_messaging_service_when_configured(fake_twilio, focal_point, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "2" * 32
    message_deliver(message_id=_reply(focal_point).pk)
    assert fake_twilio.sent[0]["MessagingServiceSid"] == settings.TWILIO_MESSAGING_SERVICE_SID


def test_a_5xx_is_retried_and_recorded(fake_twilio, focal_point):
    fake_twilio.script = [(503, {"message": "unavailable"})]
    message = _reply(focal_point)
    with pytest.raises(TransientSendError):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 1
    message_deliver(message_id=message.pk)  # the retry
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 2
    outcomes = list(
        SendAttempt.objects.filter(message=message).values_list("succeeded", "http_status")
    )
    assert outcomes == [(False, 503), (True, None)]


def test_a_permanent_error_is_not_retried(fake_twilio, focal_point):
    fake_twilio.script = [
        (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"})
    ]
    message = _reply(focal_point)
    message_deliver(message_id=message.pk)  # no exception: nothing to retry
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "21610")
    assert SendAttempt.objects.get(message=message).permanent


def test_the_providers_error_text_is_kept_with_the_number_masked(fake_twilio, focal_point):
    number = focal_point.phone  # Twilio quotes it: "The 'To' number +243… is not valid"
    fake_twilio.script = [
        (503, {"message": f"Queue overflow for {number}"}),
        (400, {"code": 21211, "message": f"The 'To' number {number} is not a valid phone number."}),
    ]
    message = _reply(focal_point)
    with pytest.raises(TransientSendError):
        message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.error_code == "21211"
    assert message.error_message.endswith("The 'To' number +[number] is not a valid phone number.")
    first, second = SendAttempt.objects.filter(message=message).order_by("id")
    assert first.error_message.endswith("Queue overflow for +[number]")
    assert (second.error_code, second.http_status) == ("21211", 400)
    for table in ("alerts_message", "alerts_sendattempt"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT error_message FROM {table}")  # noqa: S608
            stored = " ".join(row[0] for row in cursor.fetchall())
        assert number[-9:] not in stored and "[number]" in stored


def test_an_error_text_is_masked_however_it_is_written(focal_point):
    message = _reply(focal_point)
    long_text = "x" * 296 + " +243991234567"
    Message.objects.filter(pk=message.pk).update(error_message=long_text)
    message.refresh_from_db()
    assert len(message.error_message) == 300 and "2439912" not in message.error_message
    message.error_message = "to 0991 234 567, code 30003"
    message.save()
    message.refresh_from_db()
    assert message.error_message == "to [number], code 30003"


def test_giving_up_after_the_last_retry_marks_the_message_failed(fake_twilio, focal_point):
    fake_twilio.script = [(500, {})]
    message = _reply(focal_point)
    message_deliver(message_id=message.pk, final_attempt=True)
    message.refresh_from_db()
    assert message.status == "failed"


def test_delivering_twice_sends_once(fake_twilio, focal_point):
    message = _reply(focal_point)
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    assert len(fake_twilio.sent) == 1


def test_an_opted_out_number_is_refused_by_every_sender_path(focal_point):
    OptOut.objects.create(phone_hash=lookup_hash(focal_point.phone))
    alert = Alert.objects.create(source="sms", reporter=focal_point, sender=focal_point.phone)
    for kwargs in (
        {"focal_point": focal_point},
        {"to": focal_point.phone},
        {"to": "0991234567"},  # the same number written locally
        {"alert": alert},
        {"focal_point": focal_point, "kind": Message.Kind.BROADCAST},
    ):
        with pytest.raises(SendRefused):
            sms_send(body="Alerte", **kwargs)
    assert not Message.objects.filter(direction="outbound").exists()


def test_an_opt_out_after_queueing_stops_the_send(fake_twilio, focal_point):
    message = _reply(focal_point)
    focal_point.opted_out_at = timezone.now()
    focal_point.save()
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "failed" and fake_twilio.sent == []


def test_segments_are_counted_and_stored(focal_point):
    assert count_segments("a" * 160).segments == 1
    assert count_segments("a" * 161).segments == 2
    assert count_segments("ê" * 70).encoding == "UCS-2"
    assert count_segments("ê" * 71).segments == 2
    assert count_segments("€" * 80).segments == 1  # extension characters cost two septets
    assert count_segments("€" * 81).segments == 2
    assert _reply(focal_point, "Restez à l'abri " * 12).segments == 2


@pytest.fixture
def delivered_message(fake_twilio, focal_point):
    message = _reply(focal_point)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_status_callbacks_never_move_a_status_backwards(client, delivered_message, settings):
    sid = delivered_message.provider_sid
    for status in ("delivered", "sent", "queued"):
        params = {
            "MessageSid": sid,
            "MessageStatus": status,
            "AccountSid": settings.TWILIO_ACCOUNT_SID,
        }
        assert post_signed(client, STATUS_URL, params).status_code == 204
    delivered_message.refresh_from_db()
    assert delivered_message.status == "delivered"


def test_a_failed_callback_records_the_error_code(client, delivered_message):
    params = {
        "MessageSid": delivered_message.provider_sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    post_signed(client, STATUS_URL, params)
    delivered_message.refresh_from_db()
    assert (delivered_message.status, delivered_message.error_code) == ("undelivered", "30003")


def test_nul_characters_in_a_status_callback_are_dropped_not_a_500(client, delivered_message):
    sid = delivered_message.provider_sid
    params = {
        "MessageSid": f"{sid[:2]}\x00{sid[2:]}",
        "MessageStatus": "undelivered",
        "ErrorCode": "300\x0003",
    }
    assert post_signed(client, STATUS_URL, params).status_code == 204
    delivered_message.refresh_from_db()
    assert (delivered_message.status, delivered_message.error_code) == ("undelivered", "30003")


def test_an_unsigned_status_callback_is_refused(client, delivered_message):
    response = client.post(
        STATUS_URL,
        f"MessageSid={delivered_message.provider_sid}&MessageStatus=failed",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 403
    delivered_message.refresh_from_db()
    assert delivered_message.status == "queued"


def test_a_status_callback_without_sid_is_a_400(client):
    assert post_signed(client, STATUS_URL, {"MessageStatus": "sent"}).status_code == 400


def test_status_update_ignores_unknown_statuses(delivered_message):
    assert (
        message_status_update(provider_sid=delivered_message.provider_sid, status="bogus") is False
    )
