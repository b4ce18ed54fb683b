"""Twilio's copies of messages and recordings are deleted once Kengele holds its own: through the
real twilio client, against the local stand-in of Twilio's REST API."""

import datetime as dt
import uuid
from contextlib import contextmanager

import pytest
from celery.signals import before_task_publish
from django.db import connection
from django.utils import timezone

from alerts.channels.base import ProviderError, TransientProviderError
from alerts.models import Alert, Message, Recording
from alerts.services import (
    message_deliver,
    message_provider_copy_delete,
    provider_copies_queue,
    queueing,
    recording_keep,
    sms_send,
)
from alerts.tasks import provider_message_delete, provider_recording_keep
from tests.factories import UserFactory
from tests.outages import broker_down
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db

SMS, STATUS = "/webhooks/twilio/sms/", "/webhooks/twilio/status/"
VOICE, RECORDING = "/webhooks/twilio/voice/", "/webhooks/twilio/voice/recording/"
MESSAGE_TASK = "alerts.tasks.provider_message_delete"
RECORDING_TASK = "alerts.tasks.provider_recording_keep"


@contextmanager
def published():
    """The tasks published meanwhile, as (name, args, queue)."""
    tasks = []

    def record(sender=None, headers=None, body=None, routing_key=None, **kwargs):
        tasks.append((sender, list(body[0]), routing_key))

    before_task_publish.connect(record, weak=False)
    try:
        yield tasks
    finally:
        before_task_publish.disconnect(record)


def inbound(client, focal_point, body="Des hommes armés à Mbau") -> Message:
    params = sms_params(body, sender=focal_point.phone, sid="SM" + uuid.uuid4().hex)
    assert post_signed(client, SMS, params).status_code == 200
    return Message.objects.get(provider_sid=params["MessageSid"])


def message_path(settings, sid: str) -> str:
    return f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{sid}.json"


def recording_url(settings, sid: str) -> str:
    account = settings.TWILIO_ACCOUNT_SID
    return f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}"


# --- Inbound messages ----------------------------------------------------------------------------
def test_an_inbound_message_is_deleted_at_the_provider_once_stored(
    client, focal_point, fake_twilio, settings
):
    message = inbound(client, focal_point)
    assert message.provider_deleted_at is None
    with published() as tasks:
        assert provider_copies_queue() == 1
    assert tasks == [(MESSAGE_TASK, [message.pk], "default")]
    provider_message_delete(message.pk)  # what the worker runs
    assert fake_twilio.deletes == [message_path(settings, message.provider_sid)]
    assert fake_twilio.deleted == [message.provider_sid]
    message.refresh_from_db()
    assert message.provider_deleted_at is not None
    assert message.body == "Des hommes armés à Mbau"  # our own copy stays


def test_the_sweep_queues_a_message_once_then_again_only_an_hour_later(client, focal_point):
    message = inbound(client, focal_point)
    with published() as tasks:
        provider_copies_queue()
        provider_copies_queue(now=timezone.now() + dt.timedelta(minutes=59))
    assert [args for _name, args, _queue in tasks] == [[message.pk]]
    with published() as tasks:  # the task was lost, or the provider refused: try again
        provider_copies_queue(now=timezone.now() + dt.timedelta(minutes=61))
    assert [args for _name, args, _queue in tasks] == [[message.pk]]


def test_a_message_the_broker_could_not_take_is_queued_by_the_next_sweep(client, focal_point):
    message = inbound(client, focal_point)
    with broker_down():
        assert provider_copies_queue() == 0
    message.refresh_from_db()
    assert message.provider_delete_queued_at is None  # not marked: nothing was queued
    queueing.triage_publish_resume()  # the broker is back
    with published() as tasks:
        assert provider_copies_queue() == 1
    assert tasks == [(MESSAGE_TASK, [message.pk], "default")]


def test_the_tasks_route_to_the_queue_they_are_published_on(settings):
    from config.celery import app

    for task in (MESSAGE_TASK, RECORDING_TASK, "alerts.tasks.provider_copies_sweep"):
        assert app.amqp.router.route({}, task)["queue"].name == "default"
    (sweep,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "alerts.tasks.provider_copies_sweep"
    ]
    assert sweep["schedule"] == 30


def test_deleting_twice_is_harmless_and_a_404_means_already_gone(client, focal_point, fake_twilio):
    message = inbound(client, focal_point)
    assert message_provider_copy_delete(message_id=message.pk)
    assert message_provider_copy_delete(message_id=message.pk)  # done: not even asked again
    assert len(fake_twilio.deletes) == 1
    # A task that deleted it but died before recording so runs again: Twilio answers 404.
    Message.objects.filter(pk=message.pk).update(provider_deleted_at=None)
    assert message_provider_copy_delete(message_id=message.pk)
    assert len(fake_twilio.deletes) == 2
    message.refresh_from_db()
    assert message.provider_deleted_at is not None


