"""Cheap polling for the queue: the page keeps a version of what it shows and asks "anything
new since?"; the answer is an empty 204 while nothing changed within the reader's scope.

A version is `<newest changed_at in µs>-<triage stalled 0/1>.<drawn at, in s>`. The newest
change is one read of the alert_changed_at index (every write to an alert moves it, see the
alerts migration 0016); the triage banner's own read rides along (once per poll). What changes
with the clock alone (relative times, deadlines passing) is drawn again at least every
FULL_REFRESH_SECONDS.
A change outside the filters shown still answers (only the counts and row order, see below).

When the page was drawn less than FULL_REFRESH_SECONDS ago and at most MAX_CHANGED alerts in
the reader's scope changed since its version, the answer carries only what moved (`delta`):
the order of every row (their ids, a few hundred bytes), the rows of the changed alerts, of the
alerts sharing an incident with them (their badges count sources) and of the rows at the edges
of each block (a removal or an insertion shifts one in from the next page), the block headings,
the counts and the triage banner. static/js/queue.js puts the page together from these and the
rows it holds, or asks for the whole body when one is missing. The unchanged rows keep the
time they were drawn at, so the version keeps it too: they are drawn again within
FULL_REFRESH_SECONDS like before.
"""

import datetime as dt
import re
import time

from django.http import HttpRequest
from django.template.loader import render_to_string

from access.alerts import alerts_visible
from alerts.models import Alert
from alerts.selectors import URGENT, alerts_last_change

HEADER = "X-Queue-Version"  # sent by static/js/queue.js, answered with the new version
DELTA_HEADER = "X-Queue-Delta"  # present on an answer holding only the changed rows
FULL_REFRESH_SECONDS = 60
MAX_CHANGED = 20  # more changed alerts than this: the whole body again
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ROW_ID = re.compile(r'<tr\b[^>]*?\bid="([^"]+)"')
ALERT_ROW = re.compile(r"^(?:queue-u|queue-m|alert-row)-(\d+)$")


def last_change(request: HttpRequest):
    """When an alert the reader may see last changed (one read of an index)."""
    return alerts_last_change(alerts_visible(Alert.objects.all(), request.user))


def scope_marker(last, banner: dict) -> str:
    """What the reader's queue depends on, in a few characters: the last change within their
    scope and whether the triage banner shows (page_watchdog.triage_banner_context)."""
    stamp = (last - EPOCH) // dt.timedelta(microseconds=1) if last else 0
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


def _recent(asked: str) -> tuple[dt.datetime, int] | None:
    """The last change a version saw and when its page was drawn, if drawn recently enough
    for only the changed rows to be sent; None otherwise."""
    shown, _, drawn = asked.rpartition(".")
    stamp, _, _banner = shown.partition("-")
    if not stamp.isdigit() or not drawn.isdigit() or len(stamp) > 18:
        return None
    if not 0 <= time.time() - int(drawn) < FULL_REFRESH_SECONDS:
        return None
    return EPOCH + dt.timedelta(microseconds=int(stamp)), int(drawn)


def _split_rows(html: str) -> list[tuple[str, str]] | None:
    """The table body's rows as (id, html), in order; None if a row has no id."""
    rows = []
    for chunk in re.split(r"(?=<tr\b)", html):
        if not chunk.strip():
            continue
        found = ROW_ID.match(chunk)
        if not found:
            return None
        rows.append((found.group(1), chunk.strip()))
    return rows


def _edges(state: dict, caps: dict, changed: set[int]) -> set[str]:
    """Rows a removal may bring in from outside what the page showed: as many as the changed
    alerts a block no longer holds, the last of a block filled to its cap (they come up from
    the next page) and the first of the queue past its first page (from the previous one)."""
    blocks = {"urgent": "queue-u-", "new_messages": "queue-m-", "rows": "alert-row-"}
    edges = set()
    for name, prefix in blocks.items():
        shift = len(changed - {a.pk for a in state[name]})
        if not shift:
            continue
        keys = [f"{prefix}{a.pk}" for a in state[name]]
        if len(keys) >= caps[name]:
            edges.update(keys[-shift:])
        if name == "rows" and state["page"] > 1:
            edges.update(keys[:shift])
    return edges


def delta(
    request: HttpRequest, asked: str, marker: str, state: dict, caps: dict
) -> tuple[str, str] | None:
    """Only the rows that changed since version `asked` and the version they bring the page
    to; None when the whole body must go (version unknown or old, too many changes). `caps`:
    how many rows each block of `state` holds at most (urgent, new_messages, rows)."""
    recent = _recent(asked)
    if recent is None:
        return None
    since, drawn = recent
    changed = list(
        alerts_visible(Alert.objects.filter(changed_at__gt=since), request.user)
        .order_by()
        .values_list("pk", "incident_id")[: MAX_CHANGED + 1]
    )
    if len(changed) > MAX_CHANGED:
        return None
    rows = _split_rows(render_to_string("dashboard/_rows.html", state, request=request))
    if rows is None:
        return None
    pks = {pk for pk, _incident in changed}
    incidents = {incident for _pk, incident in changed if incident is not None}
    shown = [*state["urgent"], *state["new_messages"], *state["rows"]]
    pks |= {a.pk for a in shown if a.incident_id in incidents}
    ids = [key for key, _html in rows]
    edges = _edges(state, caps, {pk for pk, _incident in changed})
    sent = []
    for key, html in rows:
        alert = ALERT_ROW.match(key)
        if alert is None or int(alert.group(1)) in pks or key in edges:
            sent.append(html)
    body = render_to_string(
        "dashboard/_queue_delta.html",
        {**state, "layout": " ".join(ids), "sent": "\n".join(sent)},
        request=request,
    )
    return body, f"{marker}.{drawn}"
