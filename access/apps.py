from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access rules")

    def ready(self) -> None:
        from alerts.visibility import alert_scope_register

        from .alerts import alert_visibility

        # The apps below this layer show alerts too (raised from meetings and visits).
        alert_scope_register(alert_visibility)