def test_a_transient_error_is_retried_by_the_task(client, focal_point, fake_twilio):
    message = inbound(client, focal_point)
    fake_twilio.delete_script = [(503, {"message": "unavailable"})]
    with pytest.raises(TransientProviderError):
        message_provider_copy_delete(message_id=message.pk)
    message.refresh_from_db()
    assert message.provider_deleted_at is None
    # The task retries on exactly that error, with a growing wait; its next try deletes it.
    assert provider_message_delete.autoretry_for == (TransientProviderError,)
    assert provider_message_delete.max_retries >= 5 and provider_message_delete.retry_backoff
    provider_message_delete(message.pk)
    assert len(fake_twilio.deletes) == 2 and fake_twilio.deleted == [message.provider_sid]
    message.refresh_from_db()
    assert message.provider_deleted_at is not None


def test_a_refusal_is_left_for_the_sweep_to_try_again(client, focal_point, fake_twilio):
    message = inbound(client, focal_point)
    fake_twilio.delete_script = [(403, {"code": 20003, "message": "Authenticate"})]
    with pytest.raises(ProviderError):
        message_provider_copy_delete(message_id=message.pk)
    message.refresh_from_db()
    assert message.provider_deleted_at is None


def test_a_duplicate_delivery_of_the_same_sms_is_deleted_once(client, focal_point, fake_twilio):
    params = sms_params("Des coups de feu", sender=focal_point.phone)
    post_signed(client, SMS, params)
    post_signed(client, SMS, params)
    with published() as tasks:
        provider_copies_queue()
    for _name, args, _queue in tasks:
        provider_message_delete(*args)
    assert fake_twilio.deleted == [params["MessageSid"]]


# --- Outbound messages -------------------------------------------------------------------------
def reply(focal_point) -> Message:
    message = sms_send(focal_point=focal_point, body="Merci, nous vérifions.")
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_an_outbound_message_is_deleted_once_delivered(
    client, focal_point, fake_twilio, settings, django_capture_on_commit_callbacks
):
    message = reply(focal_point)
    assert message.status == "queued"
    with published() as tasks:
        assert provider_copies_queue() == 0  # still being delivered
        assert not message_provider_copy_delete(message_id=message.pk)
        with django_capture_on_commit_callbacks(execute=True):
            post_signed(
                client, STATUS, {"MessageSid": message.provider_sid, "MessageStatus": "sent"}
            )
        assert tasks == []
        with django_capture_on_commit_callbacks(execute=True):
            post_signed(
                client, STATUS, {"MessageSid": message.provider_sid, "MessageStatus": "delivered"}
            )
    assert tasks == [(MESSAGE_TASK, [message.pk], "default")]
    assert fake_twilio.deletes == []  # nothing asked while it was being delivered
    provider_message_delete(message.pk)
    assert fake_twilio.deletes == [message_path(settings, message.provider_sid)]
    with published() as tasks:
        provider_copies_queue()  # done: not queued again
    assert tasks == []


@pytest.mark.parametrize("final", ["undelivered", "failed"])
def test_an_outbound_message_that_failed_is_deleted_too(
    client, focal_point, fake_twilio, final, django_capture_on_commit_callbacks
):
    message = reply(focal_point)
    with published() as tasks, django_capture_on_commit_callbacks(execute=True):
        post_signed(
            client,
            STATUS,
            {"MessageSid": message.provider_sid, "MessageStatus": final, "ErrorCode": "30003"},
        )
    assert [name for name, _args, _queue in tasks] == [MESSAGE_TASK]
    provider_message_delete(message.pk)
    assert fake_twilio.deleted == [message.provider_sid]


def test_an_outbound_message_without_a_final_status_is_deleted_after_a_day(
    focal_point, fake_twilio
):
    message = reply(focal_point)
    with published() as tasks:
        provider_copies_queue(now=timezone.now() + dt.timedelta(hours=23))
        assert tasks == []
        provider_copies_queue(now=timezone.now() + dt.timedelta(hours=25))
    assert tasks == [(MESSAGE_TASK, [message.pk], "default")]


def test_a_message_the_provider_never_took_has_no_copy_to_delete(focal_point, fake_twilio):
    fake_twilio.script = [(400, {"code": 21211, "message": "The 'To' number is not valid."})]
    message = reply(focal_point)
    assert message.status == "failed" and message.provider_sid is None
    with published() as tasks:
        provider_copies_queue()
    assert tasks == []


