"""GET /healthz: is the database reachable, is the broker reachable, is triage running.

200 when all is well, else 503 with the failing checks as "down". Triage is down when no worker
ran the heartbeat within TRIAGE_WORKER_SILENCE_SECONDS, or the oldest untriaged alert is older
than TRIAGE_STUCK_SECONDS (no alerts waiting is fine). A handful of indexed queries and a broker
connection bounded by a timeout; it also gives the triage watchdog a chance to run (at most once
per 30 s per process), since with no worker nothing else would.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from triage.services import triage_backlog, triage_watchdog_poke, worker_alive

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


def triage_state() -> dict:
    """The worker's heartbeat and the age of the oldest untriaged alert."""
    now = timezone.now()
    try:
        alive = worker_alive(now=now)
        oldest = triage_backlog(now=now).oldest_seconds
    except Exception:
        log.exception("health: triage state unreadable")
        return {"worker": "down", "oldest_untriaged_seconds": None, "ok": False}
    stuck = oldest is not None and oldest > settings.TRIAGE_STUCK_SECONDS
    if not alive:
        log.warning("health: no worker ran the triage heartbeat recently")
    if stuck:
        log.warning("health: the oldest untriaged alert has waited %s s", oldest)
    return {
        "worker": "ok" if alive else "down",
        "oldest_untriaged_seconds": oldest,
        "ok": alive and not stuck,
    }


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_ok(), "broker": broker_ok()}
    body = {name: "ok" if good else "down" for name, good in checks.items()}
    if checks["database"]:
        triage_watchdog_poke()
        state = triage_state()
        checks["triage"] = state.pop("ok")
        body.update(state)
    else:
        checks["triage"] = False
        body.update(worker="unknown", oldest_untriaged_seconds=None)
    body["triage"] = "ok" if checks["triage"] else "down"
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
