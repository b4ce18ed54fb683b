"""`manage.py seed_demo`: idempotent demo data for a laptop or a training session."""

import importlib
import time

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alerts.selectors import alert_list
from networks import demo
from networks.models import Equipment, FocalPoint, Location, Membership, Network
from triage.demo import deadlines_settle
from triage.services import alert_triage_by_id

# Apps that may bring their own demo data as `<app>.demo.seed()`, seeded in this order.
PLUGGABLE_APPS = ("triage", "lpc", "cla", "conduct", "engagement", "polls")


class Command(BaseCommand):
    help = "Load demo users, places, networks and focal points (and other apps' demo data)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a known password: it only runs with DEBUG=true."
            )
        started = time.monotonic()
        with transaction.atomic():
            demo.seed_users()
            demo.seed_places()
            demo.seed_networks()
            demo.seed_focal_points()
        for app in PLUGGABLE_APPS:
            seed = self._plugin(app)
            if seed is not None:
                with transaction.atomic():
                    seed()
                self.stdout.write(f"  {app}: demo data loaded")
        self._triage_leftovers()
        deadlines_settle()  # other apps' demo alerts may be days old
        counts = {
            "users": User.objects.count(),
            "places": Location.objects.count(),
            "networks": Network.objects.count(),
            "focal points": FocalPoint.objects.count(),
            "memberships": Membership.objects.count(),
            "equipment": Equipment.objects.count(),
        }
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({elapsed:.1f} s): {summary}."))

    def _triage_leftovers(self) -> None:
        """Alerts the demo raised from meetings and visits are triaged now, as a worker would,
        so the demo never opens on a queue of untriaged alerts."""
        for pk in alert_list().filter(triaged_at__isnull=True).values_list("pk", flat=True):
            alert_triage_by_id(alert_id=pk)

    def _plugin(self, app: str):
        if not apps.is_installed(app):
            return None
        module_name = f"{app}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise  # the demo module exists but one of its own imports is missing
        return getattr(module, "seed", None)
