"""The trigram index of the queue's search holds triaged alerts only: a new alert no longer
writes to it when intake stores it (under a surge, a good share of the database's work for an
SMS), and it enters the index when triage records its decision, an update that rewrites the
row's index entries in any case. The few alerts not triaged yet are searched through their own
index (alert_untriaged): alerts_selectors.search_q asks for both. PostgreSQL only."""

from django.db import migrations

CREATE = (
    "DROP INDEX IF EXISTS alert_text_fold_trgm",
    "CREATE INDEX alert_text_fold_trgm ON alerts_alert"
    " USING gin (kengele_fold(text) gin_trgm_ops) WHERE triaged_at IS NOT NULL",
)
DROP = (
    "DROP INDEX IF EXISTS alert_text_fold_trgm",
    "CREATE INDEX alert_text_fold_trgm ON alerts_alert USING gin (kengele_fold(text) gin_trgm_ops)",
)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("alerts", "0020_alert_changed_at")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
