"""On PostgreSQL a new SMS alert and its message are stored by one atomic statement, with
every column as the ORM would write it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, Message
from tests.twilio_support import post_signed, sms_params

URL = "/webhooks/twilio/sms/"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's"
)


def test_alert_and_message_are_stored_by_one_insert_as_the_orm_would(client, focal_point):
    with CaptureQueriesContext(connection) as queries:
        response = post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    assert response.status_code == 200
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("WITH new_alert AS (INSERT")
    alert = Alert.objects.get()
    message = Message.objects.get()
    assert message.alert_id == alert.pk
    assert (alert.status, alert.categories, alert.source) == ("new", [], "sms")
    assert alert.reporter == focal_point and alert.sender == focal_point.phone
    assert message.peer == focal_point.phone and message.raw["Body"] == "Hommes armés à Mbau"
    assert message.created_at and message.updated_at and alert.received_at
    assert alert.reference in response.content.decode()  # the acknowledgement names it
    assert message.auto_reply and alert.reference in message.auto_reply
    # encrypted at rest, like every ORM write
    with connection.cursor() as cursor:
        cursor.execute("SELECT peer FROM alerts_message WHERE id = %s", [message.pk])
        assert focal_point.phone not in cursor.fetchone()[0]


def test_a_duplicate_stores_nothing_more_and_answers_the_same(client, focal_point):
    params = sms_params("Attaque à Oicha", focal_point.phone)
    first = post_signed(client, URL, params)
    second = post_signed(client, URL, params)
    assert first.content == second.content
    assert Alert.objects.count() == 1 and Message.objects.count() == 1
