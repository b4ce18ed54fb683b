"""Rewriting a column's stored values in place, for data migrations that encrypt or mask the
rows written before a column's content changed.

Raw SQL on the column as stored: a migration's historical model would hand back (or expect)
the new field's Python value. Rows are read in batches by primary key; each value is written
back only when the change gives something else, so a rerun is harmless.
"""

from collections.abc import Callable

BATCH_SIZE = 500


def column_rewrite(
    schema_editor, table: str, column: str, change: Callable[[str], str], *, pk: str = "id"
) -> int:
    """Apply `change` to every non-empty value of `table`.`column`; returns the rows changed."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table_q, column_q, pk_q = quote(table), quote(column), quote(pk)
    # Identifiers are the models' own names, quoted; values are parameters.
    select = (
        f"SELECT {pk_q}, {column_q} FROM {table_q} "  # noqa: S608
        f"WHERE {column_q} IS NOT NULL AND {column_q} <> '' AND {pk_q} > %s "
        f"ORDER BY {pk_q} LIMIT {BATCH_SIZE}"
    )
    update = f"UPDATE {table_q} SET {column_q} = %s WHERE {pk_q} = %s"  # noqa: S608
    changed, last = 0, -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
        if not rows:
            return changed
        last = rows[-1][0]
        updates = []
        for row_pk, value in rows:
            new = change(value)
            if new != value:
                updates.append((new, row_pk))
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(update, updates)
            changed += len(updates)
