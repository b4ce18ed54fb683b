"""Everything that changes polls. Views, the API, the admin and intake's hook call these."""

from .answers import answer_take, interview_record, reports_violence
from .building import (
    PollRefused,
    conversation_open_for,
    group_of,
    open_flag_reset,
    poll_close,
    poll_create,
    poll_delete,
    poll_send,
    poll_update,
    polls_open,
    question_add,
    question_check,
    question_delete,
    question_render,
    territory_of,
)

__all__ = [
    "PollRefused",
    "answer_take",
    "conversation_open_for",
    "group_of",
    "interview_record",
    "open_flag_reset",
    "poll_close",
    "poll_create",
    "poll_delete",
    "poll_send",
    "poll_update",
    "polls_open",
    "question_add",
    "question_check",
    "question_delete",
    "question_render",
    "reports_violence",
    "territory_of",
]
