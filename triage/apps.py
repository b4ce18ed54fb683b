from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _gazetteer_changed(sender, **kwargs) -> None:
    from django.core.cache import cache

    from .views_followup import PLACE_CHOICES_CACHE_KEY

    cache.delete(PLACE_CHOICES_CACHE_KEY)


def _lexicon_changed(sender, **kwargs) -> None:
    from .services import lexicon_reset

    lexicon_reset()  # this process at once; the others within the refresh period


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from alerts.services import urgent_check_register

        from .engine import has_priority1_evidence

        # Intake sends a text that names a threat to life to the urgent triage queue. The
        # lexicon files alone (not the admins' terms, read from the database): the webhook
        # must not query for them.
        urgent_check_register(has_priority1_evidence)
        # The place picker of the correction form is cached: a new or renamed place shows at once.
        post_save.connect(_gazetteer_changed, sender="networks.Location", dispatch_uid="triage-gaz")
        post_delete.connect(
            _gazetteer_changed, sender="networks.Location", dispatch_uid="triage-gaz-del"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                _lexicon_changed, sender="triage.LexiconTerm", dispatch_uid=f"lex-{signal}"
            )
