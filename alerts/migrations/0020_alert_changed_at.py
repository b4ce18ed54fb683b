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


def touch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # elsewhere auto_now does it on save()
        schema_editor.execute(TOUCH)


def untouch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNTOUCH)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0019_accent_insensitive_search")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="changed_at",
            field=models.DateTimeField(auto_now=True, verbose_name="last change"),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["-changed_at"], name="alert_changed_at"),
        ),
        migrations.RunPython(touch, untouch, elidable=False),
    ]
