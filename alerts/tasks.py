"""Celery tasks for intake and outbound SMS: one line each, idempotent."""

from celery import shared_task

from .channels.base import TransientProviderError, TransientSendError
from .services import (
    alerts_requeue_stale,
    broadcast_fan_out,
    broadcast_recipient_send,
    broadcasts_requeue_due,
    message_deliver,
    message_provider_copy_delete,
    messages_requeue_pending,
    provider_copies_queue,
    recording_keep,
    spool_import,
    thread_texts_requeue_stale,
)

SEND_MAX_RETRIES = 8
# Deleting the provider's copies: about an hour of retries (PROVIDER_COPY_RETRY_AFTER), after
# which the sweep queues it again.
PROVIDER_COPY_MAX_RETRIES = 8


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


# The provider's copies: routed to the default queue (alerts.tasks.provider_* in
# CELERY_TASK_ROUTES).
@shared_task(
    autoretry_for=(TransientProviderError,),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=PROVIDER_COPY_MAX_RETRIES,
)
def provider_message_delete(message_id: int) -> None:
    message_provider_copy_delete(message_id=message_id)


@shared_task(
    autoretry_for=(TransientProviderError,),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=PROVIDER_COPY_MAX_RETRIES,
)
def provider_recording_keep(recording_id: int) -> None:
    recording_keep(recording_id=recording_id)


@shared_task
def provider_copies_sweep() -> None:
    provider_copies_queue()
