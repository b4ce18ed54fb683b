from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access rules")

    def ready(self) -> None:
        from alerts.visibility import alert_scope_register
        from networks.identities import identity_scope_register

        from .alerts import alert_visibility
        from .identities import identity_visibility

        # The apps below this layer show alerts too (raised from meetings and visits), and
        # identities (the admin site, field visits): they reach the rules through these.
        alert_scope_register(alert_visibility)
        identity_scope_register(identity_visibility)
