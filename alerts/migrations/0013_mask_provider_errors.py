"""The provider's error texts (which can quote the number) are kept with long digit runs masked,
the error code and the rest of the words readable."""

import core.redact
from core.columns import column_rewrite
from django.db import migrations

ERROR_COLUMNS = (("alerts_message", "error_message"), ("alerts_sendattempt", "error_message"))


def mask_errors(apps, schema_editor):
    for table, column in ERROR_COLUMNS:
        column_rewrite(
            schema_editor, table, column, lambda text: core.redact.mask_numbers(text)[:300]
        )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0012_discreet_wording")]

    operations = [
        # Same columns: values are masked when written from now on, and those written before
        # are masked now.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="error_message",
                    field=core.redact.NumbersMaskedCharField(blank=True, max_length=300),
                ),
                migrations.AlterField(
                    model_name="sendattempt",
                    name="error_message",
                    field=core.redact.NumbersMaskedCharField(blank=True, max_length=300),
                ),
            ],
        ),
        migrations.RunPython(mask_errors, migrations.RunPython.noop),
    ]
