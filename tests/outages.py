"""Make the broker really unreachable for a while (as when Redis is down)."""

import contextlib
import os

from django.db import connection

from alerts.services import queueing
from config.celery import app as celery_app

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _reset_broker_connections() -> None:
    # Forget the pools (without closing them: kombu shares them per broker URL).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    queueing.publish_reconnect()


@contextlib.contextmanager
def broker_down():
    with broker_at(DEAD_BROKER):
        yield


@contextlib.contextmanager
def broker_at(url: str, transport_options: dict | None = None):
    """This process publishes to the broker at `url` meanwhile (a drill's private Redis)."""
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved_url = celery_app.conf.broker_url
    # The app reads its settings under Django's CELERY_ names, which win over Celery's own.
    saved_options = celery_app.conf.CELERY_BROKER_TRANSPORT_OPTIONS
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    if transport_options is not None:
        celery_app.conf.CELERY_BROKER_TRANSPORT_OPTIONS = transport_options
    _reset_broker_connections()
    try:
        yield
    finally:
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        celery_app.conf.broker_url = saved_url
        celery_app.conf.CELERY_BROKER_TRANSPORT_OPTIONS = saved_options
        _reset_broker_connections()


@contextlib.contextmanager
def database_down():
    """Point the connection at a database that cannot be reached, as when the server is down."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/kengele/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
