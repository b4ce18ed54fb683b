from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaConfig(AppConfig):
    name = "cla"
    verbose_name = _("Community Liaison Assistants")

    def ready(self) -> None:
        from lpc.permissions import cla_places_register
        from networks.handover.services import kinds_register

        from .handover import KINDS
        from .selectors import cla_place_ids

        kinds_register(KINDS)  # this app's rows in the networks' handover archive
        cla_places_register(cla_place_ids)  # where a CLA works, for committees' rules
