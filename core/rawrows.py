"""Model instances from a hand-written SELECT, as `Model.objects.raw()` makes them, with what
raw() works out again for every query (which columns are fields, in what order the model takes
them, each column's converters) worked out once per list of columns and process: for the
one-row reads triage makes for every alert, that cost more than building the instances."""

from collections.abc import Sequence
from functools import lru_cache

from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, models


@lru_cache(maxsize=64)
def _reading(model: type[models.Model], columns: tuple[str, ...], connection) -> tuple:
    """(the model's field names and their columns' positions, in the model's order; the
    other columns as (name, position); the converters as (position, converters, column))."""
    to_name = connection.introspection.identifier_converter
    by_column = {to_name(f.column): f for f in model._meta.fields}
    init_fields = [f for f in model._meta.fields if to_name(f.column) in columns]
    names = tuple(f.attname for f in init_fields)
    if model._meta.pk.attname not in names:
        raise FieldDoesNotExist("Raw query must include the primary key")
    positions = tuple(columns.index(to_name(f.column)) for f in init_fields)
    annotations = tuple((c, pos) for pos, c in enumerate(columns) if c not in by_column)
    converters = []
    for pos, column in enumerate(columns):
        field = by_column.get(column)
        if field is None:
            continue
        expression = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if found:
            converters.append((pos, tuple(found), expression))
    return names, positions, annotations, tuple(converters)


def model_rows(
    model: type[models.Model], sql: str, params: Sequence, using: str = DEFAULT_DB_ALIAS
) -> list[models.Model]:
    """`list(model.objects.raw(sql, params))`, made faster for statements run again and again."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        to_name = connection.introspection.identifier_converter
        columns = tuple(to_name(column[0]) for column in cursor.description)
        rows = cursor.fetchall()
    names, positions, annotations, converters = _reading(model, columns, connection)
    instances = []
    for row in rows:
        if converters:
            row = list(row)
            for pos, functions, expression in converters:
                value = row[pos]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[pos] = value
        instance = model.from_db(using, names, [row[pos] for pos in positions])
        for column, pos in annotations:
            setattr(instance, column, row[pos])
        instances.append(instance)
    return instances
