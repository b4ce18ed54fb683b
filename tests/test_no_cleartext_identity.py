"""A stolen database names nobody: after a realistic run (SMS and calls through the signed
webhooks, replies the provider refuses, a broadcast, a committee meeting, a CLA's visit that
recruited someone, exports with searches, a network handover out and into a fresh instance),
no focal point's or committee member's name, nor any of their numbers in any common way of
writing it, is anywhere in the database in clear: every table, every column, JSON included."""

import re
import uuid

import pytest
from django.db import connection

from alerts.models import Alert, Message, Recording, SendAttempt
from alerts.services import (
    broadcast_create,
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcast_send,
    message_deliver,
    message_provider_copy_delete,
    provider_copies_queue,
    recording_keep,
    sms_send,
)
from cla.services import visit_alert_raise
from lpc.models import LPCMeeting, LPCMember
from lpc.services import meeting_alert_raise
from networks.models import AuditEntry, Equipment, FocalPoint
from tests.factories import UserFactory
from tests.networks.test_handover import (
    KAVIRA_ALT,
    PASSPHRASE,
    PASSPHRASE_ENV,
    RECRUIT_PHONE,
    build_world,
    export,
    import_,
    wipe,
)
from tests.twilio_support import post_signed, sms_params
from triage.services import alert_triage

pytestmark = pytest.mark.django_db

SMS, STATUS = "/webhooks/twilio/sms/", "/webhooks/twilio/status/"
VOICE, CATEGORY = "/webhooks/twilio/voice/", "/webhooks/twilio/voice/category/"
RECORDING, CALL_STATUS = "/webhooks/twilio/voice/recording/", "/webhooks/twilio/voice/status/"
UNKNOWN = "+243970000123"  # someone who is not a focal point
SEPARATORS = re.compile(r"[\s.\-()/]")


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)


# --- Reading the whole database -----------------------------------------------------------------
def _tables() -> list[str]:
    if connection.vendor == "sqlite":  # every table, full-text and other internal ones included
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return [row[0] for row in cursor.fetchall()]
    return connection.introspection.table_names(include_views=False)


def _text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return "" if value is None else str(value)


def database_rows() -> list[tuple[str, str]]:
    """Every row of every table as one text: (table, row)."""
    rows = []
    with connection.cursor() as cursor:
        for table in _tables():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":  # the row as PostgreSQL writes it out
                cursor.execute(f"SELECT CAST(t AS text) FROM {name} AS t")  # noqa: S608
                rows += [(table, row[0]) for row in cursor.fetchall()]
            else:
                cursor.execute(f"SELECT * FROM {name}")  # noqa: S608
                rows += [(table, " | ".join(map(_text, row))) for row in cursor.fetchall()]
    return rows


def identities() -> dict[str, list[str]]:
    """Every focal point's and committee member's name and numbers, read through the
    application (which decrypts them)."""
    names, numbers = [], []
    for person in FocalPoint.objects.all():
        names.append(person.name)
        numbers += [n for n in (person.phone, person.phone_alt) if n]
    names += [member.name for member in LPCMember.objects.all()]
    return {"names": names, "numbers": numbers}


def number_forms(e164: str) -> list[str]:
    """+243991234567 as people and systems write it: +243991234567, 243991234567, 0991234567,
    991234567 (the last is in all the others)."""
    national = e164.removeprefix("+243")
    return [e164, e164.lstrip("+"), "0" + national, national]


def readable(people: dict[str, list[str]]) -> list[str]:
    """What of `people` a raw read of the database shows, as "table: what"."""
    found = []
    for table, row in database_rows():
        squeezed = SEPARATORS.sub("", row)  # "+243 991 234 567", "0991-234-567"...
        lowered = row.lower()
        for name in people["names"]:
            parts = name.split()
            for form in {name, " ".join(reversed(parts))}:
                if form.lower() in lowered or form.encode("unicode_escape").decode() in row:
                    found.append(f"{table}: {name}")
        for number in people["numbers"]:
            national = number_forms(number)[-1]
            if national in row or national in squeezed:
                found.append(f"{table}: {number}")
    return sorted(set(found))


