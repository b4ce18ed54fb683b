"""Several writes sent to the database as one round trip.

A busy Celery worker spends more time waiting for PostgreSQL's answers than asking: each
statement is a message to another process and back. The statements are built as the ORM
builds them for `filter(…).update()` or `bulk_create()` (every value through its field), and
PostgreSQL receives them joined into one query string, run in order inside the caller's
transaction, each as a statement the connection prepared once (core.prepared). Backends
that take one statement at a time (SQLite) run them one by one.

`update_where` and `insert` write the statement's text once per shape (table, columns, which
conditions are IS NULL, number of rows) and per process: for the short statements triage
sends for every alert, the ORM spent longer building them than PostgreSQL running them. The
values still go through their fields as the ORM sends them (a test compares both).
"""

from functools import lru_cache

from django.db import connections, models

from .prepared import prepared


def _field(model: type[models.Model], name: str) -> models.Field:
    """A concrete column of `model` by name or attname ("pk" for the primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not getattr(field, "concrete", False) or field.many_to_many:
        raise ValueError(f"{model.__name__}.{name} is not a column of its table")
    if hasattr(field, "get_placeholder"):  # a column written through an SQL function
        raise ValueError(f"{model.__name__}.{name} needs the ORM's own statement")
    return field


@lru_cache(maxsize=256)
def _update_shape(
    model: type[models.Model], where: tuple[tuple[str, bool], ...], names: tuple[str, ...], using
) -> tuple[str, tuple, tuple]:
    """UPDATE's text for these columns and conditions ((name, is NULL) pairs), with the fields
    of its SET values and of its non-NULL conditions, in the order of their parameters."""
    quote = connections[using].ops.quote_name
    set_fields = tuple(_field(model, name) for name in names)
    conditions, where_fields = [], []
    for name, is_null in where:
        field = _field(model, name)
        if is_null:
            conditions.append(f"{quote(field.column)} IS NULL")
        else:
            conditions.append(f"{quote(field.column)} = %s")
            where_fields.append(field)
    # Names from the model, quoted; every value is a parameter.
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in set_fields)
    text = f"UPDATE {quote(model._meta.db_table)} SET {assignments}"  # noqa: S608
    if conditions:
        text += " WHERE " + " AND ".join(conditions)
    return text, set_fields, tuple(where_fields)


@lru_cache(maxsize=64)
def _insert_shape(model: type[models.Model], rows: int, using) -> tuple[str, tuple]:
    """INSERT's text for `rows` rows of every column but the generated ones, and its fields."""
    opts = model._meta
    fields = tuple(
        _field(model, f.name)
        for f in opts.concrete_fields
        if not f.generated and f is not opts.auto_field
    )
    quote = connections[using].ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608 - as above
    return head + ", ".join([row] * rows), fields


def _saved(field: models.Field, value, connection):
    """A value as the ORM's UPDATE or INSERT sends it for `field`."""
    if hasattr(value, "resolve_expression"):
        raise ValueError(f"{field.name}: expressions need the ORM's own statement")
    if hasattr(value, "prepare_database_save"):  # a model instance for a relation
        if not field.remote_field:
            raise TypeError(f"{field.name}: a model instance for a column that is no relation")
        value = value.prepare_database_save(field)
    return field.get_db_prep_save(value, connection=connection)


def _compared(field: models.Field, value, connection):
    """A value as the ORM's `field = value` condition sends it."""
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


# Columns whose value, when of exactly these types, the ORM sends as it is: the conversions of
# these field classes return such values unchanged, so they are skipped.
_SENT_AS_IS = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
}


@lru_cache(maxsize=16)
def _readers(fields: tuple) -> tuple:
    """For each field: whether its pre_save only reads the attribute, and the types of value
    it sends unchanged (exact field classes only: a subclass may convert)."""
    return tuple(
        (f.attname, type(f).pre_save is models.Field.pre_save, _SENT_AS_IS.get(type(f), ()))
        for f in fields
    )


def insert_values(obj, fields: tuple, connection, converted: dict | None = None) -> list:
    """Each field's value as the ORM's INSERT sends it for `obj`; `converted` holds values (by
    field name) already converted for another column. `connection` is the connection itself,
    as the ORM's compiler passes it (through the django.db.connection proxy, each field's
    lookup of it cost more than its conversion). None is NULL for every column the project
    writes this way (a test checks it), so it needs no conversion."""
    values = []
    for f, (attname, plain_read, as_is) in zip(fields, _readers(fields), strict=True):
        value = getattr(obj, attname) if plain_read else f.pre_save(obj, add=True)
        if converted and f.name in converted:
            value = converted[f.name]
        elif value is not None and type(value) not in as_is:
            value = f.get_db_prep_save(value, connection=connection)
        values.append(value)
    return values


def _relations_resolved(obj: models.Model, relations: tuple) -> None:
    """As save() does first: a related object assigned before it was saved gives its id now,
    and one still unsaved is refused rather than stored as NULL."""
    for f in relations:
        if getattr(obj, f.attname) is not None:
            continue
        related = getattr(obj, f.name)  # no query: without an id there is nothing to fetch
        if related is None:
            continue
        value = getattr(related, f.target_field.attname)
        if value is None:
            raise ValueError(f"{f.name}: the related {type(related).__name__} is not saved yet")
        setattr(obj, f.attname, value)


class WriteBatch:
    def __init__(self, using: str = "default"):
        self.using = using
        self._statements: list[tuple[str, tuple]] = []

    def __len__(self) -> int:
        return len(self._statements)

    def update_where(self, model: type[models.Model], where: dict, **values) -> None:
        """As `model.objects.filter(**where).update(**values)` where each condition is a
        column equal to a value (None: IS NULL)."""
        if not values:
            raise ValueError("an update sets at least one column")
        connection = connections[self.using]
        shape = tuple((name, value is None) for name, value in where.items())
        text, set_fields, where_fields = _update_shape(model, shape, tuple(values), self.using)
        params = [
            _saved(f, value, connection)
            for f, value in zip(set_fields, values.values(), strict=True)
        ]
        compared = [value for value in where.values() if value is not None]
        params += [
            _compared(f, value, connection) for f, value in zip(where_fields, compared, strict=True)
        ]
        self._statements.append((text, tuple(params)))

    def insert(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """As `bulk_create(objs)` in one statement; the objects' primary keys are not read back."""
        if not objs:
            return
        connection = connections[self.using]
        text, fields = _insert_shape(model, len(objs), self.using)
        params = []
        relations = tuple(f for f in fields if f.many_to_one or f.one_to_one)
        for obj in objs:
            _relations_resolved(obj, relations)
            params += insert_values(obj, fields, connection)
        self._statements.append((text, tuple(params)))

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
