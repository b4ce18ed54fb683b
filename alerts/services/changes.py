"""Analysts' changes to an alert: status with its timestamps, priority, categories, place."""

from django.db import transaction
from django.utils import timezone

from ..models import Alert

CLOSING = {Alert.Status.CLOSED, Alert.Status.DISMISSED}
ACKNOWLEDGING = {
    Alert.Status.ACKNOWLEDGED,
    Alert.Status.VERIFIED,
    Alert.Status.UNVERIFIED,
    Alert.Status.FALSE_ALARM,
    Alert.Status.ESCALATED,
}


@transaction.atomic
def alert_update(*, alert: Alert, by, **changes) -> Alert:
    now = timezone.now()
    fields = set()
    for name, value in changes.items():
        if getattr(alert, name) != value:
            setattr(alert, name, value)
            fields.add(name)
    new_status = changes.get("status")
    if new_status in ACKNOWLEDGING or new_status in CLOSING:
        if alert.acknowledged_at is None:
            alert.acknowledged_at = now
            fields.add("acknowledged_at")
    if new_status in CLOSING and alert.closed_at is None:
        alert.closed_at = now
        fields.add("closed_at")
    elif new_status and new_status not in CLOSING and alert.closed_at is not None:
        alert.closed_at = None  # reopened
        fields.add("closed_at")
    if "location" in fields:
        alert.location_is_fallback = False
        fields.add("location_is_fallback")
    if fields:
        alert.save(update_fields=[*fields, "updated_at"])
    return alert
