from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LpcConfig(AppConfig):
    name = "lpc"
    verbose_name = _("Local Protection Committees")

    def ready(self) -> None:
        from networks.handover.services import kinds_register

        from .handover import KINDS

        kinds_register(KINDS)  # this app's rows in the networks' handover archive
