"""Everything that changes alerts and messages. Views, API, tasks and commands call these."""

from .alerts import (
    alert_create,
    alerts_requeue_stale,
    enqueue_triage,
    thread_text_enqueue,
    thread_texts_requeue_stale,
    triage_queue_depths,
    triage_queue_for,
    urgent_check_register,
)
from .broadcasts import (
    BroadcastRefused,
    broadcast_cancel,
    broadcast_create,
    broadcast_fan_out,
    broadcast_fill,
    broadcast_recipient_send,
    broadcast_reply_link,
    broadcast_send,
    broadcast_update,
    broadcasts_requeue_due,
)
from .changes import (
    AssignmentRefused,
    TransitionRefused,
    alert_message_read,
    alert_transition,
    alert_update,
    transitions_from,
)
from .events import alert_event_build, alert_event_record
from .followup import alert_callback_done, alert_escalate, alert_note_add
from .inbound import InboundResult, inbound_receive
from .outbound import (
    SendRefused,
    message_deliver,
    message_status_update,
    messages_requeue_pending,
    sms_send,
    status_callback_url,
)
from .retention import retention_purge as retention_purge
from .spool import spool_import, spool_write, spool_write_call
from .voice import (
    call_category_choose,
    call_finished,
    call_language_choose,
    call_recording_complete,
    call_start,
    voice_unavailable,
)

__all__ = [
    "AssignmentRefused",
    "BroadcastRefused",
    "broadcast_cancel",
    "broadcast_create",
    "broadcast_fan_out",
    "broadcast_fill",
    "broadcast_recipient_send",
    "broadcast_reply_link",
    "broadcast_send",
    "broadcast_update",
    "broadcasts_requeue_due",
    "InboundResult",
    "SendRefused",
    "TransitionRefused",
    "alert_callback_done",
    "alert_create",
    "alert_escalate",
    "alert_note_add",
    "alert_event_build",
    "alert_event_record",
    "alert_message_read",
    "alert_transition",
    "alert_update",
    "alerts_requeue_stale",
    "call_category_choose",
    "call_finished",
    "call_language_choose",
    "call_recording_complete",
    "call_start",
    "enqueue_triage",
    "inbound_receive",
    "message_deliver",
    "message_status_update",
    "messages_requeue_pending",
    "sms_send",
    "status_callback_url",
    "thread_text_enqueue",
    "thread_texts_requeue_stale",
    "triage_queue_depths",
    "triage_queue_for",
    "urgent_check_register",
    "transitions_from",
    "spool_import",
    "spool_write",
    "spool_write_call",
    "voice_unavailable",
]
