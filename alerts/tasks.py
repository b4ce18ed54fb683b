"""Celery tasks for intake and outbound SMS: one line each, idempotent."""

from celery import shared_task

from .channels.base import TransientSendError
from .services import (
    alerts_requeue_stale,
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcasts_requeue_due,
    message_deliver,
    messages_requeue_pending,
    spool_import,
    thread_texts_requeue_stale,
)

SEND_MAX_RETRIES = 8


@shared_task(
    bind=True,
    autoretry_for=(TransientSendError,),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=SEND_MAX_RETRIES,
)
def send_sms(self, message_id: int) -> None:
    message_deliver(message_id=message_id, final_attempt=self.request.retries >= SEND_MAX_RETRIES)


@shared_task
def requeue_stale() -> None:
    alerts_requeue_stale()
    thread_texts_requeue_stale()
    messages_requeue_pending()


@shared_task
def import_spool() -> None:
    spool_import()


# Broadcasts: routed to the broadcast queue (alerts.tasks.broadcast_* in CELERY_TASK_ROUTES).
@shared_task
def broadcast_start(broadcast_id: int) -> None:
    broadcast_fan_out(broadcast_id=broadcast_id)


@shared_task
def broadcast_deliver(recipient_id: int) -> None:
    broadcast_recipient_send(recipient_id=recipient_id)


@shared_task
def broadcast_requeue_due() -> None:
    broadcasts_requeue_due()
