"""A webhook never waits on PostgreSQL longer than WEBHOOK_DB_TIMEOUT: a statement that hangs or
a server that accepts connections but never answers gets the message spooled and Twilio its 200
within the deadline, and nothing is stored twice once the database answers again."""

import contextlib
import socket
import time

import psycopg2
import pytest
from django.db import OperationalError, connection

from alerts.deadlines import database_pause_end
from alerts.models import Alert, Message
from alerts.services import spool_import
from tests.realworker import wait_for
from tests.twilio_support import post_signed, sms_params

from .test_webhook_voice import VOICE, call_params

URL = "/webhooks/twilio/sms/"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: the deadline bounds psycopg2's waits (run with DATABASE_URL)",
    ),
]


@pytest.fixture(autouse=True)
def _no_pause():
    database_pause_end()
    yield
    database_pause_end()


@contextlib.contextmanager
def table_locked(table: str):
    """Another session holds `table` locked, so any statement touching it waits."""
    db = connection.settings_dict
    holder = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


@contextlib.contextmanager
def database_silent():
    """The database's address accepts connections (the kernel does) and never answers, as a
    frozen server does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(listener.getsockname()[1]))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        listener.close()


def _timed_post(client, path, params):
    started = time.monotonic()
    response = post_signed(client, path, params)
    return response, time.monotonic() - started


def test_a_statement_that_hangs_is_spooled_within_the_deadline(client, settings, tmp_path):
    settings.SPOOL_DIR = tmp_path
    settings.WEBHOOK_DB_TIMEOUT = 1
    params = sms_params("Hommes armés à Mbau, on tire")
    with table_locked("alerts_alert"):
        response, seconds = _timed_post(client, URL, params)
    assert response.status_code == 200 and b"<Response" in response.content
    assert 1 <= seconds < 2.5  # the deadline, and the rest of the request on a busy machine
    assert len(list(tmp_path.glob("*.spool"))) == 1

    # The statement cut off may still have been stored once the lock went: never twice.
    assert spool_import() == 1
    assert wait_for(lambda: Message.objects.filter(provider_sid=params["MessageSid"]).exists())
    time.sleep(0.3)
    assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1
    assert Alert.objects.filter(text=params["Body"]).count() == 1


def test_after_a_deadline_webhooks_spool_at_once_then_try_the_database_again(
    client, settings, tmp_path
):
    settings.SPOOL_DIR = tmp_path
    settings.WEBHOOK_DB_TIMEOUT = 1
    settings.WEBHOOK_DB_PAUSE = 0.5
    with table_locked("alerts_alert"):
        post_signed(client, URL, sms_params("Tirs à Beni"))
    paused = sms_params("Tirs à Kamango")
    response, seconds = _timed_post(client, URL, paused)
    assert response.status_code == 200 and seconds < 0.5
    assert not Message.objects.filter(provider_sid=paused["MessageSid"]).exists()
    assert len(list(tmp_path.glob("*.spool"))) == 2

    time.sleep(0.8)  # the pause (0.5 s, plus up to half of it) is over
    params = sms_params("Tirs à Oicha")
    response, seconds = _timed_post(client, URL, params)
    assert response.status_code == 200 and seconds < 1
    assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1
    assert spool_import() == 2
    assert Message.objects.filter(provider_sid=paused["MessageSid"]).count() == 1


def test_a_database_that_never_answers_gets_the_sms_spooled_within_the_deadline(
    client, settings, tmp_path
):
    settings.SPOOL_DIR = tmp_path
    settings.WEBHOOK_DB_TIMEOUT = 1
    params = sms_params("Watu wenye silaha wameingia Kiwanja")
    with database_silent():
        response, seconds = _timed_post(client, URL, params)
    assert response.status_code == 200
    assert seconds < 2.5
    assert spool_import() == 1
    assert Message.objects.get().provider_sid == params["MessageSid"]


def test_a_call_met_by_a_database_that_never_answers_is_spooled_within_the_deadline(
    client, settings, tmp_path
):
    settings.SPOOL_DIR = tmp_path
    settings.WEBHOOK_DB_TIMEOUT = 1
    call = call_params()
    with database_silent():
        response, seconds = _timed_post(client, VOICE, call)
    assert response.status_code == 200 and b"<Response" in response.content
    assert seconds < 2.5
    assert spool_import() == 1
    assert Alert.objects.get().call_sid == call["CallSid"]


def test_outside_a_webhook_connecting_gives_up_after_the_connect_timeout(settings):
    settings.DB_CONNECT_TIMEOUT = 1
    with database_silent():
        started = time.monotonic()
        with pytest.raises(OperationalError):
            connection.ensure_connection()
        assert time.monotonic() - started < 2
