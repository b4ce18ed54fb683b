"""Fixed values of the engagement app, kept in one place."""

# The largest head count one meeting or team records per group.
MAX_HEAD_COUNT = 100_000

# Free text typed on a form (a concern, a commitment, an answer, a recommendation).
TEXT_MAX_LENGTH = 4000

# A message back to a reporter or to an area: two SMS segments at most, short enough to read.
LOOP_MESSAGE_MAX_LENGTH = 306

# How many overdue commitments the supervisor's queue names before linking to the full list.
OVERDUE_SHOWN = 5
