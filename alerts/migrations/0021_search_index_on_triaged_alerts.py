"""The trigram index of the queue's search holds triaged alerts only: a new alert no longer
writes to it when intake stores it (under a surge, a good share of the database's work for an
SMS), and it enters the index when triage records its decision, an update that rewrites the
row's index entries in any case. The few alerts not triaged yet are searched through their own
index (alert_untriaged): alerts.selectors.search_q asks for both. PostgreSQL only.

The new index is built CONCURRENTLY beside the old one, which is then dropped the same way: the
alert table is never locked against intake's inserts while a large index builds, and the
search has an index at every moment. A build that was interrupted leaves an invalid index
under the temporary name, dropped first when the migration runs again."""

from django.db import migrations

TEMPORARY = "alert_text_fold_trgm_next"


def _swap(predicate: str) -> tuple[str, ...]:
    return (
        f"DROP INDEX CONCURRENTLY IF EXISTS {TEMPORARY}",
        f"CREATE INDEX CONCURRENTLY {TEMPORARY} ON alerts_alert"
        f" USING gin (kengele_fold(text) gin_trgm_ops){predicate}",
        "DROP INDEX CONCURRENTLY IF EXISTS alert_text_fold_trgm",
        f"ALTER INDEX {TEMPORARY} RENAME TO alert_text_fold_trgm",
    )


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("alerts", "0020_alert_changed_at")]

    operations = [
        migrations.RunPython(
            _run(_swap(" WHERE triaged_at IS NOT NULL")), _run(_swap("")), atomic=False
        )
    ]
