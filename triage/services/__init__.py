"""Everything that changes triage state. Views, API, tasks and commands call these."""

from .assignment import (
    ClaimRefused,
    alert_claim,
    alert_release,
    analyst_duty_set,
    analyst_take,
    assignment_event,
)
from .confidential import ConfidentialRoute, Original, confidential_route_register
from .deadlines import alert_deadline_reset, alerts_escalate_overdue, deadline_for
from .history import incident_event_record
from .incidents import (
    IncidentRefused,
    alert_group,
    incident_choose,
    incident_count_in,
    incident_merge,
    incident_recount,
    incident_split,
)
from .informants import alert_informant_threat, informant_threat_notice
from .pipeline import (
    alert_triage,
    alert_triage_by_id,
    current_lexicon,
    lexicon_reset,
    place_index,
    place_index_reset,
)
from .resolution import incident_reopen, incident_resolve
from .threads import thread_message_triage
from .watchdog import (
    Backlog,
    stale_backlog,
    triage_backlog,
    triage_watchdog_check,
    triage_watchdog_poke,
    triage_watchdog_poke_reset,
    worker_alive,
    worker_heartbeat_record,
    worker_last_seen,
)

__all__ = [
    "ClaimRefused",
    "ConfidentialRoute",
    "Original",
    "confidential_route_register",
    "IncidentRefused",
    "alert_claim",
    "alert_deadline_reset",
    "alert_group",
    "alert_informant_threat",
    "informant_threat_notice",
    "alert_release",
    "alert_triage",
    "alert_triage_by_id",
    "current_lexicon",
    "lexicon_reset",
    "alerts_escalate_overdue",
    "analyst_duty_set",
    "analyst_take",
    "assignment_event",
    "deadline_for",
    "incident_choose",
    "incident_count_in",
    "incident_event_record",
    "incident_merge",
    "incident_recount",
    "incident_reopen",
    "incident_resolve",
    "incident_split",
    "place_index",
    "place_index_reset",
    "thread_message_triage",
    "Backlog",
    "stale_backlog",
    "triage_backlog",
    "triage_watchdog_check",
    "triage_watchdog_poke",
    "triage_watchdog_poke_reset",
    "worker_alive",
    "worker_heartbeat_record",
    "worker_last_seen",
]
