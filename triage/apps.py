from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _lexicon_changed(sender, **kwargs) -> None:
    from .services import lexicon_reset

    lexicon_reset()  # this process at once; the others within the refresh period


def _priority_changed(sender, alert, **kwargs) -> None:
    from .services import alert_deadline_reset

    alert_deadline_reset(alert=alert)


def _categories_changed(sender, alert, by=None, **kwargs) -> None:
    from .services import alert_informant_threat

    alert_informant_threat(alert=alert, by=by)  # an analyst filed it as a threat to the reporter


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from alerts.services import urgent_check_register
        from alerts.signals import alert_categories_changed, alert_priority_changed

        from .engine import has_priority1_evidence

        # Intake sends a text that names a threat to life to the urgent triage queue. The
        # lexicon files alone (not the admins' terms, read from the database): the webhook
        # must not query for them.
        urgent_check_register(has_priority1_evidence)
        alert_priority_changed.connect(_priority_changed, dispatch_uid="triage-priority")
        alert_categories_changed.connect(_categories_changed, dispatch_uid="triage-categories")
        for signal in (post_save, post_delete):
            signal.connect(
                _lexicon_changed, sender="triage.LexiconTerm", dispatch_uid=f"lex-{signal}"
            )
