"""A deadline on the database for the webhooks: whatever PostgreSQL does (refuses, hangs while
connecting, freezes in the middle of a statement), a webhook stops waiting for it after
WEBHOOK_DB_TIMEOUT seconds in all, keeps the message in the spool and answers Twilio.

PostgreSQL's own limits (statement_timeout, lock_timeout: config/settings.py) are applied by the
server, so they cannot end a wait on a server that no longer runs; and libpq blocks in C with no
limit of its own on an established connection. psycopg2's public wait callback
(`psycopg2.extensions.set_wait_callback`) makes every wait on a socket go through Python, where
it can be bounded. It is installed once per process that serves webhooks, and outside a webhook
it only bounds connecting (DB_CONNECT_TIMEOUT, which libpq no longer enforces in that mode) and
gives up on a statement well after the server's statement_timeout should have ended it.

Once a webhook's deadline has passed, the database is taken for down in that process for
WEBHOOK_DB_PAUSE seconds: the webhooks meanwhile fail at once and spool, rather than each wait
the deadline (two gunicorn workers waiting 3 s each cannot keep up with 20 texts a second).
Then one webhook tries the database again.
"""

import contextlib
import random
import select
import time
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

try:
    import psycopg2
    from psycopg2 import extensions as pg
except ImportError:  # pragma: no cover - SQLite-only installs
    psycopg2 = pg = None


class _Budget:
    """The deadline of one webhook, and the connections that ran out of it."""

    __slots__ = ("until", "expired")

    def __init__(self, until: float):
        self.until = until
        self.expired: list = []


_budget: ContextVar[_Budget | None] = ContextVar("kengele_db_budget", default=None)
_paused_until = 0.0  # time.monotonic() before which webhooks do not wait on the database


class DatabaseDeadlineExceeded(psycopg2.extensions.QueryCanceledError if psycopg2 else Exception):
    """PostgreSQL gave no answer in time (an OperationalError, as Django reports it)."""


def _limit(conn) -> tuple[float | None, _Budget | None]:
    budget = _budget.get()
    if budget is not None:
        return budget.until, budget
    if conn.status == pg.STATUS_SETUP:  # connecting
        return time.monotonic() + settings.DB_CONNECT_TIMEOUT, None
    if settings.DB_STATEMENT_TIMEOUT > 0:
        # The server cancels the statement first; this is for a server that no longer can.
        return time.monotonic() + settings.DB_STATEMENT_TIMEOUT + settings.DB_CONNECT_TIMEOUT, None
    return None, None


def _wait(conn, *_args) -> None:
    """psycopg2's wait callback: poll the connection until it is done, or the deadline."""
    until, budget = _limit(conn)
    while True:
        state = conn.poll()
        if state == pg.POLL_OK:
            return
        timeout = None
        if until is not None:
            timeout = until - time.monotonic()
            if timeout <= 0:
                if budget is not None:
                    budget.expired.append(conn)
                raise DatabaseDeadlineExceeded("no answer from the database in time")
        poller = select.poll()
        if state == pg.POLL_READ:
            poller.register(conn.fileno(), select.POLLIN)
        elif state == pg.POLL_WRITE:
            poller.register(conn.fileno(), select.POLLOUT)
        else:
            raise psycopg2.OperationalError(f"unexpected poll state {state}")
        poller.poll(None if timeout is None else max(1, int(timeout * 1000)))


def install() -> None:
    """Route psycopg2's waits through `_wait` in this process (idempotent)."""
    if pg is not None and pg.get_wait_callback() is not _wait:
        pg.set_wait_callback(_wait)


@contextlib.contextmanager
def database_deadline(seconds: float) -> Iterator[None]:
    """Every database wait inside the block shares `seconds`; past them a statement or a
    connection attempt raises OperationalError, and the connection that was cut off is closed
    on leaving the block (it is in the middle of a request no one will read). While the pause
    after such a deadline lasts, the block gets no time at all."""
    global _paused_until
    now = time.monotonic()
    paused = now < _paused_until
    if paused:
        # A connection kept from before would be sent a statement first: drop it, so that the
        # first thing tried is a new connection, given up before anything is sent.
        for wrapper in connections.all(initialized_only=True):
            wrapper.close()
    budget = _Budget(now if paused else now + seconds)
    token = _budget.set(budget)
    try:
        yield
    finally:
        _budget.reset(token)
        if budget.expired:
            for wrapper in connections.all(initialized_only=True):
                if wrapper.connection is not None and wrapper.connection in budget.expired:
                    wrapper.close()
            if not paused:
                # Jitter, so that the processes of a server do not all try again at once.
                pause = settings.WEBHOOK_DB_PAUSE * random.uniform(1, 1.5)  # noqa: S311
                _paused_until = time.monotonic() + pause


def database_pause_end() -> None:
    """Try the database again at the next webhook (it is known to be back)."""
    global _paused_until
    _paused_until = 0.0
