"""Intake limits in one place."""

import datetime as dt

FLOOD_WINDOW = dt.timedelta(minutes=5)
FLOOD_LIMIT = 30  # more messages than this in the window from one number are flagged
THREAD_WINDOW = dt.timedelta(hours=24)  # an analyst reply keeps the conversation open this long
REQUEUE_AFTER = dt.timedelta(seconds=60)  # an alert still "new" this long is queued again
MISSED_CALL_JOIN_WINDOW = dt.timedelta(minutes=10)
RECORDING_GRACE = dt.timedelta(minutes=4)  # a call may still be recording; don't triage it yet
KEYWORD_CACHE_SECONDS = 60
