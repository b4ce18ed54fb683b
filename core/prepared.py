"""Statements PostgreSQL parses and plans once per connection instead of at every run.

The statements a worker or webhook runs for every alert are short: PostgreSQL spent about as
long planning them as running them. `prepared(sql)` gives the text to send instead of `sql`
(same %s parameters, in the same order): `EXECUTE name (%s, …)` of a statement this
connection prepared the first time it met that text. Statements are named after their text,
so each shape is prepared once whatever its values.

Plain `sql` is returned where preparing would not pay or not work: other databases,
connections that are not kept (CONN_MAX_AGE 0: a new session each request), and poolers in
transaction mode (DISABLE_SERVER_SIDE_CURSORS, as Django asks for one), which hand each
transaction another session. A session that lost its statements (a pooler's DISCARD ALL)
fails the statement once; `forget_on_lost_statement` then forgets what it had prepared so the
next attempt prepares again.
"""

import hashlib
import itertools
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

# The names each driver connection has prepared (forgotten with the connection).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%s")


def _numbered(sql: str) -> str:
    """The %s placeholders of `sql` as PostgreSQL's $1, $2, … (in order)."""
    count = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _: f"${next(count)}", sql)


@lru_cache(maxsize=512)
def _execute_text(sql: str) -> tuple[str, str]:
    """The statement's name, from its text, and the EXECUTE that runs it: worked out once per
    text and process."""
    name = "k_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
    count = sql.count("%s")
    return name, f"EXECUTE {name} ({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"


def preparable(using: str = DEFAULT_DB_ALIAS) -> bool:
    db = connections[using]
    settings = db.settings_dict
    return (
        db.vendor == "postgresql"
        and settings.get("CONN_MAX_AGE") != 0
        and not settings.get("DISABLE_SERVER_SIDE_CURSORS")
    )


def prepared(sql: str, using: str = DEFAULT_DB_ALIAS) -> str:
    """The text that runs `sql` (one statement, %s placeholders, no literal %) as a prepared
    statement of this connection, preparing it first if need be; `sql` itself where
    statements are not prepared (see the module's docstring)."""
    if not preparable(using) or "%%" in sql:  # a literal % would not survive numbering
        return sql
    db = connections[using]
    db.ensure_connection()
    names = _prepared.setdefault(db.connection, set())
    name, execute = _execute_text(sql)
    if name not in names:
        with db.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    return execute


@contextmanager
def forget_on_lost_statement(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let an error through, but when the session no longer knows a prepared statement,
    forget every statement this connection prepared: the next attempt prepares them again."""
    try:
        yield
    except DatabaseError as exc:
        cause = exc.__cause__
        if getattr(cause, "pgcode", None) == "26000":  # invalid_sql_statement_name
            prepared_forget(using)
        raise


def prepared_forget(using: str = DEFAULT_DB_ALIAS) -> None:
    """Forget the statements this connection prepared (after the session dropped them)."""
    db = connections[using]
    if db.connection is not None:
        _prepared.pop(db.connection, None)
