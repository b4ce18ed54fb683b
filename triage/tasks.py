"""Triage tasks: one line each, calling triage.services."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import close_old_connections, connection

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


class BatchIncomplete(RuntimeError):
    """Some ids of a batch failed (each is logged); the others were done."""


def _each(ids: list[int], do, what: str) -> None:
    """`do(id)` for every id of a batch sent by intake's dispatcher, one failure never keeping
    the next ids from triage; raises at the end if any failed (the sweepers retry those)."""
    failed = []
    for item_id in ids:
        try:
            do(item_id)
        except Exception:
            log.exception("triage of %s %s failed; the sweeper will retry it", what, item_id)
            failed.append(item_id)
            if not connection.in_atomic_block:
                close_old_connections()  # a connection the failure broke is not the next id's
    if failed:
        raise BatchIncomplete(f"triage failed for {what} {failed}")


@shared_task
def triage_alerts(alert_ids: list[int]) -> None:
    _each(alert_ids, lambda pk: alert_triage_by_id(alert_id=pk), "alert")


@shared_task
def triage_messages(message_ids: list[int]) -> None:
    _each(message_ids, lambda pk: thread_message_triage(message_id=pk), "message")


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
