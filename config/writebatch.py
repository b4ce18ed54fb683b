"""Several writes sent to the database as one round trip.

A busy Celery worker spends more time waiting for PostgreSQL's answers than asking: each
statement is a message to another process and back. The ORM builds each statement here as it
would for `QuerySet.update()` or `bulk_create()` (every value through its field), and
PostgreSQL receives them joined into one query string, run in order inside the caller's
transaction, each as a statement the connection prepared once (config.prepared). Backends
that take one statement at a time (SQLite) run them one by one.
"""

from django.db import connections, models
from django.db.models import sql

from .prepared import prepared


class WriteBatch:
    def __init__(self, using: str = "default"):
        self.using = using
        self._statements: list[tuple[str, tuple]] = []

    def __len__(self) -> int:
        return len(self._statements)

    def update(self, queryset: models.QuerySet, **values) -> None:
        """As `queryset.update(**values)`, on the queryset's own columns only."""
        query = queryset.query.chain(sql.UpdateQuery)
        query.add_update_values(values)
        query.annotations = {}
        compiler = query.get_compiler(self.using)
        compiler.pre_sql_setup()
        if query.related_updates or query.related_ids is not None:
            raise ValueError("a batched update writes one table, filtered on its own columns")
        self._statements.append(compiler.as_sql())

    def insert(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """As `bulk_create(objs)` in one statement; the objects' primary keys are not read back."""
        if not objs:
            return
        opts = model._meta
        fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.auto_field]
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="insert")
        query = sql.InsertQuery(model)
        query.insert_values(fields, objs, raw=False)
        self._statements.extend(query.get_compiler(self.using).as_sql())

    def execute(self) -> int:
        """Run the statements in order; the number of rows the last one changed."""
        connection = connections[self.using]
        rowcount = 0
        if not self._statements:
            return rowcount
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                text = "; ".join(prepared(sql, self.using) for sql, _params in self._statements)
                params = [value for _statement, values in self._statements for value in values]
                cursor.execute(text, params)
                rowcount = cursor.rowcount
            else:
                for statement, values in self._statements:
                    cursor.execute(statement, values)
                    rowcount = cursor.rowcount
        self._statements.clear()
        return rowcount
