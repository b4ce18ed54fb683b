from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LpcConfig(AppConfig):
    name = "lpc"
    verbose_name = _("Local Protection Committees")
