"""manage.py rotate_encryption_key: new key first, run, old key out, and everything still reads."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from alerts.models import Alert, Message, Recording
from core.crypto import UndecryptableValue
from core.key_rotation import encrypted_fields, field_label
from networks.models import AuditEntry, Equipment, FocalPoint
from networks.selectors import focal_point_by_phone
from networks.services import focal_point_create
from tests.config.test_settings import manage, production_env

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def old_key(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    settings.FIELD_HASH_KEY = ""  # as a deployment that never set it: hashes use the old key
    return settings


@pytest.fixture
def data(old_key):
    person = focal_point_create(
        name="Kavira Masika", phone="+243991234567", phone_alt="+243971234567"
    )
    Equipment.objects.create(
        focal_point=person,
        kind="sim",
        given_on="2025-01-01",
        serial="8924300000012",
        notes="Ancienne puce",
    )
    alert = Alert.objects.create(source="sms", text="Calme", sender="+243991234567")
    Message.objects.create(
        alert=alert,
        direction="inbound",
        status="received",
        body="Calme",
        peer="+243991234567",
        raw={"From": "+243991234567", "Body": "Calme"},
        media_urls=["https://api.twilio.com/media/ME1"],
    )
    Recording.objects.create(alert=alert, provider_url="https://x/RE1", audio=b"ID3voice")
    return person


def stored(model, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def rotate(settings, *args: str) -> None:
    """The documented procedure: keep the hash key, put the new key first, run the command."""
    settings.FIELD_HASH_KEY = OLD
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    call_command("rotate_encryption_key", *args)


def test_fields_are_discovered_across_apps():
    labels = {field_label(model, f) for model, f in encrypted_fields()}
    assert {
        "networks.FocalPoint.name",
        "networks.FocalPoint.phone",
        "networks.FocalPoint.phone_alt",
        "networks.Equipment.serial",
        "alerts.Alert.sender",
        "alerts.Message.peer",
        "alerts.Message.raw",
        "alerts.Message.media_urls",
        "alerts.Recording.audio",
        "networks.FocalPoint.notes",
        "networks.Equipment.notes",
        "lpc.LPCMember.name",
    } <= labels


def test_after_rotation_the_new_key_alone_reads_everything(data, settings, capsys):
    rotate(settings)
    settings.FIELD_ENCRYPTION_KEY = NEW  # the old key removed

    person = FocalPoint.objects.get(pk=data.pk)
    assert (person.name, person.phone, person.phone_alt) == (
        "Kavira Masika",
        "+243991234567",
        "+243971234567",
    )
    assert Equipment.objects.get().serial == "8924300000012"
    assert Equipment.objects.get().notes == "Ancienne puce"
    assert Alert.objects.get().sender == "+243991234567"
    message = Message.objects.get()
    assert message.peer == "+243991234567" and message.raw["Body"] == "Calme"
    assert message.media_urls == ["https://api.twilio.com/media/ME1"]
    assert Recording.objects.get().audio == b"ID3voice"
    # The webhook's lookup of a sender still finds them, by either number.
    assert focal_point_by_phone("+243991234567").pk == data.pk
    assert focal_point_by_phone("0971234567").pk == data.pk
    assert "networks.FocalPoint.phone: 1 re-encrypted" in capsys.readouterr().out


def test_with_only_the_old_key_the_rotated_values_no_longer_decrypt(data, settings):
    rotate(settings)
    settings.FIELD_ENCRYPTION_KEY = OLD
    with pytest.raises(UndecryptableValue):
        FocalPoint.objects.get(pk=data.pk)
    token = stored(FocalPoint, "phone", data.pk)
    assert Fernet(NEW.encode()).decrypt(token.encode()) == b"+243991234567"


def test_a_second_run_changes_nothing_and_each_run_is_audited(data, settings, capsys):
    rotate(settings)
    before = stored(FocalPoint, "name", data.pk)
    call_command("rotate_encryption_key")
    assert stored(FocalPoint, "name", data.pk) == before
    assert "0 values re-encrypted" in capsys.readouterr().out.splitlines()[-1]
    first, second = AuditEntry.objects.filter(action="key_rotated").order_by("id")
    assert first.details["total"] == 10 and second.details["total"] == 0
    assert "Kavira" not in str(first.details)


def test_small_batches_cover_every_row(old_key, settings):
    people = [focal_point_create(name=f"Person {i}", phone=f"+2439912300{i:02d}") for i in range(7)]
    rotate(settings, "--batch-size", "2")
    settings.FIELD_ENCRYPTION_KEY = NEW
    assert [p.name for p in FocalPoint.objects.order_by("pk")] == [p.name for p in people]


def test_a_dry_run_changes_nothing(data, settings, capsys):
    before = stored(FocalPoint, "phone", data.pk)
    rotate(settings, "--dry-run")
    assert stored(FocalPoint, "phone", data.pk) == before
    assert "Dry run: 10 values would be re-encrypted." in capsys.readouterr().out
    assert not AuditEntry.objects.filter(action="key_rotated").exists()


def test_it_refuses_to_run_when_lookups_would_break(data, settings):
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    settings.FIELD_HASH_KEY = ""  # the hash key would silently become the new key
    before = stored(FocalPoint, "phone", data.pk)
    with pytest.raises(CommandError, match="FIELD_HASH_KEY"):
        call_command("rotate_encryption_key")
    assert stored(FocalPoint, "phone", data.pk) == before


def test_it_stops_on_a_value_no_key_reads(data, settings):
    settings.FIELD_HASH_KEY = OLD
    settings.FIELD_ENCRYPTION_KEY = NEW  # the old key forgotten too early
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEY"):
        call_command("rotate_encryption_key")


def test_settings_refuse_several_keys_without_a_hash_key():
    env = production_env()
    env["FIELD_ENCRYPTION_KEY"] = f"{NEW},{OLD}"
    env.pop("FIELD_HASH_KEY", None)
    result = manage(env, "check")
    assert result.returncode != 0 and "FIELD_HASH_KEY" in result.stderr
    env["FIELD_HASH_KEY"] = OLD
    assert manage(env, "check").returncode == 0