# --- The run --------------------------------------------------------------------------------------
def sms(client, sender: str, body: str, **extra) -> Message:
    params = dict(sms_params(body, sender=sender, sid="SM" + uuid.uuid4().hex), **extra)
    assert post_signed(client, SMS, params).status_code == 200
    return Message.objects.get(provider_sid=params["MessageSid"])


def call(client, caller: str, settings, *, record: bool) -> Alert:
    params = {
        "CallSid": "CA" + uuid.uuid4().hex,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": caller,
        "To": "+15005550006",
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    post_signed(client, VOICE, params)
    if record:
        post_signed(client, f"{CATEGORY}?lang=fr", dict(params, Digits="1"))
        url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}"
            f"/Recordings/RE{uuid.uuid4().hex}"
        )
        post_signed(
            client,
            f"{RECORDING}?lang=fr&category=attack",
            dict(params, CallStatus="in-progress", RecordingUrl=url, RecordingDuration="35"),
        )
    post_signed(client, CALL_STATUS, dict(params, CallStatus="completed"))
    return Alert.objects.get(call_sid=params["CallSid"])


def run_intake(client, world, settings, fake_twilio) -> None:
    kavira, silent = world["kavira"], world["silent"]
    sms(client, kavira.phone, "Des hommes armés sont entrés à Mbau, on entend des tirs")
    sms(client, RECRUIT_PHONE, "Des déplacés arrivent d'Oicha vers Mbau")
    link = f"https://api.twilio.com/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/MM1"
    sms(client, kavira.phone, "Photo du pont", NumMedia="1", MediaUrl0=f"{link}/Media/ME1")
    sms(client, UNKNOWN, "Bonjour, je veux signaler un enlèvement à Oicha")
    sms(client, silent.phone, "STOP")
    # A call with a voice message, and one hung up before recording (a missed call).
    voiced = call(client, kavira.phone, settings, record=True)
    call(client, silent.phone, settings, record=False)
    recording_keep(recording_id=Recording.objects.get(alert=voiced).pk)


def run_replies(client, world, analyst, fake_twilio) -> None:
    kavira = world["kavira"]
    alert = Alert.objects.filter(reporter=kavira, source="sms").earliest("received_at")
    # Twilio refuses the first reply, quoting the number in its error texts.
    fake_twilio.script = [
        (503, {"message": f"Service busy, could not reach {kavira.phone}"}),
        (400, {"code": 21211, "message": f"The 'To' number {kavira.phone} is not valid."}),
    ]
    refused = sms_send(alert=alert, body="Merci, nous vérifions.", sent_by=analyst)
    with pytest.raises(Exception):  # noqa: B017 (the worker retries it)
        message_deliver(message_id=refused.pk)
    message_deliver(message_id=refused.pk)
    refused.refresh_from_db()
    assert refused.status == "failed" and refused.error_code == "21211"
    # The next one goes through, is delivered, and Twilio's copy is deleted.
    delivered = sms_send(alert=alert, body="Restez à l'abri.", sent_by=analyst)
    message_deliver(message_id=delivered.pk)
    delivered.refresh_from_db()
    post_signed(
        client, STATUS, {"MessageSid": delivered.provider_sid, "MessageStatus": "delivered"}
    )
    assert message_provider_copy_delete(message_id=delivered.pk)


def run_broadcast(world, supervisor) -> None:
    broadcast = broadcast_create(
        title="Alerte Mbau",
        texts={"fr": "Mouvements armés signalés autour de Mbau. Restez prudents.", "sw": ""},
        network_ids=[world["network"].pk],
        location_ids=[],
        focal_point_ids=[],
        created_by=supervisor,
    )
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    for message in Message.objects.filter(kind="broadcast"):
        message_deliver(message_id=message.pk)


