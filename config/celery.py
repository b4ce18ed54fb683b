import os

from celery import Celery
from celery.signals import setup_logging

from .logs import celery_setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kengele")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["config"])  # config.tasks: housekeeping across apps

# Worker and beat log through Django's LOGGING (JSON in production), not Celery's own set-up.
setup_logging.connect(celery_setup_logging, weak=False)
