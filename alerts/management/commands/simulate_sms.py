from django.core.management.base import BaseCommand, CommandError

from alerts.simulate import simulate_sms


class Command(BaseCommand):
    help = "Send an inbound SMS through the real signed webhook path (no Twilio needed)."

    def add_arguments(self, parser):
        parser.add_argument("text", help="the SMS text")
        parser.add_argument(
            "--from", dest="sender", required=True, help="sender, e.g. +243991234567"
        )
        parser.add_argument("--to", default="", help="our number (default TWILIO_FROM_NUMBER)")
        parser.add_argument(
            "--url", default="", help="post to a running server, e.g. http://127.0.0.1:8000"
        )

    def handle(self, *args, text: str, sender: str, to: str, url: str, **options):
        reply = simulate_sms(sender=sender, text=text, to=to, base_url=url)
        self.stdout.write(f"{reply.status} {reply.message_sid}\n{reply.body}")
        if reply.status != 200:
            raise CommandError(f"the webhook answered {reply.status}")
