"""A new SMS alert and its message, stored by one SQL statement on PostgreSQL.

Under a surge every inbound SMS is an alert plus a message row. Through the ORM inside a
transaction that is four round trips to the database (BEGIN, two INSERTs, COMMIT); as one
statement (`WITH new_alert AS (INSERT … RETURNING id) INSERT INTO message … SELECT …`) it is
one, and still atomic: PostgreSQL runs a statement in its own transaction, so both rows exist
or neither does. The columns are the models' concrete fields, and each value goes through its
field's `pre_save` and `get_db_prep_save` exactly as the ORM's INSERT does (defaults, auto
timestamps, encryption, JSON), but for two shortcuts with the same result: None is sent as
NULL without asking the field, and the sender's number, encrypted once, fills both rows'
column for it. Only the statement's text is built once per process.

Intake's statements are also prepared once per database connection (config.prepared):
PostgreSQL then parses and plans them once instead of at every SMS, which for these short
statements cost more than running them.
"""

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections

from config.prepared import forget_on_lost_statement, prepared

from ..models import Alert, Message

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


@lru_cache(maxsize=1)
def _sender_position() -> int:
    return [f.name for f in _statement()[1]].index("sender")


def _values(obj, fields, db, converted: dict | None = None) -> list:
    """Each field's value as the ORM's INSERT sends it; `converted` holds values (by field
    name) already converted for another column."""
    values = []
    for f in fields:
        value = f.pre_save(obj, add=True)
        if converted and f.name in converted:
            value = converted[f.name]
        elif value is not None:
            # `db` is the connection itself, as the ORM's compiler passes it (through the
            # django.db.connection proxy, each field's lookup of it cost more than its
            # conversion). None is NULL for every column of both tables (a test checks it),
            # so it needs none.
            value = f.get_db_prep_save(value, connection=db)
        values.append(value)
    return values


def alert_and_message_insert(*, alert: Alert, message: Message) -> None:
    """INSERT both rows in one statement; sets their primary keys. Raises IntegrityError (a
    MessageSid seen before) with nothing stored, as the ORM would."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, alert_fields, message_fields = _statement()
    alert_values = _values(alert, alert_fields, db)
    shared = {}
    if message.peer == alert.sender:
        # One encryption of the number serves both rows: their lookup hashes already tie
        # them together, so the same token tells nothing more.
        shared["peer"] = alert_values[_sender_position()]
    params = alert_values + _values(message, message_fields, db, shared)
    with db.cursor() as cursor, forget_on_lost_statement():
        cursor.execute(prepared(sql), params)
        message_id, alert_id = cursor.fetchone()
    alert.pk, message.pk = alert_id, message_id
    message.alert = alert
    for obj in (alert, message):
        obj._state.adding = False
        obj._state.db = db.alias
