"""The queue's free-text search (`q`): a trigram index on the alert's text, so that a search
for a village's name reads the matching alerts rather than every open one. PostgreSQL only
(extension pg_trgm, trusted: the database's owner may create it); SQLite has no such index and
needs none at a development database's size."""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS alert_text_trgm ON alerts_alert USING gin (upper(text) gin_trgm_ops)",
)
DROP = ("DROP INDEX IF EXISTS alert_text_trgm",)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("alerts", "0008_queue_and_statistics_indexes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
