"""WSGI entry of the baseline: gunicorn bench.baseline.wsgi:application (from the repo root)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline.settings"
application = get_wsgi_application()
