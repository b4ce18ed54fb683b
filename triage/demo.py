"""Demo data for triage: the demo analyst on duty for the Beni and Lubero territories, the
demo supervisor with a number for deadline notices, and old missed deadlines marked as
escalated back then (so the first beat does not send weeks of notices at once).

Idempotent: profiles are keyed on their user, and an alert escalated once stays escalated.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from alerts.models import Alert
from networks.models import Location

from .demo_alerts import seed as seed_alerts
from .models import AnalystProfile

ANALYST_TERRITORIES = ("Beni", "Lubero")
SUPERVISOR_PHONE = "+243810000001"  # a demo number: SMS go to the console backend
# Deadlines missed longer ago than this are history in the demo, not news.
ESCALATED_HISTORY = dt.timedelta(hours=12)


def seed() -> int:
    made = seed_alerts()  # the SMS alerts first, triaged as a worker would
    analyst = User.objects.filter(username="analyst").first()
    if analyst is not None:
        profile, created = AnalystProfile.objects.get_or_create(
            user=analyst, defaults={"on_duty": True}
        )
        made += created
        if created:
            profile.areas.set(
                Location.objects.filter(kind=Location.Kind.TERRITORY, name__in=ANALYST_TERRITORIES)
            )
    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor is not None:
        _profile, created = AnalystProfile.objects.get_or_create(
            user=supervisor, defaults={"phone": SUPERVISOR_PHONE}
        )
        made += created
    deadlines_settle()
    return made


def deadlines_settle() -> int:
    """Mark deadlines missed longer ago than ESCALATED_HISTORY as escalated back then. Run again
    by seed_demo once every app has seeded (their demo alerts may be days old)."""
    return Alert.objects.filter(
        sla_escalated_at__isnull=True, sla_due_at__lt=timezone.now() - ESCALATED_HISTORY
    ).update(sla_escalated_at=F("sla_due_at"))
