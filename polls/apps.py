from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "polls"
    verbose_name = _("Perception polls")

    def ready(self) -> None:
        from alerts.services import answer_taker_register
        from alerts.signals import broadcast_recipient_sent

        from .services import answer_take, conversation_open_for, polls_open

        # Intake asks this app whether an SMS answers a poll (alerts never import polls), and
        # skips the question while no poll is open.
        answer_taker_register(answer_take, expecting=polls_open)
        broadcast_recipient_sent.connect(conversation_open_for, dispatch_uid="polls-conversation")
