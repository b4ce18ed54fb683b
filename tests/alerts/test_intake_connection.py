"""On PostgreSQL a new SMS alert is stored through intake's own connection to the database
("intake"), kept without Django's health check: no SELECT 1 round trip before each webhook's
statement, a kept connection that broke since the last webhook is replaced within the webhook
(nothing spooled, nothing stored twice), a database that is down still has the SMS spooled, and
the pages' connection keeps its check."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alerts.channels.base import InboundSMS
from alerts.deadlines import database_pause_end
from alerts.models import Alert, BroadcastReply, Message, ReplyText
from alerts.services import (
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcast_send,
    inbound_receive,
    spool_import,
)
from alerts.services.texts import clear_cache as texts_clear_cache
from tests.alerts.broadcast_support import draft, make_roster
from tests.factories import UserFactory
from tests.twilio_support import post_signed, sms_params

from .test_database_deadline import table_locked

URL = "/webhooks/twilio/sms/"
REPO_ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = connection.vendor == "postgresql"

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="PostgreSQL only: SQLite has one connection (run with DATABASE_URL)"
)


def settings_read(**variables: str) -> str:
    """What config.settings makes of the environment with `variables`, in a fresh process
    (settings are read once, at import)."""
    env = dict(os.environ)
    env.pop("INTAKE_DATABASE", None)  # the suite's own choice; production's default here
    env.update(variables)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.INTAKE_DATABASE, sorted(s.DATABASES), "
        "{a: d.get('CONN_HEALTH_CHECKS') for a, d in s.DATABASES.items()})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() + result.stderr.strip()[-300:]


def test_on_postgresql_intake_has_a_connection_of_its_own_without_the_health_check():
    answer = settings_read(DATABASE_URL="postgres://postgres@127.0.0.1:5432/kengele")
    assert answer == ("intake ['default', 'intake'] {'default': True, 'intake': False}"), answer


def test_on_sqlite_intake_uses_the_one_connection():
    answer = settings_read(DATABASE_URL="sqlite:////tmp/kengele-settings-check.sqlite3")
    assert answer.startswith("default ['default'] "), answer


def test_an_intake_connection_that_does_not_exist_is_refused_at_start():
    answer = settings_read(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/kengele", INTAKE_DATABASE="replica"
    )
    assert "ImproperlyConfigured" in answer and "INTAKE_DATABASE='replica'" in answer, answer


@postgresql_only
def test_intake_reaches_the_same_database_as_the_pages():
    default, intake = django_settings.DATABASES["default"], django_settings.DATABASES["intake"]
    for key in ("ENGINE", "NAME", "USER", "HOST", "PORT", "OPTIONS", "CONN_MAX_AGE"):
        assert intake[key] == default[key], key
    assert intake["TEST"]["MIRROR"] == "default"
    assert default["CONN_HEALTH_CHECKS"] is True and intake["CONN_HEALTH_CHECKS"] is False


# --- A real intake connection (its writes are committed: transactional tests) ---------------


@pytest.fixture
def intake(settings, tmp_path):
    settings.INTAKE_DATABASE = "intake"
    settings.SPOOL_DIR = tmp_path / "spool"
    database_pause_end()
    yield connections["intake"]
    connections["intake"].close()
    database_pause_end()


@pytest.fixture
def health_checks(monkeypatch) -> list[str]:
    """The aliases whose connection Django checked (SELECT 1) before a statement."""
    checked: list[str] = []
    real = BaseDatabaseWrapper.close_if_health_check_failed

    def recorded(self):
        if self.connection is not None and self.health_check_enabled:
            if not self.health_check_done:
                checked.append(self.alias)
        return real(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "close_if_health_check_failed", recorded)
    return checked


def backend_pid(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def spooled(settings) -> list[Path]:
    return sorted(Path(settings.SPOOL_DIR).glob("*.spool"))


def terminated(pid: int) -> None:
    """The server ends that session, as a restart ends every session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"session {pid} still there")


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_a_new_alert_goes_through_intakes_connection_with_no_health_check(intake, health_checks):
    client = Client()
    # The first text also fills the process's caches (keywords, open polls): the pages'
    # connection reads them once a minute, not once a text.
    assert post_signed(client, URL, sms_params("Hommes armés à Mbau")).status_code == 200
    with (
        CaptureQueriesContext(intake) as on_intake,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        for body in ("Tirs à Kamango", "Maisons brûlées à Oicha"):
            close_old_connections()  # what a server does as a request starts (the test
            # client leaves it out)
            assert post_signed(client, URL, sms_params(body)).status_code == 200
    assert [q["sql"].split()[0] for q in on_intake.captured_queries] == ["EXECUTE", "EXECUTE"]
    assert not on_default.captured_queries
    # Kept from one webhook to the next, never checked with a SELECT 1 before its statement.
    assert intake.connection is not None
    assert "intake" not in health_checks
    assert Alert.objects.count() == 3 and Message.objects.count() == 3


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_a_known_senders_reply_to_a_broadcast_goes_through_intakes_connection_alone(intake):
    roster = make_roster()
    supervisor = UserFactory(username="sup", role="supervisor")
    broadcast = draft(supervisor, places=[roster.mbau])
    broadcast_send(broadcast=broadcast, by=supervisor)
    broadcast_fan_out(broadcast_id=broadcast.pk)
    for recipient in broadcast.recipients.all():
        broadcast_recipient_send(recipient_id=recipient.pk)
    amani = roster.people["amani"]
    ReplyText.objects.update_or_create(
        key="ack", language="sw", defaults={"text": "Tahadhari {reference} imepokelewa."}
    )
    texts_clear_cache()  # read afresh, as a process does a minute after an edit
    client = Client()
    # Another focal point's text fills the process's caches (keywords, open polls, texts).
    warm = post_signed(client, URL, sms_params("Bonjour", sender=roster.people["dieu"].phone))
    assert warm.status_code == 200
    close_old_connections()
    with CaptureQueriesContext(connections["default"]) as on_default:
        answer = post_signed(client, URL, sms_params("Ici à Mbau tout est calme", amani.phone))
    assert answer.status_code == 200
    alert = Alert.objects.get(reporter=amani)
    assert alert.reference in answer.content.decode()  # acknowledged, and the answer kept
    assert Message.objects.get(alert=alert).auto_reply in answer.content.decode()
    assert BroadcastReply.objects.get(alert=alert).broadcast == broadcast
    assert not on_default.captured_queries


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_the_pages_connection_keeps_its_health_check(intake, health_checks):
    Alert.objects.exists()  # the pages' connection, kept from one request to the next
    close_old_connections()  # what a server does as a request starts
    Alert.objects.exists()
    assert health_checks == ["default"]


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_a_kept_intake_connection_that_broke_is_replaced_within_the_webhook(intake, settings):
    client = Client()
    first = sms_params("Hommes armés à Mbau")
    assert post_signed(client, URL, first).status_code == 200
    before = backend_pid(intake)
    terminated(before)  # the database restarted between two texts

    second = sms_params("Tirs à Kamango, les gens fuient")
    answer = post_signed(client, URL, second)
    assert answer.status_code == 200 and b"<Response" in answer.content
    assert not spooled(settings)  # stored at once, on a new connection
    assert backend_pid(intake) != before
    for params in (first, second):
        assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1
    assert Alert.objects.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_with_the_database_down_the_sms_is_spooled_after_one_more_try(intake, settings):
    client = Client()
    assert post_signed(client, URL, sms_params("Hommes armés à Mbau")).status_code == 200
    pid = backend_pid(intake)
    saved = dict(intake.settings_dict)
    closed = _closed_port()
    intake.settings_dict.update(HOST="127.0.0.1", PORT=str(closed))
    try:
        terminated(pid)  # the server went away: the kept session ended, no new one possible
        params = sms_params("Tirs à Kamango")
        started = time.monotonic()
        answer = post_signed(client, URL, params)
        seconds = time.monotonic() - started
    finally:
        intake.close()
        intake.settings_dict.clear()
        intake.settings_dict.update(saved)
    assert answer.status_code == 200 and b"<Response" in answer.content
    assert seconds < settings.WEBHOOK_DB_TIMEOUT
    assert len(spooled(settings)) == 1
    assert not Message.objects.filter(provider_sid=params["MessageSid"]).exists()
    assert spool_import() == 1
    assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_a_deadline_spent_on_intakes_connection_is_not_tried_again(intake, settings):
    settings.WEBHOOK_DB_TIMEOUT = 1
    client = Client()
    assert post_signed(client, URL, sms_params("Hommes armés à Mbau")).status_code == 200
    params = sms_params("Tirs à Kamango")
    with table_locked("alerts_alert"):
        started = time.monotonic()
        answer = post_signed(client, URL, params)
        seconds = time.monotonic() - started
    assert answer.status_code == 200
    assert 1 <= seconds < 2  # one deadline, not a second try after it
    assert len(spooled(settings)) == 1
    spool_import()
    assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True, databases=["default", "intake"])
def test_inside_a_callers_transaction_the_text_is_stored_on_that_transactions_connection(
    intake,
):
    sms = InboundSMS(
        provider_sid="SM" + "5" * 32,
        sender="+243970000123",
        recipient="+15005550006",
        body="Hommes armés à Mbau",
        raw={},
    )
    with transaction.atomic():
        result = inbound_receive(sms=sms)
        assert Alert.objects.filter(pk=result.alert.pk).exists()  # in this transaction
        with connections["intake"].cursor() as cursor:  # not yet seen from outside it
            cursor.execute("SELECT count(*) FROM alerts_alert")
            assert cursor.fetchone()[0] == 0
    assert Alert.objects.filter(pk=result.alert.pk).exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
