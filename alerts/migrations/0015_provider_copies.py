"""The provider's copies of messages and call recordings are deleted once Kengele holds its
own: a column per message saying when, and the recordings kept here (encrypted), each with the
same. Recordings already referenced by alerts are registered, to be fetched and deleted too."""

import core.crypto
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def register_recordings(apps, schema_editor):
    # Raw SQL reading alerts_alert, so that its table is left exactly as it is.
    schema_editor.execute(
        "INSERT INTO alerts_recording "
        "(alert_id, provider_url, audio, content_type, size, created_at) "
        "SELECT id, recording_url, '', '', 0, received_at FROM alerts_alert "
        "WHERE recording_url <> '' "
        "AND id NOT IN (SELECT alert_id FROM alerts_recording)"
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0014_encrypt_media_urls")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="provider_delete_queued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="provider_deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(provider_deleted_at__isnull=True, provider_sid__isnull=False),
                fields=["created_at"],
                name="message_provider_copy",
            ),
        ),
        migrations.CreateModel(
            name="Recording",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("provider_url", models.URLField(max_length=500)),
                ("audio", core.crypto.EncryptedBytesField(blank=True, editable=False)),
                ("content_type", models.CharField(blank=True, max_length=40)),
                ("size", models.PositiveIntegerField(default=0)),
                ("fetched_at", models.DateTimeField(blank=True, null=True)),
                ("provider_delete_queued_at", models.DateTimeField(blank=True, null=True)),
                ("provider_deleted_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "alert",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recording",
                        to="alerts.alert",
                    ),
                ),
            ],
            options={"verbose_name": "recording", "verbose_name_plural": "recordings"},
        ),
        migrations.AddIndex(
            model_name="recording",
            index=models.Index(
                condition=models.Q(provider_deleted_at__isnull=True),
                fields=["created_at"],
                name="recording_provider_copy",
            ),
        ),
        migrations.RunPython(register_recordings, migrations.RunPython.noop),
    ]
