import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Each process (each gunicorn worker) is ready for its first SMS before it takes a request.
from alerts.services.warm import intake_warm_up  # noqa: E402  (after Django is set up)

intake_warm_up()
