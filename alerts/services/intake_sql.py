"""A new SMS alert and its message, stored by one SQL statement on PostgreSQL.

Under a surge every inbound SMS is an alert plus a message row. Through the ORM inside a
transaction that is four round trips to the database (BEGIN, two INSERTs, COMMIT); as one
statement (`WITH alert AS (INSERT … RETURNING id) INSERT INTO message … SELECT … FROM alert`)
it is one, and still atomic: PostgreSQL runs a statement in its own transaction, so both rows
exist or neither does. The INSERTs themselves are compiled by Django from the model instances
(defaults, encrypted fields, JSON), so the columns stay the model's.
"""

from django.db import connection
from django.db.models.sql import InsertQuery

from ..models import Alert, Message

# Stands in for the message's alert id while its INSERT is compiled; replaced by the id the
# alert's INSERT returns.
_ALERT_ID_MARK = -7_000_000_000_001


class NotCompilable(Exception):
    """The compiled INSERT is not the plain "VALUES (%s, …)" this module can combine."""


def _compiled_insert(obj) -> tuple[str, list]:
    model = type(obj)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(model)  # the compiler runs each field's pre_save (auto_now, …)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    ((sql, params),) = compiler.as_sql()
    return sql, list(params)


def alert_and_message_insert(*, alert: Alert, message: Message) -> None:
    """INSERT both rows in one statement; sets their primary keys. Raises IntegrityError (a
    MessageSid seen before) with nothing stored, like the ORM would."""
    alert_sql, alert_params = _compiled_insert(alert)
    message.alert_id = _ALERT_ID_MARK
    message_sql, message_params = _compiled_insert(message)
    # The message's values come as "VALUES (%s, %s, …)": the alert id's placeholder becomes
    # the id the first INSERT returns.
    head, values = message_sql.split(" VALUES ", 1)
    placeholders = values.strip()[1:-1].split(", ")
    if set(placeholders) != {"%s"} or len(placeholders) != len(message_params):
        raise NotCompilable(message_sql[:200])
    index = message_params.index(_ALERT_ID_MARK)
    placeholders[index] = "(SELECT id FROM new_alert)"
    del message_params[index]
    # Built from Django's own compiled INSERTs; every value stays a query parameter.
    sql = "WITH new_alert AS ({} RETURNING id) {} SELECT {} {}".format(
        alert_sql, head, ", ".join(placeholders), 'RETURNING "id", (SELECT id FROM new_alert)'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, alert_params + message_params)
        message_id, alert_id = cursor.fetchone()
    alert.pk, message.pk = alert_id, message_id
    message.alert_id = alert_id
    message.alert = alert
    for obj in (alert, message):
        obj._state.adding = False
        obj._state.db = connection.alias
