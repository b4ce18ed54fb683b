"""Load the default keywords and automatic replies (admins edit them afterwards)."""

from pathlib import Path

import yaml
from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "intake.yaml"


def load(apps, schema_editor):
    Keyword = apps.get_model("alerts", "Keyword")
    ReplyText = apps.get_model("alerts", "ReplyText")
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    languages = data.get("keyword_languages", {})
    for action, words in data["keywords"].items():
        for word in words:
            Keyword.objects.get_or_create(
                word=word, defaults={"action": action, "language": languages.get(word, "")}
            )
    for key, texts in data["replies"].items():
        for language, text in texts.items():
            ReplyText.objects.get_or_create(key=key, language=language, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
