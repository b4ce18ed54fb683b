from django.db import migrations, models

# Every write to an alert row, QuerySet.update() included, moves changed_at: the dashboard's
# queue compares its newest value with the one the page was drawn at. clock_timestamp() rather
# than now(): a long transaction would otherwise stamp its rows with its start time.
TOUCH = """
CREATE OR REPLACE FUNCTION alerts_alert_touch() RETURNS trigger AS $$
BEGIN
    NEW.changed_at := clock_timestamp();
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER alerts_alert_touch BEFORE INSERT OR UPDATE ON alerts_alert
    FOR EACH ROW EXECUTE FUNCTION alerts_alert_touch();
"""
UNTOUCH = """
DROP TRIGGER IF EXISTS alerts_alert_touch ON alerts_alert;
DROP FUNCTION IF EXISTS alerts_alert_touch();
"""


CHANGED_AT = models.DateTimeField(auto_now=True, verbose_name="last change")


def _changed_at(apps):
    field = CHANGED_AT.clone()
    field.set_attributes_from_name("changed_at")
    return apps.get_model("alerts", "Alert"), field


def changed_at_add(apps, schema_editor):
    """SQLite cannot add a NOT NULL column through Django without remaking alerts_alert, which
    recreates its NULLS FIRST queue index, which SQLite refuses (see 0008 and 0011): there, a
    plain ADD COLUMN, filled from the last update."""
    model, field = _changed_at(apps)
    if schema_editor.connection.vendor == "sqlite":
        table, column = (schema_editor.quote_name(n) for n in (model._meta.db_table, field.column))
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} datetime NOT NULL "
            "DEFAULT '1970-01-01 00:00:00'"
        )
        schema_editor.execute(f"UPDATE {table} SET {column} = updated_at")  # noqa: S608
    else:
        schema_editor.add_field(model, field)


def changed_at_drop(apps, schema_editor):
    model, field = _changed_at(apps)
    if schema_editor.connection.vendor == "sqlite":
        table, column = (schema_editor.quote_name(n) for n in (model._meta.db_table, field.column))
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        schema_editor.remove_field(model, field)


def touch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # elsewhere auto_now does it on save()
        schema_editor.execute(TOUCH)


def untouch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNTOUCH)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0019_accent_insensitive_search")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="alert", name="changed_at", field=CHANGED_AT)
            ],
            database_operations=[migrations.RunPython(changed_at_add, changed_at_drop)],
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["-changed_at"], name="alert_changed_at"),
        ),
        migrations.RunPython(touch, untouch, elidable=False),
    ]
