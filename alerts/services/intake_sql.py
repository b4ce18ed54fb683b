"""A new SMS alert and its message, stored by one SQL statement on PostgreSQL, with the reads
that decide whether the text is a new alert at all.

Under a surge every inbound SMS is an alert plus a message row. Through the ORM that is a read
of the sender and their recent messages, then a transaction of four round trips to the
database (BEGIN, two INSERTs, COMMIT). Here it is one statement, still atomic (PostgreSQL runs
a statement in its own transaction, so both rows exist or neither does):

    WITH sender AS (the focal point owning the number, as focal_point_by_hash finds it, and
                    whether they are discreet),
         recent AS (their messages of the thread window, as _recent_activity reads them),
         activity AS (how many texts they sent in the flood window, whether one of them is on
                      an alert still open, whether an analyst's reply to an open alert holds a
                      thread, and the alert of their latest reply, which a new alert follows),
         decision AS (one row when the text is a new alert: no thread, and not a flooding
                      number that already has an open alert to add it to),
         new_alert AS (INSERT … SELECT … FROM decision RETURNING id)
    INSERT INTO message … SELECT … FROM new_alert …

and it answers with the sender's row, the flood count, the alert followed and the new rows'
ids; no ids when the text belongs to a thread or to a flooding number's open alert, which the
transactional path then stores (inbound._activity_from is the same decision in Python, for that
path and for SQLite).

The columns are the models' concrete fields, and each value goes through its field's
`pre_save` and `get_db_prep_save` exactly as the ORM's INSERT does (defaults, auto timestamps,
encryption, JSON), but for three shortcuts with the same result: None is sent as NULL without
asking the field; the sender's number, encrypted once, fills both rows' column for it; and the
columns a new alert leaves at a constant default (most of them: no place, no assignee, no
times yet …) have that default's literal in the statement's text instead of a parameter
(_defaults). The sender's focal point, the flood flag and the alert followed are the
statement's own (the columns in EXPRESSIONS). The statement's text is built once per process for
each set of columns at their default (one, in practice), and prepared once per database
connection (core.prepared): PostgreSQL then parses and plans it once instead of at every SMS.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, models

from core.prepared import forget_on_lost_statement, prepared
from core.writebatch import WriteBatch, insert_values
from networks import selectors as network_selectors

from ..constants import FLOOD_LIMIT, FLOOD_WINDOW, THREAD_WINDOW
from ..models import Alert, Message, OptOut

# Columns the statement fills from what it read rather than from a parameter, by field name.
EXPRESSIONS = {
    Alert: {
        "reporter": "d.reporter_id",
        "sender_known": "d.reporter_id IS NOT NULL",
        "flooded": "d.flooded",
        "thread_parent": "d.thread_parent_id",
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
    "coalesce(bool_or(direction = {inbound} AND created_at >= %s AND alert_id IS NOT NULL "
    "AND status IN ({open})), false) AS flood_alert, "
    "coalesce(bool_or(direction = {outbound} AND kind = {reply} AND status IN ({open})), "
    "false) AS thread, "
    "(array_agg(alert_id ORDER BY created_at DESC) FILTER (WHERE direction = {outbound} "
    "AND kind = {reply} AND alert_id IS NOT NULL))[1] AS parent_id "
    "FROM recent), "
    "decision AS ("
    "SELECT (SELECT id FROM sender) AS reporter_id, flood_count >= {limit} AS flooded, "
    "parent_id AS thread_parent_id "
    "FROM activity WHERE NOT thread AND NOT (flood_count >= {limit} AND flood_alert)), "
    "new_alert AS ("
    "INSERT INTO {alert_table} ({alert_columns}) SELECT {alert_values} FROM decision d "
    "RETURNING id), "
    "new_message AS ("
    "INSERT INTO {message_table} ({alert_id}, {message_columns}) "
    "SELECT new_alert.id, {message_values} FROM new_alert, decision d RETURNING id, alert_id) "
    "SELECT {sender_row}, activity.flood_count, activity.parent_id, new_message.id, "
    "new_message.alert_id, "
    "sender.id IS NOT NULL AND EXISTS (SELECT 1 FROM {optout_table} WHERE phone_hash = %s) "
    "FROM activity LEFT JOIN sender ON true LEFT JOIN new_message ON true"
)


def _literal(value) -> str:
    """A constant of the code (a choice's value or a limit) as an SQL literal."""
    if isinstance(value, int):
        return str(value)
    if not str(value).replace("_", "").isalnum():
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


def _fields_of(model, skip=()) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip)