def run_committees_and_visits(world) -> None:
    meeting = LPCMeeting.objects.get()
    meeting_alert_raise(meeting=meeting, text="Hommes armés vus près de Mbau", by=world["cla"])
    visit_alert_raise(visit=world["visit"], text="Déplacés sans abri à Oicha", by=world["cla"])


def run_exports(client, world, admin) -> None:
    client.force_login(admin)
    kavira = world["kavira"]
    for typed in (kavira.name, kavira.phone, "0" + kavira.phone[4:]):
        assert client.get("/admin/networks/focalpoint/export/", {"q": typed}).status_code == 200
        response = client.get("/api/v1/alerts/export/", {"q": typed})
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert client.get(f"/admin/networks/focalpoint/{kavira.pk}/change/").status_code == 200
    client.logout()


def test_a_stolen_database_names_nobody_after_a_realistic_run(
    client, db, fake_twilio, settings, tmp_path, fast_password_hashing
):
    world = build_world()
    kavira = world["kavira"]
    # Free text about people, as staff write it: a second number, the same in other words.
    kavira.notes = f"Joindre aussi au {KAVIRA_ALT}; sa soeur répond au 0{kavira.phone[4:]}"
    kavira.save()
    Equipment.objects.filter(focal_point=kavira).update(notes=f"Recharge pour {kavira.phone}")
    people = identities()
    assert len(people["names"]) == 5 and len(people["numbers"]) == 4
    analyst = UserFactory(username="ana", role="analyst")
    supervisor = UserFactory(username="sup", role="supervisor")
    admin = UserFactory(username="root", role="admin", is_staff=True)

    run_intake(client, world, settings, fake_twilio)
    run_replies(client, world, analyst, fake_twilio)
    run_broadcast(world, supervisor)
    run_committees_and_visits(world)
    for alert in Alert.objects.filter(status="new"):
        alert_triage(alert=alert)
    run_exports(client, world, admin)
    provider_copies_queue()
    for message in Message.objects.filter(provider_deleted_at__isnull=True):
        message_provider_copy_delete(message_id=message.pk)
    export(tmp_path / "handover.zip")

    # The run did what it says: each kind of row that could hold someone exists.
    assert Message.objects.filter(direction="inbound").count() >= 5
    assert Message.objects.exclude(error_message="").exists()
    assert SendAttempt.objects.exclude(error_message="").count() >= 2
    assert Message.objects.exclude(media_urls=[]).exists()
    assert Recording.objects.get().audio == fake_twilio.recording
    assert Message.objects.filter(kind="broadcast").count() >= 2
    assert Alert.objects.filter(source__in=["lpc", "cla", "voice", "missed_call"]).count() == 4
    assert AuditEntry.objects.filter(action="export").count() >= 7
    assert len(fake_twilio.deleted) >= 6  # inbound, outbound and the recording

    assert readable(people) == []

    # The instance the networks are handed over to holds nobody in clear either.
    wipe()
    import_(tmp_path / "handover.zip")
    assert FocalPoint.objects.get(phone_hash=kavira.phone_hash).notes == kavira.notes
    assert readable(people) == []


def test_the_reading_finds_what_is_in_clear():
    """The check itself: a name or a number written in clear anywhere is found."""
    people = {"names": ["Kavira Masika"], "numbers": ["+243991234567"]}
    person = FocalPoint.objects.create(name="Kavira Masika", phone="+243991234567", phone_hash="h")
    assert readable(people) == []  # encrypted
    alert = Alert.objects.create(source="web", text="Appeler Kavira Masika au 0991 234 567")
    assert readable(people) == ["alerts_alert: +243991234567", "alerts_alert: Kavira Masika"]
    alert.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE networks_focalpoint SET notes = %s WHERE id = %s",
            ["Masika Kavira, 243991234567", person.pk],
        )
    assert readable(people) == [
        "networks_focalpoint: +243991234567",
        "networks_focalpoint: Kavira Masika",
    ]
