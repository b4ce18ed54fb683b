"""The queue's search ignores accents and case: `kengele_fold(text)` (upper(unaccent(text)),
immutable so it can be indexed) and a trigram index on the folded alert text, in place of the
index on upper(text) (pg_trgm comes from 0009). PostgreSQL only; on SQLite `kengele_fold` is
a Python function that core.search registers on each connection."""

from django.db import migrations

# Not django.contrib.postgres's UnaccentExtension: undone, it asks pg_extension whatever the
# database, which fails on SQLite. The extension stays when this is undone, as pg_trgm does.
EXTENSION = ("CREATE EXTENSION IF NOT EXISTS unaccent",)
CREATE = (
    "CREATE OR REPLACE FUNCTION kengele_fold(text) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
    " AS $$ SELECT upper(public.unaccent('public.unaccent'::regdictionary, $1)) $$",
    "CREATE INDEX IF NOT EXISTS alert_text_fold_trgm"
    " ON alerts_alert USING gin (kengele_fold(text) gin_trgm_ops)",
    "DROP INDEX IF EXISTS alert_text_trgm",
)
DROP = (
    "CREATE INDEX IF NOT EXISTS alert_text_trgm ON alerts_alert USING gin (upper(text) gin_trgm_ops)",
    "DROP INDEX IF EXISTS alert_text_fold_trgm",
    "DROP FUNCTION IF EXISTS kengele_fold(text)",
)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("alerts", "0018_message_kind_poll_answer")]

    operations = [
        migrations.RunPython(_run(EXTENSION), migrations.RunPython.noop),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
