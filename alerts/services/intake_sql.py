"""A new SMS alert and its message, stored on PostgreSQL by one SQL statement that also makes
the reads deciding whether the text is a new alert at all.

Under a surge every inbound SMS is an alert plus a message row. Through the ORM that is a read
of the sender and one of their recent messages, then a transaction of four round trips (BEGIN,
two INSERTs, COMMIT). Here it is one statement, still atomic (PostgreSQL runs a statement in
its own transaction, so both rows exist or neither does):

    WITH sender AS (the focal point owning the number, as focal_point_by_hash finds it, and
                    whether they are discreet),
         recent AS (their messages of the thread window, as inbound._recent_activity reads them),
         activity AS (how many texts they sent in the flood window, whether one of them is on
                      an alert still open, whether an analyst's reply to an open alert holds a
                      thread, and the alert of their latest reply, which a new alert follows),
         decision AS (one row when the text is a new alert: no thread, and not a flooding
                      number that already has an open alert to add it to),
         new_alert AS (INSERT … SELECT … FROM decision RETURNING id)
    INSERT INTO message … SELECT … FROM new_alert …

and it answers with the sender's row, the flood count, the alert followed, the new rows' ids
and whether the number opted out; no ids when the text belongs to a thread or to a flooding
number's open alert, which the ORM's path (inbound._receive_alert_text, also SQLite's, and the
only one with INTAKE_ONE_STATEMENT off) then stores.

The columns are the models' concrete fields, and each value goes through its field as the ORM's
INSERT sends it (core.writebatch.insert_values), except the columns the statement fills from
what it read (EXPRESSIONS). The text is built once per process and prepared once per database
connection (core.prepared): PostgreSQL parses and plans it once instead of at every SMS.
tests/alerts/test_intake_one_statement.py stores the same texts through this statement and
through the ORM and compares every column of both rows: a new column, a changed default or a
decision drifting from the ORM's path fails there.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

from core.prepared import forget_on_lost_statement, prepared
from core.writebatch import WriteBatch, insert_values
from networks import selectors as network_selectors

from ..constants import FLOOD_LIMIT, FLOOD_WINDOW, THREAD_WINDOW
from ..deadlines import DatabaseDeadlineExceeded
from ..models import Alert, Message, OptOut

log = logging.getLogger(__name__)

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


@lru_cache(maxsize=1)
def _statement() -> tuple[str, tuple, tuple, int]:
    """The statement's text, the alert's and message's fields whose values are its
    parameters (in the order they come after the seven of the reads), and the position of
    the alert's sender among its parameters."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    alert_fields = _fields_of(Alert)
    message_fields = _fields_of(Message, skip=("alert",))

    def values(fields, model) -> str:
        return ", ".join(EXPRESSIONS[model].get(f.name, "%s") for f in fields)

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
        alert_values=values(alert_fields, Alert),
        message_table=quote(Message._meta.db_table),
        alert_id=quote(Message._meta.get_field("alert").column),
        message_columns=", ".join(quote(f.column) for f in message_fields),
        message_values=values(message_fields, Message),
        optout_table=quote(OptOut._meta.db_table),
    )
    alert_params = tuple(f for f in alert_fields if f.name not in EXPRESSIONS[Alert])
    message_params = tuple(f for f in message_fields if f.name not in EXPRESSIONS[Message])
    sender_position = [f.name for f in alert_params].index("sender")
    return sql, alert_params, message_params, sender_position


@dataclass
class Intake:
    """What the statement found: the sender's focal point (None for an unknown number), how
    many texts the number sent in the flood window before this one, the alert and message it
    stored (None when the text is no new alert), and whether a known sender's number opted
    out (the focal point's own flag aside: outbound.is_opted_out is both)."""

    focal_point: object
    flood_count: int
    alert: Alert | None = None
    message: Message | None = None
    number_opted_out: bool = False


def _as_stored(model, obj, **columns):
    """`obj` as the ORM gives back a row it read: its values, with `columns` (by attribute
    name) as the statement set them. The row is the default database's whichever connection
    stored it, so later ORM work on it goes through the default connection and its
    transactions."""
    names = [f.attname for f in model._meta.concrete_fields]
    values = [columns[name] if name in columns else getattr(obj, name) for name in names]
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


def _worth_a_new_connection(db, exc: Exception) -> bool:
    """Whether `exc` (an OperationalError or InterfaceError) is a kept connection found broken
    (the server restarted or dropped it since the last request) rather than a database that is
    down or too slow: worth one more try on a new connection. Only where Django's health check
    is off, as on "intake", and outside a transaction."""
    return (
        not isinstance(exc.__cause__, DatabaseDeadlineExceeded)
        and not db.settings_dict.get("CONN_HEALTH_CHECKS")
        and not db.in_atomic_block
    )


def sms_alert_insert(
    *,
    alert: Alert,
    message: Message,
    sender_hash: str,
    now: dt.datetime,
    using: str = DEFAULT_DB_ALIAS,
) -> Intake:
    """Store `alert` and `message` (made with no reporter, focal point, flood flag nor alert
    followed: the statement sets them) when the text is a new alert, and give them back as
    saved instances. Raises IntegrityError (a MessageSid seen before) with nothing stored, as
    the ORM would. `using`: the connection to send it on; a kept one found broken is replaced
    and the statement sent once more (the MessageSid's uniqueness refuses a text the first try
    stored after all)."""
    db = connections[using]
    kept = db.connection is not None
    try:
        return _insert(db, alert=alert, message=message, sender_hash=sender_hash, now=now)
    except (OperationalError, InterfaceError) as exc:
        if not (kept and _worth_a_new_connection(db, exc)):
            raise
        log.warning("intake: the kept database connection had broken; sending on a new one")
        db.close()
        return _insert(db, alert=alert, message=message, sender_hash=sender_hash, now=now)


def _insert(db, *, alert: Alert, message: Message, sender_hash: str, now: dt.datetime) -> Intake:
    sql, alert_fields, message_fields, sender_position = _statement()
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
    with db.cursor() as cursor, forget_on_lost_statement(db.alias):
        cursor.execute(prepared(sql, db.alias), params)
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
        return Intake(focal_point=focal_point, flood_count=flood_count)
    flooded = flood_count >= FLOOD_LIMIT
    reporter_id = focal_point.pk if focal_point is not None else None
    stored_alert = _as_stored(
        Alert,
        alert,
        id=alert_id,
        reporter_id=reporter_id,
        sender_known=focal_point is not None,
        flooded=flooded,
        thread_parent_id=parent_id,
    )
    stored_message = _as_stored(
        Message,
        message,
        id=message_id,
        alert_id=alert_id,
        focal_point_id=reporter_id,
        flooded=flooded,
    )
    stored_alert.reporter = stored_message.focal_point = focal_point
    stored_message.alert = stored_alert
    return Intake(
        focal_point=focal_point,
        flood_count=flood_count,
        alert=stored_alert,
        message=stored_message,
        number_opted_out=opted_out,
    )


def auto_reply_keep(message: Message, reply: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Keep on `message` the acknowledgement it was answered with (for a repeated delivery of
    the same SMS): one prepared UPDATE, without the ORM compiling it, on the connection that
    stored it."""
    batch = WriteBatch(using)
    batch.update_where(Message, {"pk": message.pk}, auto_reply=reply)
    with forget_on_lost_statement(using):
        batch.execute()
    message.auto_reply = reply
