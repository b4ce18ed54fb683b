"""On PostgreSQL a new SMS alert and its message are stored by one atomic statement, which
also reads the sender and their recent messages; the statement is prepared once per
connection. Every column it writes, and every value the caller gets back, is compared with
what the ORM's path (INTAKE_ONE_STATEMENT off) writes for the same text."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.channels.base import InboundSMS
from alerts.constants import FLOOD_LIMIT
from alerts.models import Alert, Message, OptOut
from alerts.services import inbound_receive, sms_send, spool_import
from alerts.services.intake_sql import sms_alert_insert
from core.crypto import EncryptedJSONField, EncryptedTextField, lookup_hash
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


# --- The statement writes what the ORM writes -------------------------------------------------

UNKNOWN = "+243970000555"


def _unknown_number(focal_point) -> tuple[str, str]:
    return UNKNOWN, "Hommes armés à Mbau"


def _focal_point(focal_point) -> tuple[str, str]:
    return focal_point.phone, "Hommes armés à Mbau"


def _focal_point_whose_number_opted_out(focal_point) -> tuple[str, str]:
    OptOut.objects.create(phone_hash=lookup_hash(focal_point.phone))
    return focal_point.phone, "Coups de feu à Oicha"


def _plea_from_a_focal_point(focal_point) -> tuple[str, str]:
    return focal_point.phone, "AIDE"  # a help word that may be a plea: an alert, with help


def _after_a_reply_to_an_alert_since_closed(focal_point) -> tuple[str, str]:
    first = Alert.objects.create(
        source="sms", text="Hommes armés", sender=focal_point.phone,
        sender_hash=lookup_hash(focal_point.phone), reporter=focal_point, sender_known=True,
    )  # fmt: skip
    sms_send(alert=first, body="Merci, nous suivons")
    Alert.objects.filter(pk=first.pk).update(status="closed")
    return focal_point.phone, "Ils sont revenus"


def _flooding_number_whose_alerts_were_dismissed(focal_point) -> tuple[str, str]:
    digest = lookup_hash(UNKNOWN)
    dismissed = Alert.objects.create(
        source="sms", text="flood", sender=UNKNOWN, sender_hash=digest, status="dismissed"
    )
    recently = timezone.now() - dt.timedelta(minutes=1)
    Message.objects.bulk_create(
        Message(
            alert=dismissed,
            direction="inbound",
            body=f"flood {i}",
            status="received",
            provider_sid=f"SMflood{i}",
            peer=UNKNOWN,
            peer_hash=digest,
            raw={},
            created_at=recently,
        )  # fmt: skip
        for i in range(FLOOD_LIMIT)
    )
    return UNKNOWN, "encore"


# Each situation with what both paths must have decided in it (alert, reply), so that the
# comparison covers every decision the statement makes.
SITUATIONS = {
    _unknown_number: lambda a, reply: a.reporter_id is None and reply == "",
    _focal_point: lambda a, reply: a.sender_known and "A-…" in reply,
    _focal_point_whose_number_opted_out: lambda a, reply: a.sender_known and reply == "",
    _plea_from_a_focal_point: lambda a, reply: "A-…" in reply and "\n" in reply,
    _after_a_reply_to_an_alert_since_closed: lambda a, reply: a.thread_parent_id is not None,
    _flooding_number_whose_alerts_were_dismissed: lambda a, reply: a.flooded and reply == "",
}


def _row(obj) -> dict:
    table = type(obj)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [obj.pk])  # noqa: S608
        return dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))


def _stored(settings, sms: InboundSMS, *, one_statement: bool) -> dict:
    """What inbound_receive stores and answers for `sms` by the path asked for, rolled back
    afterwards so that the other path meets the same database."""
    settings.INTAKE_ONE_STATEMENT = one_statement
    savepoint = transaction.savepoint()
    try:
        with CaptureQueriesContext(connection) as queries:
            result = inbound_receive(sms=sms)
        orm_insert = [s for s in statements(queries) if s.startswith('INSERT INTO "alerts_alert"')]
        assert bool(orm_insert) is not one_statement  # the path asked for is the one taken
        reference = result.alert.reference  # made from the id: A-… in what is compared
        stored = {"reply": result.reply.replace(reference, "A-…")}
        for name, obj in (("alert", result.alert), ("message", result.message)):
            model = type(obj)
            stored[name] = {
                "model": model,
                "row": _row(obj),
                "read": model.objects.get(pk=obj.pk),  # as the ORM reads it back
                "given": obj,  # as the caller got it
                "reference": reference,
            }
        return stored
    finally:
        transaction.savepoint_rollback(savepoint)


def _differences(ours: dict, theirs: dict) -> list[str]:
    """Every column and attribute where the statement's rows differ from the ORM's."""
    model = ours["model"]
    found = []

    def value(side: dict, view: str, name: str):
        held = side[view][name] if view == "row" else getattr(side[view], name)
        return held.replace(side["reference"], "A-…") if isinstance(held, str) else held

    for field in model._meta.concrete_fields:
        name, column = field.attname, field.column
        if field.primary_key:
            continue  # a new id each time
        if name == "alert_id":  # the alert stored with it, checked by the caller
            continue
        mine, other = value(ours, "row", column), value(theirs, "row", column)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            if mine is None or other is None or abs(mine - other) > dt.timedelta(minutes=1):
                found.append(f"{model.__name__}.{name}: {mine!r} / {other!r}")
            continue
        if isinstance(field, EncryptedTextField | EncryptedJSONField):
            if mine and mine == other:
                found.append(f"{model.__name__}.{name}: the same ciphertext twice")
        elif mine != other:
            found.append(f"{model.__name__}.{name} stored: {mine!r} / {other!r}")
        for view in ("read", "given"):
            mine, other = value(ours, view, name), value(theirs, view, name)
            if mine != other:
                found.append(f"{model.__name__}.{name} {view}: {mine!r} / {other!r}")
    return found


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__.strip("_"))
def test_the_statement_stores_every_column_as_the_orm_does(situation, focal_point, settings):
    sender, body = situation(focal_point)
    sms = InboundSMS(
        provider_sid="SMcompared", sender=sender, recipient="+15005550006", body=body,
        segments=2, media_urls=("https://api.twilio.com/media/1",),
        raw={"Body": body, "From": sender}, received_at=timezone.now() - dt.timedelta(seconds=5),
    )  # fmt: skip
    ours = _stored(settings, sms, one_statement=True)
    theirs = _stored(settings, sms, one_statement=False)
    assert SITUATIONS[situation](ours["alert"]["given"], ours["reply"])
    assert ours["reply"] == theirs["reply"]
    for name in ("alert", "message"):
        assert _differences(ours[name], theirs[name]) == []
    for stored in (ours, theirs):
        assert stored["message"]["row"]["alert_id"] == stored["alert"]["row"]["id"]
        assert stored["message"]["given"].alert == stored["alert"]["given"]


# --- How the statement is sent ------------------------------------------------------------------


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


def test_values_away_from_their_defaults_are_stored_and_given_back(db, focal_point):
    now = timezone.now()
    alert = Alert(source="sms", text="x", sender="+243970000001", sender_hash="h1", received_at=now)
    alert.language, alert.categories = "sw", ["attack"]
    alert.sla_due_at = now + dt.timedelta(hours=1)
    message = Message(
        direction="inbound", kind="alert", body="x", status="received", provider_sid="SMp1",
        peer="+243970000001", peer_hash="h1", raw={"Body": "x"}, segments=3, created_at=now,
    )  # fmt: skip
    intake = sms_alert_insert(alert=alert, message=message, sender_hash="h1", now=now)
    assert intake.alert.pk and intake.message.alert == intake.alert
    for stored in (intake.alert, Alert.objects.get(pk=intake.alert.pk)):
        assert (stored.language, stored.categories, stored.sla_due_at) == (
            "sw",
            ["attack"],
            now + dt.timedelta(hours=1),
        )
    assert Message.objects.get(pk=intake.message.pk).segments == intake.message.segments == 3
    intake.alert.save(update_fields=["priority"])  # a saved instance: an UPDATE, no new row
    assert Alert.objects.count() == 1


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
