"""Create the conduct role as a group (its permissions are kept in step by networks.signals)."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="conduct")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="conduct").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conduct", "0001_cbcm_members_and_complaints"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_role, remove_role)]