@lru_cache(maxsize=2)
def _defaults(model) -> dict:
    """The columns of `model` a new SMS alert usually leaves at their default, by field: the
    default as the instance holds it, and the SQL literal of the value the ORM's INSERT sends
    for it (NULL, '', 'new', '[]'::jsonb …). When a row holds a column's default, the statement
    has that literal in its text rather than a parameter: fewer values to convert, send and
    parse at every SMS. Defaults made at each call (a time) are not constants and stay
    parameters, as do the columns the statement fills itself (EXPRESSIONS)."""
    connection = connections[DEFAULT_DB_ALIAS]
    constants = {}
    with connection.cursor() as cursor:
        for f in _fields_of(model, skip=EXPRESSIONS[model]):
            made_each_time = (
                f.has_default() and callable(f.default) and f.default not in (list, dict)
            )
            if made_each_time or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            if type(f).pre_save not in (models.Field.pre_save, models.DateTimeField.pre_save):
                continue  # a field that works its value out when saved
            value = f.get_default()
            sent = f.get_db_prep_save(value, connection=connection)
            literal = "NULL" if sent is None else cursor.mogrify("%s", [sent]).decode()
            if "%" in literal:  # would be taken for a placeholder
                continue
            constants[f] = (value, f"CAST({literal} AS {f.db_type(connection)})")
    return constants


@lru_cache(maxsize=2)
def _default_values(model) -> tuple[tuple[str, object, type], ...]:
    return tuple(
        (f.attname, default, type(default)) for f, (default, _) in _defaults(model).items()
    )


_UNSET = object()


def _constants_held(obj) -> tuple[str, ...]:
    """The attribute names of the fields of `obj` that hold their constant default (see
    _defaults), read from the instance's own attributes (a new row has them all)."""
    values = obj.__dict__
    return tuple(
        attname
        for attname, default, kind in _default_values(type(obj))
        if type(value := values.get(attname, _UNSET)) is kind and value == default
    )


