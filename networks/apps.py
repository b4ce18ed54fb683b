from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        from .signals import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="kengele-role-permissions")
