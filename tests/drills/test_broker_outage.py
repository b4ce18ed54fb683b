"""Drill: the broker goes away again and again while tasks are in flight; the worker must stay
up, reconnect on its own and triage what comes after (Celery 5.7.0's worker exited here)."""

import threading
import time

import pytest

from alerts.models import Alert
from config.celery import app as celery_app
from tests.realworker import Worker, wait_for

from .servers import RedisServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server"),
]

OUTAGES = 8
UP_SECONDS, DOWN_SECONDS = 4, 3
HOLD_SECONDS = 0.05  # each drill task keeps its message unacknowledged this long
PUBLISH_EVERY = 0.03  # below what two processes drain, so no backlog builds up


def _publish_until(stop: threading.Event, url: str) -> None:
    while not stop.is_set():
        try:
            with celery_app.connection_for_write(url) as conn:
                while not stop.is_set():
                    celery_app.send_task(
                        "drills.hold",
                        args=[HOLD_SECONDS],
                        queue="triage",
                        connection=conn,
                        retry=False,
                    )
                    time.sleep(PUBLISH_EVERY)
        except Exception:  # the broker is down: try again shortly, as intake's publisher would
            time.sleep(0.1)


def test_the_worker_survives_repeated_broker_outages_and_triages_after(transactional_db, tmp_path):
    redis = RedisServer(tmp_path / "redis").start()
    worker = Worker(
        concurrency=2,
        app="tests.drills.drillapp",
        env={"CELERY_BROKER_URL": redis.url},
        log=tmp_path / "worker.log",
    ).start()
    stop = threading.Event()
    publisher = threading.Thread(target=_publish_until, args=(stop, redis.url), daemon=True)
    publisher.start()
    try:
        for outage in range(OUTAGES):
            time.sleep(UP_SECONDS)
            redis.stop()
            time.sleep(DOWN_SECONDS)
            redis.start()
            time.sleep(1)
            assert worker.process.poll() is None, (
                f"the worker exited after outage {outage + 1}; see {worker.log_path}"
            )
        stop.set()
        publisher.join(10)

        alerts = [Alert.objects.create(source="web", text=f"Coups de feu {i}") for i in range(10)]
        with celery_app.connection_for_write(redis.url) as conn:
            for alert in alerts:
                celery_app.send_task(
                    "triage.tasks.triage_alert", args=[alert.pk], queue="triage", connection=conn
                )
        done = wait_for(
            lambda: not Alert.objects.filter(triaged_at__isnull=True).exists(), timeout=60
        )
        assert done, f"alerts left untriaged after the outages; see {worker.log_path}"
    finally:
        stop.set()
        worker.stop()
        redis.stop()
