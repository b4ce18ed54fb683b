"""The media links of inbound messages are encrypted like the raw request they came in: what a
picture shows, and who sent it, is personal."""

import json

import core.crypto
from core.columns import column_rewrite
from django.db import migrations


def _media_encrypted(value: str) -> str:
    try:
        links = json.loads(value)
    except ValueError:
        return value  # already a token
    if not links:
        return ""
    return core.crypto.encrypt(json.dumps(links, ensure_ascii=False, sort_keys=True))


def encrypt_media(apps, schema_editor):
    column_rewrite(schema_editor, "alerts_message", "media_urls", _media_encrypted)


def decrypt_media(apps, schema_editor):
    column_rewrite(schema_editor, "alerts_message", "media_urls", core.crypto.decrypt)
    schema_editor.execute("UPDATE alerts_message SET media_urls = '[]' WHERE media_urls = ''")


class Migration(migrations.Migration):
    dependencies = [("alerts", "0013_mask_provider_errors")]

    operations = [
        # JSON becomes text holding a token (on SQLite this remakes alerts_message, not
        # alerts_alert).
        migrations.AlterField(
            model_name="message",
            name="media_urls",
            field=core.crypto.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.RunPython(encrypt_media, decrypt_media),
    ]