@lru_cache(maxsize=8)
def _statement(
    alert_constants: tuple[str, ...] = (), message_constants: tuple[str, ...] = ()
) -> tuple[str, tuple, tuple, int]:
    """The statement's text for rows holding these constants, the alert's and message's
    fields that are parameters, in the order of the statement's (after the seven of the
    reads), and the position of the alert's sender among its parameters."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def values(fields, model, constants) -> str:
        literals = _defaults(model)
        return ", ".join(
            EXPRESSIONS[model].get(f.name) or (literals[f][1] if f.attname in constants else "%s")
            for f in fields
        )

    alert_fields = _fields_of(Alert)
    message_fields = _fields_of(Message, skip=("alert",))
    sender_columns = network_selectors.INTAKE_SENDER_COLUMNS
    focal_point_table = quote(network_selectors.focal_point_table())
    # Table and column names from the models, quoted; every value that comes with the SMS
    # is a parameter.
    sql = _TEMPLATE.format(
        recent=RECENT_SQL.format(
            message_table=quote(Message._meta.db_table), alert_table=quote(Alert._meta.db_table)
        ),
        sender_columns=network_selectors.intake_select_list(focal_point_table),
        focal_point_table=focal_point_table,
        by_hash=network_selectors.BY_HASH_CONDITION,
        sender_row=", ".join(f"sender.{column}" for column in sender_columns),
        inbound=_literal(Message.Direction.INBOUND),
        outbound=_literal(Message.Direction.OUTBOUND),
        reply=_literal(Message.Kind.REPLY),
        open=", ".join(_literal(status) for status in Alert.OPEN_STATUSES),
        limit=_literal(FLOOD_LIMIT),
        alert_table=quote(Alert._meta.db_table),
        alert_columns=", ".join(quote(f.column) for f in alert_fields),
        alert_values=values(alert_fields, Alert, alert_constants),
        message_table=quote(Message._meta.db_table),
        alert_id=quote(Message._meta.get_field("alert").column),
        message_columns=", ".join(quote(f.column) for f in message_fields),
        message_values=values(message_fields, Message, message_constants),
        optout_table=quote(OptOut._meta.db_table),
    )
    alert_params = tuple(
        f
        for f in alert_fields
        if f.name not in EXPRESSIONS[Alert] and f.attname not in alert_constants
    )
    message_params = tuple(
        f
        for f in message_fields
        if f.name not in EXPRESSIONS[Message] and f.attname not in message_constants
    )
    sender_position = [f.name for f in alert_params].index("sender")
    return sql, alert_params, message_params, sender_position


@dataclass
class Intake:
    """What the statement found: the sender's focal point (None for an unknown number), how
    many texts the number sent in the flood window before this one, whether it stored the
    text as a new alert, and whether a known sender's number opted out (the focal point's own
    flag aside: outbound.is_opted_out is both)."""

    focal_point: object
    flood_count: int
    stored: bool
    number_opted_out: bool = False


def sms_alert_insert(
    *, alert: Alert, message: Message, sender_hash: str, now: dt.datetime
) -> Intake:
    """Store `alert` and `message` (made with no reporter, focal point, flood flag nor alert
    followed: the statement sets them) when the text is a new alert; sets their primary keys,
    reporter, focal point, flood flag and the alert followed then. Raises IntegrityError (a
    MessageSid seen before) with nothing stored, as the ORM would."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, alert_fields, message_fields, sender_position = _statement(
        _constants_held(alert), _constants_held(message)
    )
    alert_values = insert_values(alert, alert_fields, db)
    shared = {}
    if message.peer == alert.sender:
        # One encryption of the number serves both rows: their lookup hashes already tie
        # them together, so the same token tells nothing more.
        shared["peer"] = alert_values[sender_position]
    flood_since = now - FLOOD_WINDOW
    params = [
        *(sender_hash, sender_hash, sender_hash),
        *(sender_hash, now - THREAD_WINDOW, flood_since, flood_since),
        *alert_values,
        *insert_values(message, message_fields, db, shared),
        sender_hash,
    ]
    with db.cursor() as cursor, forget_on_lost_statement():
        cursor.execute(prepared(sql), params)
        row = cursor.fetchone()
    columns = network_selectors.INTAKE_SENDER_COLUMNS
    sender, (flood_count, parent_id, message_id, alert_id, opted_out) = (
        row[: len(columns)],
        row[len(columns) :],
    )
    focal_point = None
    if sender[0] is not None:
        focal_point = network_selectors.focal_point_from_row(columns, sender)
    if message_id is None:
        return Intake(focal_point=focal_point, flood_count=flood_count, stored=False)
    flooded = flood_count >= FLOOD_LIMIT
    alert.pk, message.pk = alert_id, message_id
    alert.reporter, alert.sender_known = focal_point, focal_point is not None
    alert.thread_parent_id = parent_id
    message.alert, message.focal_point = alert, focal_point
    alert.flooded = message.flooded = flooded
    for obj in (alert, message):
        obj._state.adding = False
        obj._state.db = db.alias
    return Intake(
        focal_point=focal_point, flood_count=flood_count, stored=True, number_opted_out=opted_out
    )


def auto_reply_keep(message: Message, reply: str) -> None:
    """Keep on `message` the acknowledgement it was answered with (for a repeated delivery of
    the same SMS): one prepared UPDATE, without the ORM compiling it."""
    batch = WriteBatch()
    batch.update_where(Message, {"pk": message.pk}, auto_reply=reply)
    with forget_on_lost_statement():
        batch.execute()
    message.auto_reply = reply
