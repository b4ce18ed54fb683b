"""On PostgreSQL a new SMS alert and its message are stored by one atomic statement, which
also reads the sender and their recent messages, with every column as the ORM would write it;
the statement is prepared once per connection."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, Message
from alerts.services import spool_import
from tests.twilio_support import post_signed, sms_params

URL = "/webhooks/twilio/sms/"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's"
)


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def prepared_names(sql: list[str]) -> dict[str, str]:
    """The statements prepared among `sql`, by name: the text each name stands for."""
    return {s.split()[1]: s.split(" AS ", 1)[1] for s in sql if s.startswith("PREPARE ")}


def executed(sql: list[str]) -> list[str]:
    return [s.split()[1] for s in sql if s.startswith("EXECUTE ")]


def test_alert_and_message_are_stored_by_one_insert_as_the_orm_would(client, focal_point):
    with CaptureQueriesContext(connection) as queries:
        response = post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    assert response.status_code == 200
    sql = statements(queries)
    assert not [s for s in sql if s.startswith(("INSERT", "WITH"))]  # all writes are prepared
    assert len([name for name in executed(sql) if name in _insert_names()]) == 1
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
        cursor.execute(
            "SELECT m.peer, a.sender FROM alerts_message m JOIN alerts_alert a "
            "ON a.id = m.alert_id WHERE m.id = %s",
            [message.pk],
        )
        peer, sender = cursor.fetchone()
    assert focal_point.phone not in peer and focal_point.phone not in sender


def test_none_is_null_for_every_column_of_both_rows(db):
    # The one-statement insert sends None as NULL without asking the field.
    for model in (Alert, Message):
        for field in model._meta.concrete_fields:
            assert field.get_db_prep_save(None, connection=connection) is None, field


def test_values_sent_as_they_are_are_those_their_fields_would_send(db):
    # The one-statement insert skips the conversion of str, int and bool values for the plain
    # field classes whose conversion returns them unchanged; an encrypted field never is one.
    from alerts.services.intake_sql import _statement
    from core.writebatch import _readers

    _sql, alert_fields, message_fields, _sender = _statement()  # every column a parameter
    samples = {str: "Mbau", int: 3, bool: True}
    skipped = 0
    for fields in (alert_fields, message_fields):
        for field, (_attname, _plain, as_is) in zip(fields, _readers(fields), strict=True):
            for kind in as_is:
                value = samples[kind]
                assert field.get_db_prep_save(value, connection=connection) == value, field
                skipped += 1
    assert skipped > 10
    assert not _readers((Alert._meta.get_field("sender"),))[0][2]
    assert not _readers((Message._meta.get_field("raw"),))[0][2]


def _columns(model, pk) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))


def test_columns_left_at_their_default_are_stored_as_the_orm_stores_them(client, focal_point):
    # Constants in the statement's text: compare every column with rows the ORM saves.
    from alerts.services.intake_sql import _constants_held, _defaults

    assert len(_defaults(Alert)) > 20 and len(_defaults(Message)) > 5
    response = post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s "
            "ORDER BY prepare_time DESC LIMIT 1",
            ["%new_alert%"],
        )
        (text,) = cursor.fetchone()
    assert "CAST('new' AS varchar(12))" in text and text.count("$") < 25  # not 54 parameters
    alert, message = Alert.objects.get(), Message.objects.get()
    orm_alert = Alert.objects.create(source="sms", text="x", sender="+243", sender_hash="h")
    orm_message = Message.objects.create(
        direction="inbound", body="x", status="received", provider_sid="SMorm", peer="+243",
        peer_hash="h", raw={},
    )  # fmt: skip
    for model, ours, theirs in ((Alert, alert, orm_alert), (Message, message, orm_message)):
        every = {f.attname for f in _defaults(model)}
        assert set(_constants_held(model())) == every  # a new instance holds them all
        held = _constants_held(ours)  # those the webhook's rows had in the statement's text
        assert len(held) > (20 if model is Alert else 5), model
        stored, expected = _columns(model, ours.pk), _columns(model, theirs.pk)
        for field in _defaults(model):
            if field.attname in held:
                assert stored[field.column] == expected[field.column], field


def test_a_column_away_from_its_default_is_sent_as_a_parameter(db, focal_point):
    import datetime as dt

    from django.utils import timezone

    from alerts.services.intake_sql import _statement, sms_alert_insert

    now = timezone.now()
    alert = Alert(source="sms", text="x", sender="+243970000001", sender_hash="h1", received_at=now)
    alert.language, alert.categories = "sw", ["attack"]
    alert.sla_due_at = now + dt.timedelta(hours=1)
    message = Message(
        direction="inbound", kind="alert", body="x", status="received", provider_sid="SMp1",
        peer="+243970000001", peer_hash="h1", raw={"Body": "x"}, segments=3, created_at=now,
    )  # fmt: skip
    intake = sms_alert_insert(alert=alert, message=message, sender_hash="h1", now=now)
    assert intake.stored
    alert.refresh_from_db()
    message.refresh_from_db()
    assert (alert.language, alert.categories, alert.sla_due_at) == (
        "sw",
        ["attack"],
        now + dt.timedelta(hours=1),
    )
    assert message.segments == 3
    assert _statement.cache_info().currsize >= 1


def test_a_duplicate_stores_nothing_more_and_answers_the_same(client, focal_point):
    params = sms_params("Attaque à Oicha", focal_point.phone)
    first = post_signed(client, URL, params)
    second = post_signed(client, URL, params)
    assert first.content == second.content
    assert Alert.objects.count() == 1 and Message.objects.count() == 1


def _insert_names() -> set[str]:
    """The names the one-statement insert is prepared under on this connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%new_alert AS (INSERT%"],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_each_connection_prepares_the_intake_statement_once():
    connection.close()
    with CaptureQueriesContext(connection) as first:
        assert post_signed(Client(), URL, sms_params("Tirs à Kamango")).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert post_signed(Client(), URL, sms_params("Tirs à Oicha")).status_code == 200
    prepared = prepared_names(statements(first))
    assert len(prepared) == 1  # the reads and the inserts, one statement
    assert "new_alert AS (INSERT" in next(iter(prepared.values()))
    assert executed(statements(first)) == executed(statements(second)) == list(prepared)
    assert len(statements(second)) == 1
    assert Alert.objects.count() == 2 and Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_session_that_lost_its_statements_spools_one_sms_and_prepares_them_again(
    settings, tmp_path
):
    settings.SPOOL_DIR = tmp_path
    assert post_signed(Client(), URL, sms_params("Tirs à Kamango")).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does to the session
    lost = post_signed(Client(), URL, sms_params("Tirs à Oicha"))
    assert lost.status_code == 200 and len(list(tmp_path.glob("*.spool"))) == 1
    assert post_signed(Client(), URL, sms_params("Tirs à Beni")).status_code == 200
    assert Alert.objects.count() == 2
    assert spool_import() == 1 and Alert.objects.count() == 3


def test_without_kept_connections_the_statements_run_unprepared(client, db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with CaptureQueriesContext(connection) as queries:
        assert post_signed(client, URL, sms_params("Tirs à Kamango")).status_code == 200
    sql = statements(queries)
    assert not [s for s in sql if s.startswith(("PREPARE", "EXECUTE"))]
    assert len([s for s in sql if "new_alert AS (INSERT" in s]) == 1
    assert Alert.objects.count() == 1


def test_the_statement_reads_whether_a_known_number_opted_out(client, focal_point):
    from alerts.models import OptOut
    from core.crypto import lookup_hash

    acknowledged = post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    assert "<Message>" in acknowledged.content.decode()
    OptOut.objects.create(phone_hash=lookup_hash(focal_point.phone))
    focal_point.refresh_from_db()
    assert focal_point.opted_out_at is None  # only the number's opt-out row says it
    with CaptureQueriesContext(connection) as queries:
        answer = post_signed(client, URL, sms_params("Coups de feu à Oicha", focal_point.phone))
    assert answer.status_code == 200 and "<Message" not in answer.content.decode()
    assert not [s for s in statements(queries) if "alerts_optout" in s]  # no query of its own
    assert Alert.objects.count() == 2
    assert Message.objects.filter(auto_reply="").count() == 1


def test_the_statement_links_a_new_alert_to_the_closed_alert_it_follows(client, focal_point):
    from alerts.services import sms_send

    post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    first = Alert.objects.get()
    sms_send(alert=first, body="Merci, nous suivons")
    Alert.objects.filter(pk=first.pk).update(status="closed")
    with CaptureQueriesContext(connection) as queries:
        answer = post_signed(client, URL, sms_params("Ils sont revenus", focal_point.phone))
    assert not [s for s in statements(queries) if s.startswith("INSERT")]  # the statement's
    second = Alert.objects.get(text="Ils sont revenus")
    assert second.thread_parent_id == first.pk
    assert second.reference in answer.content.decode()


def test_the_statement_opens_a_flooded_alert_when_the_floods_alerts_are_closed(client, focal_point):
    for i in range(30):
        post_signed(client, URL, sms_params(f"message {i}", focal_point.phone))
    Alert.objects.update(status="dismissed")
    with CaptureQueriesContext(connection) as queries:
        post_signed(client, URL, sms_params("flood 0", focal_point.phone))
    assert not [s for s in statements(queries) if s.startswith("INSERT")]
    flooded = Alert.objects.get(status="new")
    assert flooded.flooded and flooded.messages.get().flooded
    post_signed(client, URL, sms_params("flood 1", focal_point.phone))
    assert flooded.messages.count() == 2


def test_the_statement_reads_whether_the_sender_is_discreet(client, focal_point):
    from tests.factories import MembershipFactory, NetworkFactory

    standard = post_signed(client, URL, sms_params("Hommes armés à Mbau", focal_point.phone))
    assert "Kengele" in standard.content.decode()
    MembershipFactory(focal_point=focal_point, network=NetworkFactory(discreet=True))
    with CaptureQueriesContext(connection) as queries:
        answer = post_signed(client, URL, sms_params("Coups de feu à Oicha", focal_point.phone))
    assert "Kengele" not in answer.content.decode() and "<Message>" in answer.content.decode()
    assert not [s for s in statements(queries) if "networks_membership" in s]  # none of its own
