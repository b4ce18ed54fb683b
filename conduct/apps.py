from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "conduct"
    verbose_name = _("Conduct and discipline (CBCM)")

    def ready(self) -> None:
        from alerts.services import inbound_diversion_register
        from triage.services import confidential_route_register

        from .routes import DIVERSION, ROUTE

        inbound_diversion_register(DIVERSION)
        confidential_route_register(ROUTE)
