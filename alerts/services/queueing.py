"""Queue triage for a new alert through Celery's own publish, without ever holding the webhook's
answer for long: this runs on the webhook's hot path, after the alert is committed.

Each process (and thread) keeps one warm producer on a broker connection of its own, whose
socket and connection timeouts are TRIAGE_PUBLISH_TIMEOUT and which never retries: a broker
that hangs costs that much, once. After a failure the next publishes in the process fail at once
for TRIAGE_PUBLISH_PAUSE seconds (they would only wait for the same timeout), then one tries the
broker again on a new connection. A failed publish raises; the caller leaves the alert to the
sweeper (alerts_requeue_stale), which queues it again once the broker is back.

Under a surge, one publish per text is most of a webhook's cost. `publish_soon` hands an id to
a thread of the process (the dispatcher) that, TRIAGE_PUBLISH_WINDOW seconds after the first id
of a batch, sends every id gathered meanwhile as one task of a batch task (e.g. triage_alerts),
on the queue each id calls for. The webhook answers without waiting for the broker at all. An id
is committed before it is handed over, so a batch lost with its process (killed between the
commit and the publish) is found by the sweepers like any lost publish; a batch the broker
refused goes to its `on_failure`. A process that exits normally sends what it holds first.
With TRIAGE_PUBLISH_WINDOW = 0 each id is published at once, in the caller's thread.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app as app
from django.conf import settings
from django.db import connections

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


# --- Batches -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchKind:
    """A kind of id handed to the dispatcher: `task` takes a list of them; `queue_for(item)`
    gives an item's queue; `on_failure(ids)` is told of ids whose batch the broker refused
    (it must not raise, and runs in the dispatcher's thread)."""

    task: str
    queue_for: Callable[[object], str]
    on_failure: Callable[[list[int]], None]
    default_queue: str


class _Dispatcher:
    """One per process: ids waiting for their batch, and the thread that sends them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.pending: list[tuple[BatchKind, int, object]] = []
        self.pid = 0
        self.thread: threading.Thread | None = None

    def add(self, kind: BatchKind, item_id: int, item: object) -> None:
        with self.lock:
            if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self.run, name="kengele-publish", daemon=True)
                self.thread.start()
            self.pending.append((kind, item_id, item))
            if len(self.pending) == 1:
                self.wake.notify()

    def take(self) -> list[tuple[BatchKind, int, object]]:
        with self.lock:
            pending, self.pending = self.pending, []
        return pending

    def run(self) -> None:
        while True:
            with self.lock:
                while not self.pending:
                    self.wake.wait()
            try:
                time.sleep(settings.TRIAGE_PUBLISH_WINDOW)  # let the batch gather
                self.send(self.take())
                # A refused batch's on_failure may have opened this thread's own connection
                # to the database: never left open between batches.
                connections.close_all()
            except Exception:  # the thread goes on: the ids it lost are the sweepers' now
                log.exception("the triage dispatcher failed a round")

    def send(self, pending: list[tuple[BatchKind, int, object]]) -> None:
        batches: dict[tuple[BatchKind, str], list[int]] = {}
        for kind, item_id, item in pending:
            try:
                queue = kind.queue_for(item)
            except Exception:  # never lose an id to a faulty rule
                log.exception("no queue for %s %s; it goes in line", kind.task, item_id)
                queue = kind.default_queue
            batches.setdefault((kind, queue), []).append(item_id)
        size = max(1, settings.TRIAGE_PUBLISH_BATCH)
        for (kind, queue), ids in batches.items():
            for start in range(0, len(ids), size):
                chunk = ids[start : start + size]
                try:
                    task_publish(kind.task, (chunk,), queue=queue)
                except Exception:
                    log.exception("could not queue %s %s; the sweeper will retry", kind.task, chunk)
                    try:
                        kind.on_failure(chunk)
                    except Exception:
                        log.exception("could not record the failed publish of %s", chunk)

    def flush(self) -> None:
        """Send what waits now, in the caller's thread (at exit, in tests)."""
        if self.pid == os.getpid():
            self.send(self.take())


_dispatcher = _Dispatcher()


def _after_fork_in_child() -> None:
    """A forked process starts with no dispatcher thread and nothing of its parent's."""
    global _dispatcher
    _dispatcher = _Dispatcher()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(lambda: _dispatcher.flush())


def publish_soon(kind: BatchKind, item_id: int, item: object = None) -> None:
    """Have `item_id` (committed) sent in a batch of `kind` within TRIAGE_PUBLISH_WINDOW
    seconds; at once, alone in a batch and in this thread, when the window is 0. Never
    raises: a refused batch goes to kind.on_failure."""
    if settings.TRIAGE_PUBLISH_WINDOW <= 0:
        _dispatcher.send([(kind, item_id, item)])
        return
    _dispatcher.add(kind, item_id, item)


def publish_flush() -> None:
    """Send at once, in this thread, the ids waiting for their batch in this process."""
    _dispatcher.flush()
