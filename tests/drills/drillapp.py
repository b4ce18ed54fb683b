"""The project's Celery app with one more task for drills: a task that holds its message
unacknowledged for a moment, as a slow triage would, so that an outage finds messages in flight."""

import time

from config.celery import app

__all__ = ["app", "hold"]


@app.task(name="drills.hold")
def hold(seconds: float) -> None:
    time.sleep(seconds)
