from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _gazetteer_changed(sender, **kwargs) -> None:
    from django.core.cache import cache

    from .views_followup import PLACE_CHOICES_CACHE_KEY

    cache.delete(PLACE_CHOICES_CACHE_KEY)


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # The place picker of the correction form is cached: a new or renamed place shows at once.
        post_save.connect(_gazetteer_changed, sender="networks.Location", dispatch_uid="dash-gaz")
        post_delete.connect(
            _gazetteer_changed, sender="networks.Location", dispatch_uid="dash-gaz-del"
        )
