"""A new SMS alert and its message, stored by one SQL statement on PostgreSQL, with the reads
that decide whether the text is a new alert at all.

Under a surge every inbound SMS is an alert plus a message row. Through the ORM that is a read
of the sender and their recent messages, then a transaction of four round trips to the
database (BEGIN, two INSERTs, COMMIT). Here it is one statement, still atomic (PostgreSQL runs
a statement in its own transaction, so both rows exist or neither does):

    WITH sender AS (the focal point owning the number, as focal_point_by_hash finds it),
         recent AS (their messages of the thread window, as _recent_activity reads them),
         activity AS (how many texts they sent in the flood window, whether one of them made
                      an alert, whether an analyst's reply to an open alert holds a thread),
         decision AS (one row when the text is a new alert: no thread, and not a flooding
                      number that already has an alert to add it to),
         new_alert AS (INSERT … SELECT … FROM decision RETURNING id)
    INSERT INTO message … SELECT … FROM new_alert …

and it answers with the sender's row, the flood count and the new rows' ids; no ids when the
text belongs to a thread or to a flooding number's alert, which the transactional path then
stores (inbound._activity_from is the same decision in Python, for that path and for SQLite).

The columns are the models' concrete fields, and each value goes through its field's
`pre_save` and `get_db_prep_save` exactly as the ORM's INSERT does (defaults, auto timestamps,
encryption, JSON), but for two shortcuts with the same result: None is sent as NULL without
asking the field, and the sender's number, encrypted once, fills both rows' column for it. The
sender's focal point and the flood flag are the statement's own (the columns in EXPRESSIONS).
The statement's text is built once per process, and prepared once per database connection
(config.prepared): PostgreSQL then parses and plans it once instead of at every SMS.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections

from config.prepared import forget_on_lost_statement, prepared
from config.writebatch import insert_values
from networks import selectors as network_selectors

from ..constants import FLOOD_LIMIT, FLOOD_WINDOW, THREAD_WINDOW
from ..models import Alert, Message

# Columns the statement fills from what it read rather than from a parameter, by field name.
EXPRESSIONS = {
    Alert: {
        "reporter": "d.reporter_id",
        "sender_known": "d.reporter_id IS NOT NULL",
        "flooded": "d.flooded",
    },
    Message: {"focal_point": "d.reporter_id", "flooded": "d.flooded"},
}

# A number's messages of the thread window, newest first, with their alerts' status: what
# both intake paths decide threads and flooding from (inbound._recent_activity runs it alone).
RECENT_SQL = (
    "SELECT m.direction, m.kind, m.created_at, m.alert_id, a.status "
    "FROM {message_table} m LEFT JOIN {alert_table} a ON a.id = m.alert_id "
    "WHERE m.peer_hash = %s AND m.created_at >= %s ORDER BY m.created_at DESC LIMIT 200"
)

_TEMPLATE = (
    "WITH sender AS (SELECT {sender_columns} FROM {focal_point_table} {by_hash}), "
    "recent AS ({recent}), "
    "activity AS ("
    "SELECT count(*) FILTER (WHERE direction = {inbound} AND created_at >= %s) AS flood_count, "
    "coalesce(bool_or(direction = {inbound} AND created_at >= %s AND alert_id IS NOT NULL), "
    "false) AS flood_alert, "
    "coalesce(bool_or(direction = {outbound} AND kind = {reply} AND status IN ({open})), "
    "false) AS thread "
    "FROM recent), "
    "decision AS ("
    "SELECT (SELECT id FROM sender) AS reporter_id, flood_count >= {limit} AS flooded "
    "FROM activity WHERE NOT thread AND NOT (flood_count >= {limit} AND flood_alert)), "
    "new_alert AS ("
    "INSERT INTO {alert_table} ({alert_columns}) SELECT {alert_values} FROM decision d "
    "RETURNING id), "
    "new_message AS ("
    "INSERT INTO {message_table} ({alert_id}, {message_columns}) "
    "SELECT new_alert.id, {message_values} FROM new_alert, decision d RETURNING id, alert_id) "
    "SELECT {sender_row}, activity.flood_count, new_message.id, new_message.alert_id "
    "FROM activity LEFT JOIN sender ON true LEFT JOIN new_message ON true"
)


def _literal(value) -> str:
    """A constant of the code (a choice's value or a limit) as an SQL literal."""
    if isinstance(value, int):
        return str(value)
    if not str(value).replace("_", "").isalnum():
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


@lru_cache(maxsize=1)
def _statement() -> tuple[str, tuple, tuple]:
    """The statement's text, and the alert's and message's fields that are parameters, in the
    order of the statement's (after the five of the reads)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def fields_of(model, skip=()):
        return tuple(
            f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip
        )

    def values(fields, model) -> str:
        return ", ".join(EXPRESSIONS[model].get(f.name, "%s") for f in fields)

    alert_fields = fields_of(Alert)
    message_fields = fields_of(Message, skip=("alert",))
    sender_columns = network_selectors.INTAKE_COLUMNS
    # Table and column names from the models, quoted; every value that comes with the SMS
    # is a parameter.
    sql = _TEMPLATE.format(
        recent=RECENT_SQL.format(
            message_table=quote(Message._meta.db_table), alert_table=quote(Alert._meta.db_table)
        ),
        sender_columns=", ".join(sender_columns),
        focal_point_table=quote(network_selectors.focal_point_table()),
        by_hash=network_selectors.BY_HASH_CONDITION,
        sender_row=", ".join(f"sender.{column}" for column in sender_columns),
        inbound=_literal(Message.Direction.INBOUND),
        outbound=_literal(Message.Direction.OUTBOUND),
        reply=_literal(Message.Kind.REPLY),
        open=", ".join(_literal(status) for status in Alert.OPEN_STATUSES),
        limit=_literal(FLOOD_LIMIT),
        alert_table=quote(Alert._meta.db_table),
        alert_columns=", ".join(quote(f.column) for f in alert_fields),
        alert_values=values(alert_fields, Alert),
        message_table=quote(Message._meta.db_table),
        alert_id=quote(Message._meta.get_field("alert").column),
        message_columns=", ".join(quote(f.column) for f in message_fields),
        message_values=values(message_fields, Message),
    )
    alert_params = tuple(f for f in alert_fields if f.name not in EXPRESSIONS[Alert])
    message_params = tuple(f for f in message_fields if f.name not in EXPRESSIONS[Message])
    return sql, alert_params, message_params


@lru_cache(maxsize=1)
def _sender_position() -> int:
    return [f.name for f in _statement()[1]].index("sender")


@dataclass
class Intake:
    """What the statement found: the sender's focal point (None for an unknown number), how
    many texts the number sent in the flood window before this one, and whether it stored the
    text as a new alert."""

    focal_point: object
    flood_count: int
    stored: bool


def sms_alert_insert(
    *, alert: Alert, message: Message, sender_hash: str, now: dt.datetime
) -> Intake:
    """Store `alert` and `message` (made with no reporter, focal point nor flood flag: the
    statement sets them) when the text is a new alert; sets their primary keys, reporter,
    focal point and flood flag then. Raises IntegrityError (a MessageSid seen before) with
    nothing stored, as the ORM would."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, alert_fields, message_fields = _statement()
    alert_values = insert_values(alert, alert_fields, db)
    shared = {}
    if message.peer == alert.sender:
        # One encryption of the number serves both rows: their lookup hashes already tie
        # them together, so the same token tells nothing more.
        shared["peer"] = alert_values[_sender_position()]
    flood_since = now - FLOOD_WINDOW
    params = [
        *(sender_hash, sender_hash, sender_hash),
        *(sender_hash, now - THREAD_WINDOW, flood_since, flood_since),
        *alert_values,
        *insert_values(message, message_fields, db, shared),
    ]
    with db.cursor() as cursor, forget_on_lost_statement():
        cursor.execute(prepared(sql), params)
        row = cursor.fetchone()
    columns = network_selectors.INTAKE_COLUMNS
    sender, (flood_count, message_id, alert_id) = row[: len(columns)], row[len(columns) :]
    focal_point = None
    if sender[0] is not None:
        focal_point = network_selectors.focal_point_from_row(columns, sender)
    if message_id is None:
        return Intake(focal_point=focal_point, flood_count=flood_count, stored=False)
    flooded = flood_count >= FLOOD_LIMIT
    alert.pk, message.pk = alert_id, message_id
    alert.reporter, alert.sender_known = focal_point, focal_point is not None
    message.alert, message.focal_point = alert, focal_point
    alert.flooded = message.flooded = flooded
    for obj in (alert, message):
        obj._state.adding = False
        obj._state.db = db.alias
    return Intake(focal_point=focal_point, flood_count=flood_count, stored=True)
