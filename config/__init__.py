"""The project's wiring: settings from the environment, URLs, the Celery app, health, metrics,
logs and backups. The top layer: it may import every app, and no app imports it."""

from .celery import app as celery_app

__all__ = ("celery_app",)
