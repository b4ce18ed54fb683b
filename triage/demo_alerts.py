"""Demo alerts: three weeks of SMS from the demo focal points, triaged, some worked on.

Idempotent: each demo SMS has a fixed MessageSid, so a second run adds nothing.
"""

import datetime as dt
import random

from django.contrib.auth.models import User
from django.utils import timezone

from alerts.channels.base import InboundSMS
from alerts.models import Alert, Message
from alerts.services import alert_update, inbound_receive
from networks.models import FocalPoint

from .services import alert_triage

DEMO_DAYS = 21
DEMO_COUNT = 120
TEXTS = {
    "fr": [
        "Hommes armés entrés à {place} ce soir, on entend des coups de feu",
        "Des gens fuient {place} vers la route principale, ils disent que les ADF arrivent",
        "Enlèvement de 3 personnes au champ près de {place} ce matin",
        "Pillage de chèvres et de récoltes à {place} cette nuit par des hommes en uniforme",
        "Conflit foncier entre deux familles à {place}, la tension monte",
        "Tracts trouvés à {place} menaçant une communauté de partir",
        "Bonjour, le réseau fonctionne bien à {place}, merci",
        "Militaires vus en mouvement près de {place}, la population a peur",
    ],
    "sw": [
        "Watu wenye silaha wameingia {place} sasa hivi, risasi zinasikika",
        "Wananchi wanakimbia kutoka {place} kwa sababu ya vita",
        "Watu wawili wametekwa karibu na {place} jana usiku",
        "Wizi wa ng'ombe {place} usiku huu",
        "Mzozo wa ardhi kati ya vijiji karibu na {place}",
        "Habari, hakuna shida {place} leo, asante",
    ],
    "ln": [
        "Bato ya mondoki bakoti na {place}, masasi ezali kobeta",
        "Bato bazali kokima {place} mpo na bitumba",
    ],
    "en": ["Armed men seen near {place}, people are afraid", "Gunshots heard in {place} right now"],
}


def seed() -> int:
    rng = random.Random(20261125)  # noqa: S311 (demo data, not security)
    people = list(
        FocalPoint.objects.filter(
            active=True, opted_out_at__isnull=True, home_location__isnull=False
        )
        .select_related("home_location")
        .order_by("id")
    )
    if not people:
        return 0
    analyst = User.objects.filter(username="analyst").first()
    now = timezone.now()
    created = 0
    for number in range(DEMO_COUNT):
        sid = f"SMDEMO{number:05d}"
        person = rng.choice(people)
        language = person.language if person.language in TEXTS else "fr"
        text = rng.choice(TEXTS[language]).format(place=person.home_location.name)
        received = now - dt.timedelta(minutes=rng.randint(30, DEMO_DAYS * 24 * 60))
        worked = rng.random()
        if Message.objects.filter(provider_sid=sid).exists():
            continue
        sms = InboundSMS(
            provider_sid=sid,
            sender=person.phone,
            recipient="+15005550006",
            body=text,
            raw={"MessageSid": sid, "Body": text, "demo": "true"},
            received_at=received,
        )
        result = inbound_receive(sms=sms)
        created += 1
        if result.alert is None:
            continue
        alert = alert_triage(alert=result.alert)
        if analyst and worked < 0.6 and alert.received_at < now - dt.timedelta(hours=6):
            alert_update(
                alert=alert, by=analyst, status=Alert.Status.ACKNOWLEDGED, assignee=analyst
            )
            if worked < 0.35:
                # Checked, then closed: the outcome feeds the reporter's reliability.
                outcome = Alert.Status.FALSE_ALARM if worked < 0.05 else Alert.Status.VERIFIED
                alert_update(alert=alert, by=analyst, status=outcome)
                alert_update(alert=alert, by=analyst, status=Alert.Status.CLOSED)
    return created
