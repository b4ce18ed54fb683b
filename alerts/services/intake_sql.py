"""A new SMS alert and its message, stored by one SQL statement on PostgreSQL.

Under a surge every inbound SMS is an alert plus a message row. Through the ORM inside a
transaction that is four round trips to the database (BEGIN, two INSERTs, COMMIT); as one
statement (`WITH new_alert AS (INSERT … RETURNING id) INSERT INTO message … SELECT …`) it is
one, and still atomic: PostgreSQL runs a statement in its own transaction, so both rows exist
or neither does. The columns are the models' concrete fields, and each value goes through its
field's `pre_save` and `get_db_prep_save` exactly as the ORM's INSERT does (defaults, auto
timestamps, encryption, JSON); only the statement's text is built once per process.

Intake's statements are also prepared once per database connection (`execute_prepared`):
PostgreSQL then parses and plans them once instead of at every SMS, which for these short
statements cost more than running them.
"""

import itertools
import re
import weakref
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from psycopg2 import errors as pg_errors

from ..models import Alert, Message

# The statements each database connection has prepared, by its driver connection (forgotten
# with it).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _numbered(sql: str) -> str:
    """The %s placeholders of `sql` as PostgreSQL's $1, $2, … (in order)."""
    count = itertools.count(1)
    return re.sub("%s", lambda _: f"${next(count)}", sql)


@lru_cache(maxsize=16)
def _execute_text(name: str, count: int) -> str:
    return f"EXECUTE {name} ({', '.join(['%s'] * count)})"


def _keeps_connections(db) -> bool:
    """Whether a prepared statement outlives the request: the connection is kept
    (CONN_MAX_AGE) and no pooler in transaction mode (DISABLE_SERVER_SIDE_CURSORS, as Django
    asks for one) hands each transaction another server session."""
    settings = db.settings_dict
    return settings.get("CONN_MAX_AGE") != 0 and not settings.get("DISABLE_SERVER_SIDE_CURSORS")


def _prepare(cursor, names: set, name: str, sql: str) -> None:
    cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
    names.add(name)


def execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` (with %s placeholders) on `cursor` as the prepared statement `name`, which
    this database connection prepares the first time it runs it; plainly when connections are
    not kept. A statement the session lost (a DISCARD ALL) is prepared again."""
    db = cursor.db
    if not _keeps_connections(db):
        cursor.execute(sql, params)
        return
    names = _prepared.setdefault(db.connection, set())
    if name not in names:
        _prepare(cursor, names, name, sql)
    try:
        cursor.execute(_execute_text(name, len(params)), params)
    except DatabaseError as exc:
        if not isinstance(exc.__cause__, pg_errors.InvalidSqlStatementName):
            raise
        names.discard(name)
        if db.in_atomic_block:  # the transaction is spoilt: the caller's error handling decides
            raise
        _prepare(cursor, names, name, sql)
        cursor.execute(_execute_text(name, len(params)), params)


_TEMPLATE = (
    "WITH new_alert AS ("
    "INSERT INTO {alert_table} ({alert_columns}) VALUES ({alert_values}) RETURNING id) "
    "INSERT INTO {message_table} ({alert_id}, {message_columns}) "
    "SELECT new_alert.id, {message_values} FROM new_alert RETURNING id, alert_id"
)


@lru_cache(maxsize=1)
def _statement() -> tuple[str, tuple, tuple]:
    """The statement's text, and the alert's and message's fields in the order of its
    parameters (the message's alert id comes from the alert's INSERT, not a parameter)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def fields_of(model, skip=()):
        return tuple(
            f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip
        )

    alert_fields = fields_of(Alert)
    message_fields = fields_of(Message, skip=("alert",))
    alert_columns = ", ".join(quote(f.column) for f in alert_fields)
    message_columns = ", ".join(quote(f.column) for f in message_fields)
    # Table and column names from the models, quoted; every value is a parameter.
    sql = _TEMPLATE.format(
        alert_table=quote(Alert._meta.db_table),
        alert_columns=alert_columns,
        alert_values=", ".join(["%s"] * len(alert_fields)),
        message_table=quote(Message._meta.db_table),
        alert_id=quote(Message._meta.get_field("alert").column),
        message_columns=message_columns,
        message_values=", ".join(["%s"] * len(message_fields)),
    )
    return sql, alert_fields, message_fields


def _values(obj, fields, db) -> list:
    # `db` is the connection itself, as the ORM's compiler passes it (through the
    # django.db.connection proxy, each field's lookup of it cost more than its conversion).
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection=db) for f in fields]


def alert_and_message_insert(*, alert: Alert, message: Message) -> None:
    """INSERT both rows in one statement; sets their primary keys. Raises IntegrityError (a
    MessageSid seen before) with nothing stored, as the ORM would."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, alert_fields, message_fields = _statement()
    params = _values(alert, alert_fields, db) + _values(message, message_fields, db)
    with db.cursor() as cursor:
        execute_prepared(cursor, "kengele_intake_insert", sql, params)
        message_id, alert_id = cursor.fetchone()
    alert.pk, message.pk = alert_id, message_id
    message.alert = alert
    for obj in (alert, message):
        obj._state.adding = False
        obj._state.db = db.alias
