"""Cheap polling for the queue: the page keeps a version of what it shows and asks "anything
new since?"; the answer is an empty 204 while nothing changed within the reader's scope.

A version is `<newest changed_at in µs>-<triage stalled 0/1>.<drawn at, in s>`. The newest
change is one read of the alert_changed_at index (every write to an alert moves it, see the
alerts migration 0016); the triage banner's own read rides along (once per poll). What changes
with the clock alone (relative times, deadlines passing) is drawn again at least every
FULL_REFRESH_SECONDS.
A change outside the filters shown still redraws the table: cheap enough, and never stale.
"""

import time

from django.http import HttpRequest

from access.alerts import alerts_visible
from alerts.models import Alert
from alerts.selectors import URGENT, alerts_last_change

HEADER = "X-Queue-Version"  # sent by static/js/queue.js, answered with the new version
FULL_REFRESH_SECONDS = 60


def last_change(request: HttpRequest):
    """When an alert the reader may see last changed (one read of an index)."""
    return alerts_last_change(alerts_visible(Alert.objects.all(), request.user))


def scope_marker(last, banner: dict) -> str:
    """What the reader's queue depends on, in a few characters: the last change within their
    scope and whether the triage banner shows (page_watchdog.triage_banner_context)."""
    stamp = int(last.timestamp() * 1_000_000) if last else 0
    return f"{stamp}-{int(bool(banner['triage_stall']))}"


def version(marker: str) -> str:
    return f"{marker}.{int(time.time())}"


def unchanged(asked: str, marker: str) -> bool:
    """Does the page that sent version `asked` still show what `marker` describes?"""
    shown, _, drawn = asked.rpartition(".")
    if not shown or shown != marker or not drawn.isdigit():
        return False
    return 0 <= time.time() - int(drawn) < FULL_REFRESH_SECONDS


def urgent_count(request: HttpRequest) -> int:
    """Unacknowledged P1 alerts within the reader's areas, whatever the filters: the tab title."""
    return alerts_visible(Alert.objects.filter(URGENT), request.user).count()
