"""Focal points' notes and equipment notes are encrypted at rest, as the names, numbers and SIM
serials next to them are: free text about one person can name them or give a number."""

import core.crypto
from core.columns import column_rewrite
from django.db import migrations

NOTES = (("networks_focalpoint", "notes"), ("networks_equipment", "notes"))


def _is_token(value: str) -> bool:
    try:
        core.crypto.decrypt(value)
    except core.crypto.UndecryptableValue:
        return False
    return True


def encrypt_notes(apps, schema_editor):
    for table, column in NOTES:
        column_rewrite(
            schema_editor,
            table,
            column,
            lambda value: value if _is_token(value) else core.crypto.encrypt(value),
        )


def decrypt_notes(apps, schema_editor):
    for table, column in NOTES:
        column_rewrite(schema_editor, table, column, core.crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [("networks", "0004_discreet_mode_and_informants_at_risk")]

    operations = [
        # The same text column, read and written through the encrypting field from now on.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="focalpoint",
                    name="notes",
                    field=core.crypto.EncryptedTextField(blank=True, verbose_name="notes"),
                ),
            ],
        ),
        # A token is longer than the 200 characters the column held: a text column now.
        migrations.AlterField(
            model_name="equipment",
            name="notes",
            field=core.crypto.EncryptedTextField(blank=True, max_length=200, verbose_name="notes"),
        ),
        migrations.RunPython(encrypt_notes, decrypt_notes),
    ]
