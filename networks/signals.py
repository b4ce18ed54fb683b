"""Keep each role's model permissions in step with config.permissions.ROLE_PERMISSIONS."""

from django.contrib.auth.models import Group, Permission

from config.permissions import ROLE_PERMISSIONS


def sync_role_permissions(**kwargs) -> None:
    for role, rules in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.none()
        for app_label, actions in rules.items():
            codenames = Permission.objects.filter(content_type__app_label=app_label)
            if actions != "*":
                codenames = codenames.filter(codename__regex=r"^(" + "|".join(actions) + r")_")
            wanted = wanted | codenames
        group.permissions.set(wanted)
