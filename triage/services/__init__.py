"""Everything that changes triage state. Views, API, tasks and commands call these."""

from .pipeline import alert_triage, alert_triage_by_id, place_index, place_index_reset

__all__ = [
    "alert_triage",
    "alert_triage_by_id",
    "place_index",
    "place_index_reset",
]
