"""Rows written before a column's content became masked or encrypted are masked and encrypted
by the migrations that change it, and the application reads them back as before."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from alerts.models import Alert, Message, Recording, SendAttempt
from networks.models import Equipment, FocalPoint

BEFORE = [("alerts", "0011_thread_triage_and_pleas"), ("networks", "0003_audit_trail")]
NUMBER = "+243991234567"
# Real-length ids: a short one could turn up by chance inside a ciphertext.
MEDIA_SID = "MM" + "5f3a9c" * 5 + "d2"
LINK = f"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/{MEDIA_SID}/Media/ME1"
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def column(table: str, name: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_earlier_rows_are_masked_encrypted_and_registered_by_the_migrations():
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    person = old.get_model("networks", "FocalPoint").objects.create(
        name="Kavira Masika", phone=NUMBER, phone_hash="h1", notes="Sa soeur: 0812345678"
    )
    sim = old.get_model("networks", "Equipment").objects.create(
        focal_point_id=person.pk, kind="sim", given_on=dt.date(2025, 1, 1), notes="0971112233"
    )
    alert = old.get_model("alerts", "Alert").objects.create(
        source="voice", recording_url=RECORDING, received_at=timezone.now()
    )
    message = old.get_model("alerts", "Message").objects.create(
        direction="outbound",
        status="failed",
        provider_sid="SM1",
        error_code="21211",
        error_message=f"The 'To' number {NUMBER} is not a valid phone number.",
        media_urls=[LINK],
    )
    plain = old.get_model("alerts", "Message").objects.create(
        direction="inbound", status="received", provider_sid="SM2"
    )
    attempt = old.get_model("alerts", "SendAttempt").objects.create(
        message_id=message.pk, error_message=f"Queue overflow for {NUMBER}"
    )

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    stored = " ".join(
        str(column(table, name, pk))
        for table, name, pk in (
            ("networks_focalpoint", "notes", person.pk),
            ("networks_equipment", "notes", sim.pk),
            ("alerts_message", "error_message", message.pk),
            ("alerts_message", "media_urls", message.pk),
            ("alerts_sendattempt", "error_message", attempt.pk),
        )
    )
    for secret in ("812345678", "971112233", "991234567", MEDIA_SID, "soeur"):
        assert secret not in stored
    assert column("alerts_message", "media_urls", plain.pk) == ""
    assert FocalPoint.objects.get(pk=person.pk).notes == "Sa soeur: 0812345678"
    assert Equipment.objects.get(pk=sim.pk).notes == "0971112233"
    message = Message.objects.get(pk=message.pk)
    assert message.media_urls == [LINK] and Message.objects.get(pk=plain.pk).media_urls == []
    assert (message.error_code, message.error_message) == (
        "21211",
        "The 'To' number +[number] is not a valid phone number.",
    )
    assert SendAttempt.objects.get(pk=attempt.pk).error_message == "Queue overflow for +[number]"
    recording = Recording.objects.get(alert=Alert.objects.get(pk=alert.pk))
    assert recording.provider_url == RECORDING and recording.fetched_at is None
