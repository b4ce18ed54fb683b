"""An alert's history: one row per thing that happened to it, written once and never changed."""

from typing import Any

from ..models import Alert, AlertEvent


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
    if kind not in AlertEvent.Kind.values:
        raise ValueError(f"unknown alert event kind: {kind!r}")
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        before=before,
        after=after,
        note=note[:2000],
    )
