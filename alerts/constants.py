"""Intake limits in one place."""

import datetime as dt

FLOOD_WINDOW = dt.timedelta(minutes=5)
FLOOD_LIMIT = 30  # more messages than this in the window from one number are flagged
THREAD_WINDOW = dt.timedelta(hours=24)  # an analyst reply keeps the conversation open this long
# A pending SMS never handed to the broker this long is queued again (alerts: the setting
# TRIAGE_STALE_SECONDS).
REQUEUE_AFTER = dt.timedelta(seconds=60)
# A pending SMS untouched this long lost its worker mid-attempt (longer than any retry wait).
ABANDONED_AFTER = dt.timedelta(minutes=15)
MISSED_CALL_JOIN_WINDOW = dt.timedelta(minutes=10)
RECORDING_GRACE = dt.timedelta(minutes=4)  # a call may still be recording; don't triage it yet
KEYWORD_CACHE_SECONDS = 60

# --- Voice calls ---
MISSED_CALL_PRIORITY = 2  # a missed call carries no words: priority 2 until someone calls back
VOICE_LANGUAGE_DIGITS = {"1": "fr", "2": "sw", "3": "ln", "4": "en"}  # the unknown caller's menu
VOICE_CATEGORY_DIGITS = {"1": "attack", "2": "armed_presence", "3": "displacement", "4": "other"}
VOICE_SAY_LANGUAGES = {"fr": "fr-FR", "en": "en-US"}  # Twilio speaks these; others are played
VOICE_DEFAULT_LANGUAGE = "fr"
VOICE_GATHER_TIMEOUT = 6  # seconds of silence before the menu goes on to the recording
VOICE_MAX_RECORDING = 120  # seconds
VOICE_RECORDING_SILENCE = 10  # seconds of silence that end a recording
# The largest counts a webhook may carry, the bounds of the columns that keep them (a small and
# a 32-bit integer): anything larger is not a real SMS or recording.
MAX_SEGMENTS = 2**15 - 1
MAX_RECORDING_SECONDS = 2**31 - 1
# Twilio's final call statuses; anything else (ringing, in-progress) is not the end of a call.
CALL_FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})

# --- Queues a triage task goes to (declared in settings.CELERY_TASK_QUEUES) ---
TRIAGE_QUEUE = "triage"
# Served before TRIAGE_QUEUE: texts the registered urgent check says name a threat to life.
TRIAGE_URGENT_QUEUE = "triage_urgent"
# A flooding sender's texts wait with housekeeping, behind nobody else's alert.
FLOODED_QUEUE = "default"
TRIAGE_TASK_QUEUES = (TRIAGE_URGENT_QUEUE, TRIAGE_QUEUE, FLOODED_QUEUE)
# An alert whose triage could not be handed to the broker is queued again by the first sweep
# this long after it came in (the sweeper runs every 15 s), rather than after
# TRIAGE_STALE_SECONDS: nothing else will bring it to triage.
PUBLISH_RETRY_AFTER = dt.timedelta(seconds=10)
# Alert.queued_at of an alert whose triage publish failed: a time before any alert, so that the
# sweeper takes it first.
PUBLISH_FAILED_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# --- The provider's copies (alerts.services.provider_copies) ---
# Their tasks' queue (also in CELERY_TASK_ROUTES): housekeeping, never ahead of a reply.
PROVIDER_COPY_QUEUE = "default"
PROVIDER_COPY_BATCH = 200  # the most messages, and the most recordings, one sweep queues
# A deletion queued this long ago and still not done (task lost, provider refused) is queued
# again: longer than a task's retries take.
PROVIDER_COPY_RETRY_AFTER = dt.timedelta(hours=1)
# An outbound SMS with no final delivery status after this long never gets one (carriers that
# report nothing past "sent"): its provider copy is deleted all the same.
OUTBOUND_SETTLED_AFTER = dt.timedelta(days=1)
