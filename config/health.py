"""GET /healthz: is the database reachable, is the broker reachable."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

log = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # any failure means "down"; the reason goes to the log
        log.exception("health: database unreachable")
        return False


def broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        return True
    except Exception:
        log.exception("health: broker unreachable")
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_ok(), "broker": broker_ok()}
    body = {name: "ok" if good else "down" for name, good in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
