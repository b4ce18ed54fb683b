"""Celery tasks for intake and outbound SMS: one line each, idempotent."""

from celery import shared_task

from .channels.base import TransientSendError
from .services import (
    alerts_requeue_stale,
    message_deliver,
    messages_requeue_pending,
    spool_import,
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
    messages_requeue_pending()


@shared_task
def import_spool() -> None:
    spool_import()