# --- Recordings ----------------------------------------------------------------------------------
def call_recorded(client, focal_point, settings) -> Alert:
    call = {
        "CallSid": "CA" + uuid.uuid4().hex,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": focal_point.phone,
        "To": "+15005550006",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    post_signed(client, VOICE, call)
    recording = dict(
        call,
        CallStatus="in-progress",
        Digits="#",
        RecordingDuration="31",
        RecordingUrl=recording_url(settings, "RE" + uuid.uuid4().hex),
    )
    post_signed(client, f"{RECORDING}?lang=fr", recording)
    return Alert.objects.get(call_sid=call["CallSid"])


def test_a_recording_is_fetched_kept_encrypted_then_deleted_at_the_provider(
    client, focal_point, fake_twilio, settings, django_capture_on_commit_callbacks
):
    with published() as tasks, django_capture_on_commit_callbacks(execute=True):
        alert = call_recorded(client, focal_point, settings)
    recording = Recording.objects.get(alert=alert)
    assert (RECORDING_TASK, [recording.pk], "default") in tasks
    assert recording.fetched_at is None and recording.provider_deleted_at is None
    provider_recording_keep(recording.pk)  # what the worker runs
    recording.refresh_from_db()
    assert recording.audio == fake_twilio.recording
    assert recording.content_type == "audio/mpeg" and recording.size == len(fake_twilio.recording)
    assert recording.provider_deleted_at is not None
    sid = alert.recording_url.rsplit("/", 1)[1]
    account = settings.TWILIO_ACCOUNT_SID
    assert fake_twilio.deletes == [f"/2010-04-01/Accounts/{account}/Recordings/{sid}.json"]
    with connection.cursor() as cursor:  # stored encrypted
        cursor.execute("SELECT audio FROM alerts_recording WHERE id = %s", [recording.pk])
        [stored] = cursor.fetchone()
    assert fake_twilio.recording.decode() not in stored
    recording_keep(recording_id=recording.pk)  # again: neither fetched nor deleted twice
    assert len(fake_twilio.deletes) == 1
    assert len([r for r in fake_twilio.requests if "/Recordings/" in r["_path"]]) == 2


def test_a_recording_the_provider_no_longer_has_is_not_asked_for_again(
    client, focal_point, fake_twilio, settings
):
    alert = call_recorded(client, focal_point, settings)
    recording = Recording.objects.get(alert=alert)
    fake_twilio.deleted.append(recording.provider_url.rsplit("/", 1)[1])  # the GET answers 404
    assert recording_keep(recording_id=recording.pk) is None
    assert fake_twilio.deletes == []
    recording.refresh_from_db()
    assert recording.fetched_at is None and recording.provider_deleted_at is not None
    with published() as tasks:
        provider_copies_queue(now=timezone.now() + dt.timedelta(hours=2))
    assert tasks == []


def test_a_recording_refused_for_good_is_never_deleted_unkept(
    client, focal_point, fake_twilio, settings
):
    alert = call_recorded(client, focal_point, settings)
    recording = Recording.objects.get(alert=alert)
    fake_twilio.recording = b"x" * (20 * 1024 * 1024 + 1)  # larger than any recording
    assert recording_keep(recording_id=recording.pk) is None
    assert fake_twilio.deletes == []
    recording.refresh_from_db()
    assert recording.fetched_at is None and recording.provider_deleted_at is None


def test_a_recording_is_fetched_again_when_the_provider_cannot_be_reached(
    client, focal_point, fake_twilio, settings
):
    alert = call_recorded(client, focal_point, settings)
    recording = Recording.objects.get(alert=alert)
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(TransientProviderError):
        recording_keep(recording_id=recording.pk)
    settings.TWILIO_API_BASE_URL = fake_twilio.url
    assert recording_keep(recording_id=recording.pk).audio == fake_twilio.recording


def test_the_recording_page_plays_the_copy_kept_here_once_the_provider_has_none(
    client, focal_point, fake_twilio, settings
):
    alert = call_recorded(client, focal_point, settings)
    recording_keep(recording_id=Recording.objects.get(alert=alert).pk)
    assert fake_twilio.deleted  # Twilio's copy is gone
    client.force_login(UserFactory(username="ana", role="analyst"))
    response = client.get(f"/dashboard/alerts/{alert.pk}/recording/")
    assert response.status_code == 200 and response.content == fake_twilio.recording


def test_the_sweep_takes_recordings_whose_task_was_lost(client, focal_point, settings):
    alert = call_recorded(client, focal_point, settings)  # on_commit never ran here
    recording = Recording.objects.get(alert=alert)
    with published() as tasks:
        provider_copies_queue()
    assert tasks == [(RECORDING_TASK, [recording.pk], "default")]


# --- Turned off ----------------------------------------------------------------------------------
def test_nothing_is_deleted_when_turned_off(
    client, focal_point, fake_twilio, settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_DELETE_PROVIDER_COPIES = False
    message = inbound(client, focal_point)
    alert = call_recorded(client, focal_point, settings)
    outbound = reply(focal_point)
    with published() as tasks:
        with django_capture_on_commit_callbacks(execute=True):
            post_signed(
                client, STATUS, {"MessageSid": outbound.provider_sid, "MessageStatus": "delivered"}
            )
        provider_copies_queue()
    recording = Recording.objects.get(alert=alert)
    assert tasks == [(RECORDING_TASK, [recording.pk], "default")]  # fetched all the same
    provider_recording_keep(recording.pk)
    assert not message_provider_copy_delete(message_id=message.pk)
    recording.refresh_from_db()
    assert recording.audio == fake_twilio.recording and recording.provider_deleted_at is None
    assert fake_twilio.deletes == []
