"""A web process gets ready for its first webhook before it takes any: it reads the URL
configuration (every app's views), the urgent check's lexicon and the broker's transport
library, which the first SMS would otherwise wait for (about a second of work, in each
process, after every restart)."""

import logging
import time

from celery import current_app
from django.conf import settings
from django.urls import resolve

from .alerts import triage_queue_for

log = logging.getLogger(__name__)

# A text the urgent check reads as any other: only its lexicon is loaded by it.
SAMPLE = "Hommes armés vus près du marché"


def intake_warm_up() -> float:
    """Load what the first webhook needs; the seconds it took. Never raises: whatever fails
    here is done (or fails) again in the first request, as without it. Reads no database
    and no broker: a process starts while they are down."""
    started = time.monotonic()
    try:
        resolve(f"{settings.WEBHOOK_PATH_PREFIX}twilio/sms/")
        triage_queue_for(text=SAMPLE)
        # A broker connection object imports its transport; it connects only when used.
        current_app.connection_for_write().release()
    except Exception:
        log.exception("intake warm-up failed; the first webhook does it instead")
    return time.monotonic() - started
