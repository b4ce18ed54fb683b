import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun
from django.db import close_old_connections

from .logs import celery_setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kengele")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["config"])  # config.tasks: housekeeping across apps

# Worker and beat log through Django's LOGGING (JSON in production), not Celery's own set-up.
setup_logging.connect(celery_setup_logging, weak=False)


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(**kwargs) -> None:
    """With CELERY_DB_REUSE_MAX the worker keeps its database connection between tasks: close
    one that errored or outlived DB_CONN_MAX_AGE, as Django does around each request."""
    close_old_connections()
