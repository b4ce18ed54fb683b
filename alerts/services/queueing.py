"""Queue triage for a new alert through Celery's own publish, without ever holding the webhook's
answer for long: this runs on the webhook's hot path, after the alert is committed.

Each process (and thread) keeps one warm producer on a broker connection of its own, whose
socket and connection timeouts are TRIAGE_PUBLISH_TIMEOUT and which never retries: a broker
that hangs costs that much, once. After a failure the next publishes in the process fail at once
for TRIAGE_PUBLISH_PAUSE seconds (they would only wait for the same timeout), then one tries the
broker again on a new connection. A failed publish raises; the caller leaves the alert to the
sweeper (alerts_requeue_stale), which queues it again once the broker is back.
"""

import logging
import os
import threading
import time

from celery import current_app as app
from django.conf import settings

log = logging.getLogger(__name__)

# Triage's task, by name: intake never imports triage.
TASK_NAME = "triage.tasks.triage_alert"


class PublishPaused(ConnectionError):
    """A publish failed moments ago on this broker: this one is not even tried."""


class _Held(threading.local):
    """This thread's producer, for one process and one broker URL."""

    key: tuple[int, str] | None = None
    connection = None
    producer = None


_held = _Held()
_paused_until: dict[str, float] = {}  # broker URL -> time.monotonic() of the next try


def _broker_url() -> str:
    return app.conf.broker_write_url or app.conf.broker_url or ""


def _producer(url: str):
    key = (os.getpid(), url)
    if _held.key != key:
        _drop()  # a forked process or another broker: start afresh
        timeout = settings.TRIAGE_PUBLISH_TIMEOUT
        connection = app.connection_for_write(
            url,
            connect_timeout=timeout,
            transport_options={
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
                "max_retries": 0,  # a broker that does not answer is not asked again here
            },
        )
        _held.producer = app.amqp.Producer(connection, auto_declare=False)
        _held.connection, _held.key = connection, key
    return _held.producer


def _drop() -> None:
    """Forget this thread's producer; its sockets are closed without talking to the broker
    (which may be the thing that hangs). A connection inherited from the parent process is
    left alone: the parent still owns it."""
    connection, key = _held.connection, _held.key
    _held.key = _held.connection = _held.producer = None
    if connection is not None and key is not None and key[0] == os.getpid():
        connection.collect()


def task_publish(name: str, args: tuple, *, queue: str) -> None:
    """Send task `name` to `queue` within TRIAGE_PUBLISH_TIMEOUT; raises when the broker
    cannot take it, at once while the pause after a failure lasts."""
    url = _broker_url()
    if time.monotonic() < _paused_until.get(url, 0.0):
        raise PublishPaused(f"the broker failed moments ago; {name}{args} not sent")
    try:
        app.send_task(
            name, args=args, queue=queue, producer=_producer(url), retry=False, ignore_result=True
        )
    except Exception:
        _drop()
        _paused_until[url] = time.monotonic() + settings.TRIAGE_PUBLISH_PAUSE
        raise
    _paused_until.pop(url, None)


def triage_publish(alert_id: int, *, queue: str) -> None:
    """Send the triage task for `alert_id` to `queue`; raises when the broker cannot take it."""
    task_publish(TASK_NAME, (alert_id,), queue=queue)


def publish_reconnect() -> None:
    """Drop this thread's producer: the next publish connects afresh with the current broker
    settings (after they changed, as in tests and drills)."""
    _drop()


def triage_publish_resume() -> None:
    """Lift the pause after a failure at once (the broker is known to be back)."""
    _paused_until.clear()
