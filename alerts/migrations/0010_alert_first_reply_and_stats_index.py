"""Each alert keeps the time of its first SMS reply (filled here from the replies already
stored, then by Message.save), and the statistics get indexes holding every column they read:
of the period's alerts (dismissed ones left out), of inbound messages (who wrote). Replies need
none any more."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Q, Subquery


def first_replies_fill(apps, schema_editor):
    Alert, Message = apps.get_model("alerts", "Alert"), apps.get_model("alerts", "Message")
    replies = Message.objects.filter(direction="outbound", kind="reply", alert__isnull=False)
    first = (
        replies.filter(alert=OuterRef("pk"))
        .order_by()
        .values("alert")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    Alert.objects.filter(pk__in=replies.values("alert")).update(first_reply_at=Subquery(first))


class Migration(migrations.Migration):
    dependencies = [("alerts", "0009_alert_text_search")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="first_reply_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first reply"
            ),
        ),
        migrations.RunPython(first_replies_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                condition=~Q(status="dismissed"),
                fields=[
                    "received_at",
                    "priority",
                    "source",
                    "location",
                    "reporter",
                    "incident",
                    "acknowledged_at",
                    "closed_at",
                    "first_reply_at",
                    "categories",
                ],
                name="alert_stats",
            ),
        ),
        migrations.RemoveIndex(model_name="message", name="message_reply_created"),
        migrations.RemoveIndex(model_name="message", name="message_inbound_created"),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=Q(direction="inbound"),
                fields=["created_at", "focal_point"],
                name="message_inbound_created",
            ),
        ),
    ]
