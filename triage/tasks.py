"""Triage tasks: one line each, calling triage.services."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from .services import (
    alert_triage_by_id,
    alerts_escalate_overdue,
    thread_message_triage,
    triage_watchdog_check,
    worker_heartbeat_record,
)

log = logging.getLogger(__name__)


@shared_task
def triage_alert(alert_id: int) -> None:
    alert_triage_by_id(alert_id=alert_id)


@shared_task
def escalate_overdue() -> None:
    alerts_escalate_overdue()


@shared_task
def triage_message(message_id: int) -> None:
    thread_message_triage(message_id=message_id)


# The watchdog (triage.services.watchdog): the heartbeat runs on the triage queue, the check on
# the housekeeping one (beat's schedule in settings).
@shared_task(bind=True)
def worker_heartbeat(self) -> None:
    worker_heartbeat_record(hostname=self.request.hostname or "")


@shared_task
def watchdog_check() -> None:
    triage_watchdog_check()


@worker_ready.connect
def _heartbeat_at_start(sender=None, **kwargs) -> None:
    """A worker that just started says so through the triage queue at once, so /healthz turns
    green within seconds rather than at beat's next heartbeat."""
    try:
        worker_heartbeat.delay()
    except Exception:  # the broker is down: beat's heartbeat will do when it is back
        log.exception("could not queue the start-up heartbeat")
