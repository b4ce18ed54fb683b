from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaConfig(AppConfig):
    name = "cla"
    verbose_name = _("Community Liaison Assistants")
