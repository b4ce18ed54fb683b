"""The admin's users and roles (Django groups), with permissions named in the reader's
language: Django stores their names in English ("Can add focal point") when it migrates."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """ "Réseaux | point focal | Peut ajouter point focal" for a model's own permissions; any
    other permission as Django names it."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in ACTIONS:
        return str(permission)
    meta = model._meta
    app = apps.get_app_config(meta.app_label).verbose_name
    return gettext("%(app)s | %(model)s | %(permission)s") % {
        "app": app,
        "model": meta.verbose_name,
        "permission": ACTIONS[action] % {"model": meta.verbose_name},
    }


class PermissionsInWords:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class RoleAdmin(PermissionsInWords, GroupAdmin):
    pass


class PersonAdmin(PermissionsInWords, UserAdmin):
    pass


admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)
admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
