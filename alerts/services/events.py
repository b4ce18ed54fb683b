"""An alert's history: one row per thing that happened to it, written once and never changed."""

from typing import Any

from ..models import Alert, AlertEvent

_KINDS = frozenset(AlertEvent.Kind.values)  # the enum lists them anew at every access


def alert_event_record(
    *,
    alert: Alert,
    kind: str,
    by=None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AlertEvent:
    """Record one entry of `alert`'s history. `before`/`after` are JSON values (ids, codes,
    lists), never personal data: the history is shown to every role that sees the alert."""
    event = alert_event_build(alert=alert, kind=kind, by=by, before=before, after=after, note=note)
    event.save(force_insert=True)
    return event


def alert_event_build(
    *,
    alert: Alert,
    kind: str,
    by=None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AlertEvent:
    """The history entry `alert_event_record` writes, not yet saved: for a caller that writes
    it together with its other changes (see core.writebatch)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown alert event kind: {kind!r}")
    return AlertEvent(
        alert=alert,
        kind=kind,
        by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        before=before,
        after=after,
        note=note[:2000],
    )
