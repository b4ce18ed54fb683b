"""Re-encrypt every encrypted column under the first FIELD_ENCRYPTION_KEY.

Columns are found by field class (ENCRYPTED_FIELD_CLASSES) across every installed app, so a new
app's encrypted fields are rotated without being listed anywhere.
Rows are read and written in batches, each committed on its own: an interrupted run keeps its
work, and a rerun skips values already under the first key. A row changed by the application
meanwhile is left as it is (it was written under the first key anyway).

Lookup hashes are not touched: they are keyed by FIELD_HASH_KEY, which outlives encryption keys
(see core.crypto.lookup_hash).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import connection, models, transaction

from .crypto import (
    EncryptedBytesField,
    EncryptedJSONField,
    EncryptedTextField,
    UndecryptableValue,
    configured_keys,
    fernet,
    fernet_key,
)

ENCRYPTED_FIELD_CLASSES = (EncryptedTextField, EncryptedJSONField, EncryptedBytesField)
DEFAULT_BATCH_SIZE = 500


@dataclass
class RotationReport:
    # "app_label.Model.field" -> values re-encrypted (or, in a dry run, still to be).
    rotated: dict[str, int] = field(default_factory=dict)
    # "app_label.Model.field" -> values already under the first key.
    current: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rotated.values())


def encrypted_fields() -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every encrypted column of every installed model, each once (on its concrete model)."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for model_field in meta.local_concrete_fields:
            if isinstance(model_field, ENCRYPTED_FIELD_CLASSES):
                yield model, model_field


def field_label(model: type[models.Model], model_field: models.Field) -> str:
    return f"{model._meta.label}.{model_field.name}"


def _is_current(primary: Fernet, token: str) -> bool:
    try:
        primary.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _rotate_column(
    model: type[models.Model], model_field: models.Field, *, batch_size: int, dry_run: bool
) -> tuple[int, int]:
    primary = Fernet(fernet_key(configured_keys()[0]))
    every_key = fernet()
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model_field.column)
    pk = quote(model._meta.pk.column)
    # Raw SQL: the ORM would hand back decrypted values, and saving would bump updated_at.
    # Identifiers are quoted names from the models; values are parameters.
    select = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
    update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"  # noqa: S608
    rotated = current = 0
    last = None
    while True:
        # Keyset paging by primary key: each batch starts after the last one seen.
        after, params = ("", []) if last is None else (f" AND {pk} > %s", [last])
        with connection.cursor() as cursor:
            cursor.execute(f"{select}{after} ORDER BY {pk} LIMIT %s", [*params, batch_size])
            rows = cursor.fetchall()
        if not rows:
            return rotated, current
        last = rows[-1][0]
        changes = []
        for row_pk, token in rows:
            if _is_current(primary, token):
                current += 1
                continue
            try:
                fresh = every_key.rotate(token.encode()).decode()
            except InvalidToken as exc:
                raise UndecryptableValue(
                    f"{field_label(model, model_field)} of row {row_pk} cannot be read with any "
                    "key of FIELD_ENCRYPTION_KEY: add the key it was written with after the new "
                    "one, then run the rotation again."
                ) from exc
            changes.append((fresh, row_pk, token))
        rotated += len(changes)
        if changes and not dry_run:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(update, changes)


def encryption_key_rotate(
    *, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> RotationReport:
    """Re-encrypt every encrypted value under the first key (or count them, in a dry run)."""
    report = RotationReport()
    for model, model_field in encrypted_fields():
        label = field_label(model, model_field)
        report.rotated[label], report.current[label] = _rotate_column(
            model, model_field, batch_size=batch_size, dry_run=dry_run
        )
    return report
