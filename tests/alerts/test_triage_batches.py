"""Intake's dispatcher: a web process hands each new alert's triage to a thread of its own, which
publishes the alerts received within TRIAGE_PUBLISH_WINDOW as one task per queue; the worker
triages each id of a batch on its own; nothing is lost when the broker refuses or the process
exits."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alerts.constants import PUBLISH_FAILED_AT
from alerts.models import Alert
from alerts.services import alerts as alert_services
from tests.factories import AlertFactory
from tests.outages import broker_down
from tests.realworker import wait_for
from tests.twilio_support import post_signed, sms_params
from triage import tasks as triage_tasks

from .broker_support import REDIS_URL, needs_redis, queued

URGENT = "Ils tirent sur la population, trois morts à Mbau"
ROOT = Path(__file__).resolve().parents[2]


def _batches(queue: str) -> list[list[int]]:
    """The id lists of the batch tasks waiting on `queue`, in order."""
    batches = []
    for message in queued(queue):
        assert message.headers["task"] in (
            alert_services.ALERTS_TASK,
            alert_services.THREAD_TEXTS_TASK,
        )
        args, kwargs, _embed = message.decode()
        assert kwargs == {}
        batches.append(args[0])
    return batches


@needs_redis
def test_alerts_within_the_window_go_as_one_task_per_queue(redis_broker, settings):
    settings.TRIAGE_PUBLISH_WINDOW = 0.3
    alert_services.enqueue_triage_soon(1, text="Bonjour, merci pour la réunion")
    alert_services.enqueue_triage_soon(2, text=URGENT)
    alert_services.enqueue_triage_soon(3, text="Vaches volées hier soir")
    alert_services.enqueue_triage_soon(4, flooded=True, text=URGENT)
    # Nothing is sent before the window closes: the caller never waited for the broker.
    assert redis_broker.llen("triage") == 0

    assert wait_for(lambda: redis_broker.llen("triage") == 1, 5)
    time.sleep(0.1)
    assert _batches("triage") == [[1, 3]]
    # A text naming a threat to life still goes ahead of the line, a flooding sender's behind.
    assert _batches("triage_urgent") == [[2]]
    assert _batches("default") == [[4]]


@needs_redis
def test_a_batch_holds_at_most_triage_publish_batch_ids(redis_broker, settings):
    settings.TRIAGE_PUBLISH_WINDOW = 0.3
    settings.TRIAGE_PUBLISH_BATCH = 3
    for alert_id in range(1, 8):
        alert_services.enqueue_triage_soon(alert_id, text="Vaches volées")

    assert wait_for(lambda: redis_broker.llen("triage") == 3, 5)
    assert _batches("triage") == [[1, 2, 3], [4, 5, 6], [7]]


@needs_redis
def test_with_no_window_each_alert_is_published_at_once(redis_broker, settings):
    settings.TRIAGE_PUBLISH_WINDOW = 0
    alert_services.enqueue_triage_soon(5, text="Vaches volées")
    assert _batches("triage") == [[5]]


@needs_redis
def test_signed_webhooks_reach_triage_in_one_batch(
    client,
    redis_broker,
    settings,
    transactional_db,
):
    settings.TRIAGE_PUBLISH_WINDOW = 0.5
    for n in range(3):
        params = sms_params(f"Hommes armés vus à Kamango {n}", sender=f"+24399000000{n}")
        response = post_signed(client, "/webhooks/twilio/sms/", params)
        assert response.status_code == 200
    stored = sorted(Alert.objects.values_list("pk", flat=True))
    assert len(stored) == 3

    assert wait_for(lambda: redis_broker.llen("triage") + redis_broker.llen("triage_urgent") > 0, 5)
    time.sleep(0.1)
    batches = _batches("triage") + _batches("triage_urgent")
    assert sorted(pk for batch in batches for pk in batch) == stored


def test_a_batch_the_broker_refuses_leaves_its_alerts_to_the_sweeper(settings, db):
    settings.TRIAGE_PUBLISH_WINDOW = 0  # in this thread, inside the test's transaction
    settings.TRIAGE_PUBLISH_PAUSE = 60
    first, second = AlertFactory(), AlertFactory()
    with broker_down():
        alert_services.enqueue_triage_soon(first.pk, text=first.text)
        alert_services.enqueue_triage_soon(second.pk, text=second.text)  # paused: not even tried
    for alert in (first, second):
        alert.refresh_from_db()
        assert alert.queued_at == PUBLISH_FAILED_AT


def test_the_dispatchers_thread_records_a_refused_batch_too(settings, transactional_db):
    settings.TRIAGE_PUBLISH_WINDOW = 0.2
    settings.TRIAGE_PUBLISH_PAUSE = 60
    alerts = [AlertFactory(), AlertFactory()]
    with broker_down():
        for alert in alerts:
            alert_services.enqueue_triage_soon(alert.pk, text=alert.text)
        assert wait_for(lambda: Alert.objects.filter(queued_at=PUBLISH_FAILED_AT).count() == 2, 10)


@needs_redis
def test_a_process_that_exits_sends_what_it_still_holds(redis_broker):
    """A web process stopped between two windows (a deploy, a worker recycled by gunicorn)
    publishes its last alerts on the way out."""
    env = dict(os.environ, CELERY_BROKER_URL=REDIS_URL, TRIAGE_PUBLISH_WINDOW="30")
    code = (
        "import django; django.setup();"
        "from alerts.services.alerts import enqueue_triage_soon;"
        "enqueue_triage_soon(41, text='Vaches volées'); enqueue_triage_soon(42, text='Bonjour')"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)
    assert time.monotonic() - started < 25  # it did not wait for the window
    assert _batches("triage") == [[41, 42]]


def test_each_alert_of_a_batch_is_triaged_and_a_failure_keeps_none_from_the_others(db, monkeypatch):
    alerts = [AlertFactory(text="Hommes armés à Mbau, ils pillent"), AlertFactory(), AlertFactory()]
    real = triage_tasks.alert_triage_by_id

    def faulty(*, alert_id):
        if alert_id == alerts[1].pk:
            raise RuntimeError("a bad row")
        return real(alert_id=alert_id)

    monkeypatch.setattr(triage_tasks, "alert_triage_by_id", faulty)
    with pytest.raises(triage_tasks.BatchIncomplete, match=str(alerts[1].pk)):
        triage_tasks.triage_alerts([a.pk for a in alerts])
    triaged = {a.pk: a.triaged_at for a in Alert.objects.filter(pk__in=[a.pk for a in alerts])}
    assert triaged[alerts[0].pk] is not None
    assert triaged[alerts[1].pk] is None  # left for the sweeper
    assert triaged[alerts[2].pk] is not None


def test_a_batch_of_thread_texts_triages_each_one(db, monkeypatch):
    seen = []
    monkeypatch.setattr(
        triage_tasks, "thread_message_triage", lambda *, message_id: seen.append(message_id)
    )
    triage_tasks.triage_messages([3, 4])
    assert seen == [3, 4]


def test_the_worker_knows_the_batch_tasks_by_the_names_intake_sends():
    from config.celery import app

    assert alert_services.ALERTS_TASK in app.tasks
    assert alert_services.THREAD_TEXTS_TASK in app.tasks
