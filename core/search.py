"""Accent- and case-insensitive search, the same on PostgreSQL and SQLite.

`kengele_fold(text)` is an SQL function on both databases: on PostgreSQL an immutable wrapper
around the `unaccent` extension (created by a migration, so a trigram index can be built on it),
on SQLite a Python function registered on every new connection. `fold` does the same in Python
to the words searched for, so "Hommes armes" finds "hommes armés"."""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField

FOLD_FUNCTION = "kengele_fold"
# Letters unaccent spells out that Unicode does not decompose.
_SPELLED_OUT = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o"})


def fold(value: str | None) -> str | None:
    """`value` without accents, in capitals (as `kengele_fold` folds it in the database)."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.translate(_SPELLED_OUT))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


class Fold(Func):
    """`kengele_fold(expression)` in a query."""

    function = FOLD_FUNCTION
    output_field = TextField()


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


connection_created.connect(register_sqlite_fold, dispatch_uid="kengele_fold_sqlite")
