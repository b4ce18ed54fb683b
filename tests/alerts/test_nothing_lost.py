"""The database or the broker going down must never lose an alert."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.constants import PUBLISH_FAILED_AT
from alerts.models import Alert, Message
from alerts.services import alerts_requeue_stale, messages_requeue_pending, sms_send, spool_import
from tests.outages import broker_down, database_down
from tests.twilio_support import post_signed, sms_params

URL = "/webhooks/twilio/sms/"


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_the_webhook_spools_and_answers_200(client, settings, tmp_path):
    settings.SPOOL_DIR = tmp_path
    params = sms_params("Hommes armés à Mbau, on tire")
    with database_down():
        response = post_signed(client, URL, params)
        again = post_signed(client, URL, params)  # Twilio retrying while the database is down
    assert response.status_code == again.status_code == 200
    assert b"<Response" in response.content
    spooled = list(tmp_path.glob("*.spool"))
    assert len(spooled) == 2
    assert "970000123" not in spooled[0].read_text()  # the spool is encrypted too
    assert not Alert.objects.exists()

    assert spool_import() == 2
    alert = Alert.objects.get()  # the duplicate delivery made nothing more
    assert alert.text == params["Body"] and alert.status == "new"
    assert Message.objects.get().provider_sid == params["MessageSid"]
    assert list(tmp_path.glob("*.spool")) == []


@pytest.mark.django_db(transaction=True)
def test_spool_import_waits_while_the_database_is_still_down(settings, tmp_path, client):
    settings.SPOOL_DIR = tmp_path
    with database_down():
        post_signed(client, URL, sms_params("Tirs à Beni"))
        assert spool_import() == 0
    assert len(list(tmp_path.glob("*.spool"))) == 1
    assert spool_import() == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_alert_is_stored_and_requeued_seconds_later(
    client, empty_triage_queues
):
    with broker_down():
        response = post_signed(client, URL, sms_params("Hommes armés à Mbau"))
    assert response.status_code == 200
    alert = Alert.objects.get()
    assert alert.status == "new" and alert.queued_at == PUBLISH_FAILED_AT
    assert alerts_requeue_stale() == 0  # the broker may still be coming back
    Alert.objects.filter(pk=alert.pk).update(received_at=timezone.now() - dt.timedelta(seconds=11))
    assert alerts_requeue_stale() == 1  # the next sweep, not a minute later
    alert.refresh_from_db()
    assert alert.queued_at > PUBLISH_FAILED_AT
    empty_triage_queues()
    assert alerts_requeue_stale() == 0  # not queued again within the minute


@pytest.mark.django_db(transaction=True)
def test_a_reply_made_while_the_broker_is_down_is_queued_later(focal_point):
    with broker_down():
        message = sms_send(focal_point=focal_point, body="Restez à l'abri")
    assert Message.objects.get(pk=message.pk).status == "pending"
    past = timezone.now() - dt.timedelta(seconds=61)
    Message.objects.filter(pk=message.pk).update(created_at=past, updated_at=past)
    assert messages_requeue_pending() == 1


@pytest.mark.django_db(transaction=True)
def test_a_spooled_request_that_can_never_be_stored_does_not_block_the_others(settings, tmp_path):
    from alerts.channels.base import InboundSMS
    from alerts.services import spool_write

    settings.SPOOL_DIR = tmp_path
    rejected = InboundSMS(
        provider_sid="SM1", sender="+243970000123", recipient="", body="x", segments=-1
    )  # the database refuses it (a check constraint)
    spool_write(sms=rejected)
    corrupt = spool_write(sms=rejected)
    corrupt.write_text("not a spool file")
    spool_write(
        sms=InboundSMS(provider_sid="SM2", sender="+243970000123", recipient="", body="Tirs à Beni")
    )
    assert spool_import() == 1
    assert Alert.objects.get().text == "Tirs à Beni"
    assert len(list(tmp_path.glob("*.bad"))) == 2 and not list(tmp_path.glob("*.spool"))
