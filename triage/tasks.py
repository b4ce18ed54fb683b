"""Triage tasks: one line each, calling triage.services."""

from celery import shared_task

from .services import alert_triage_by_id, alerts_escalate_overdue, thread_message_triage


@shared_task
def triage_alert(alert_id: int) -> None:
    alert_triage_by_id(alert_id=alert_id)


@shared_task
def escalate_overdue() -> None:
    alerts_escalate_overdue()


@shared_task
def triage_message(message_id: int) -> None:
    thread_message_triage(message_id=message_id)
