"""Scheduled housekeeping that celery beat runs (config.settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from alerts.services import retention_purge


@shared_task
def purge_old_messages() -> None:
    retention_purge()
