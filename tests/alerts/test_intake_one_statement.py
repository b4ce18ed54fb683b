"""On PostgreSQL a new SMS alert and its message are stored by one atomic statement, with
every column as the ORM would write it; intake's statements are prepared once per connection."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, Message
from tests.twilio_support import post_signed, sms_params

URL = "/webhooks/twilio/sms/"
INSERT = "kengele_intake_insert"
READ = "kengele_intake_sender"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's"
)


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_alert_and_message_are_stored_by_one_insert_as_the_orm_would(client, focal_point):
    with CaptureQueriesContext(connection) as queries:
        response = post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    assert response.status_code == 200
    sql = statements(queries)
    writes = [s for s in sql if s.startswith(("INSERT", "WITH", f"EXECUTE {INSERT}"))]
    assert len(writes) == 1 and writes[0].startswith(f"EXECUTE {INSERT} (")
    for prepared in (s for s in sql if s.startswith(f"PREPARE {INSERT}")):
        assert prepared.startswith(f"PREPARE {INSERT} AS WITH new_alert AS (INSERT")
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


@pytest.mark.django_db(transaction=True)
def test_each_connection_prepares_the_intake_statements_once():
    connection.close()
    with CaptureQueriesContext(connection) as first:
        assert post_signed(Client(), URL, sms_params("Tirs à Kamango")).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert post_signed(Client(), URL, sms_params("Tirs à Oicha")).status_code == 200
    prepared = [s.split()[1] for s in statements(first) if s.startswith("PREPARE")]
    assert sorted(prepared) == [INSERT, READ]
    assert not [s for s in statements(second) if s.startswith("PREPARE")]
    executed = [s.split()[1] for s in statements(second) if s.startswith("EXECUTE")]
    assert executed == [READ, INSERT]
    assert Alert.objects.count() == 2 and Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_statement_the_session_lost_is_prepared_again():
    assert post_signed(Client(), URL, sms_params("Tirs à Kamango")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does to the session
    assert post_signed(Client(), URL, sms_params("Tirs à Oicha")).status_code == 200
    assert Alert.objects.count() == 2 and Message.objects.count() == 2


def test_without_kept_connections_the_statements_run_unprepared(client, db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with CaptureQueriesContext(connection) as queries:
        assert post_signed(client, URL, sms_params("Tirs à Kamango")).status_code == 200
    sql = statements(queries)
    assert not [s for s in sql if s.startswith(("PREPARE", "EXECUTE"))]
    assert len([s for s in sql if s.startswith("WITH new_alert AS (INSERT")]) == 1
    assert Alert.objects.count() == 1
