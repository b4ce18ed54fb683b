"""Demo data for the lpc app: committees on the demo places, members, meetings, alerts.

Deterministic (one seeded random.Random per committee) and idempotent: committees are keyed on
their name, members on their committee and name, and a committee's meetings are recorded only
while it has none, so `seed_demo` can run at every start. Meeting dates count back from the
current month, so a fresh demo always shows recent meetings.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from networks.models import Location

from .constants import ATTENDANCE_FIELDS
from .models import LPC, ActionPoint, LPCMember
from .services import (
    ActionPointInput,
    lpc_create,
    lpc_meeting_create,
    lpc_member_create,
    lpc_update,
    meeting_alert_raise,
)

SEED = 20261201
MISSION_FUNDING = "MONUSCO – Affaires civiles (projets à impact rapide)"


@dataclass(frozen=True)
class DemoLPC:
    name: str
    territory: str
    places: tuple[str, ...]
    kind: str
    founded_on: dt.date
    status: str = LPC.Status.ACTIVE
    supported: bool = True  # by the demo CLA
    funding: str = MISSION_FUNDING
    members: int = 9
    meetings: int = 4
    # Groups with a seat whose members never come: the report shows them as never present.
    absent_groups: tuple[str, ...] = ()
    alert: str = ""  # raised from the latest meeting


G = LPCMember.Group
COMMITTEES = (
    DemoLPC(
        "CLP Oicha",
        "Beni",
        ("Oicha", "Mbau"),
        LPC.Kind.MISSION,
        dt.date(2019, 5, 14),
        members=11,
        meetings=5,
        absent_groups=(G.DISABILITY,),
        alert=(
            "Réunion du CLP : des hommes armés ont été vus la nuit dernière sur la route "
            "Oicha–Mbau, les habitants de Mbau ont peur d'aller aux champs."
        ),
    ),
    DemoLPC(
        "CLP Eringeti",
        "Beni",
        ("Eringeti",),
        LPC.Kind.COMMUNITY,
        dt.date(2020, 2, 3),
        funding="Contributions des membres",
        absent_groups=(G.DISPLACED,),
    ),
    DemoLPC(
        "CLP Kamango",
        "Beni",
        ("Kamango", "Mutwanga"),
        LPC.Kind.MISSION,
        dt.date(2020, 9, 21),
        members=8,
    ),
    DemoLPC(
        "CLP Kirumba",
        "Lubero",
        ("Kirumba", "Kanyabayonga"),
        LPC.Kind.COMMUNITY,
        dt.date(2021, 4, 8),
        funding="Paroisse de Kirumba",
        absent_groups=(G.YOUTH,),
    ),
    DemoLPC(
        "CLP Kiwanja",
        "Rutshuru",
        ("Kiwanja", "Rubare"),
        LPC.Kind.MISSION,
        dt.date(2019, 11, 2),
        status=LPC.Status.DORMANT,
        supported=False,
        members=7,
        meetings=2,
    ),
    DemoLPC(
        "CLP Kitshanga",
        "Masisi",
        ("Kitshanga",),
        LPC.Kind.MISSION,
        dt.date(2021, 1, 25),
        supported=False,
        absent_groups=(G.DISPLACED, G.DISABILITY),
    ),
    DemoLPC(
        "CLP Fataki",
        "Djugu",
        ("Fataki", "Drodro"),
        LPC.Kind.MISSION,
        dt.date(2020, 6, 30),
        supported=False,
        members=10,
        alert=(
            "Réunion du CLP de Fataki : des tracts menaçant une communauté ont été trouvés à "
            "Drodro, la tension monte entre les villages."
        ),
    ),
    DemoLPC(
        "CLP Komanda",
        "Irumu",
        ("Komanda", "Boga"),
        LPC.Kind.COMMUNITY,
        dt.date(2022, 3, 17),
        supported=False,
        funding="Église locale et commerçants",
        members=8,
        meetings=3,
    ),
)

GIVEN = {
    "female": ["Kavira", "Masika", "Kahindo", "Furaha", "Neema", "Sifa", "Mapendo", "Zawadi"],
    "male": ["Kambale", "Paluku", "Kasereka", "Muhindo", "Baraka", "Jean-Pierre", "Dieudonné"],
}
FAMILY = ["Mumbere", "Kasereka", "Vagheni", "Kataliko", "Mathe", "Ngabo", "Dhedonga", "Ukety"]
ROLES = [
    LPCMember.Role.PRESIDENT,
    LPCMember.Role.VICE_PRESIDENT,
    LPCMember.Role.SECRETARY,
    LPCMember.Role.TREASURER,
    LPCMember.Role.ADVISER,
]
# The groups seats are drawn from, and how often ("" = no group given).
GROUPS = (
    (G.WOMEN, 4),
    (G.YOUTH, 3),
    (G.ELDERS, 2),
    (G.CUSTOMARY, 2),
    (G.RELIGIOUS, 2),
    (G.DISPLACED, 1),
    (G.DISABILITY, 1),
    (G.COMMUNITY, 2),
    ("", 3),
)
COMMUNITIES = ("Nande", "Bambuba", "Hunde", "Hema", "Lendu", "Bira")
AGE_BANDS = (("18-24", 2), ("25-34", 3), ("35-49", 4), ("50-64", 3), ("65+", 1))
RISKS = (
    ["armed_presence"],
    ["armed_presence", "displacement"],
    ["intercommunal_tension"],
    ["looting"],
    ["hate_speech", "intercommunal_tension"],
    ["abduction", "armed_presence"],
)
RISK_WORDS = {
    "armed_presence": "présence d'hommes armés",
    "displacement": "déplacement de familles",
    "intercommunal_tension": "tension entre communautés",
    "hate_speech": "tracts et propos haineux",
    "abduction": "enlèvements",
    "looting": "pillages",
}
RISK_FACTORS = {
    "armed_presence": "RF1",
    "displacement": "RF13",
    "intercommunal_tension": "RF9",
    "hate_speech": "RF10",
    "abduction": "RF13",
    "looting": "RF1",
}
ACTIONS = (
    "Informer le chef de groupement des mouvements signalés",
    "Organiser une sensibilisation sur le système d'alerte au marché",
    "Rencontrer les leaders des deux communautés pour apaiser la tension",
    "Demander une patrouille de nuit aux FARDC par l'intermédiaire de l'ALC",
    "Recenser les familles déplacées arrivées ce mois",
    "Vérifier le crédit téléphonique des points focaux",
)
OWNERS = ("Président du comité", "Secrétaire", "Chef de village", "Représentante des femmes")
MINUTES = (
    "Le comité a passé en revue la situation sécuritaire du mois. {risks}. Les membres "
    "demandent que les alertes soient transmises sans délai."
)


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _months_back(anchor: dt.date, months: int) -> dt.date:
    month = anchor.month - 1 - months
    return dt.date(anchor.year + month // 12, month % 12 + 1, 1)


def _places(spec: DemoLPC) -> list[Location]:
    return list(
        Location.objects.filter(
            name__in=spec.places, parent__name=spec.territory, parent__kind="territory"
        )
    )


def _committee(spec: DemoLPC, cla: User | None) -> LPC | None:
    places = _places(spec)
    if not places:
        return None  # the gazetteer was not loaded
    fields = {
        "kind": spec.kind,
        "founded_on": spec.founded_on,
        "status": spec.status,
        "cla": cla if spec.supported else None,
        "funding_source": spec.funding,
    }
    lpc = LPC.objects.filter(name=spec.name).first()
    if lpc is None:
        return lpc_create(by=None, name=spec.name, places=places, **fields)
    return lpc_update(lpc=lpc, by=None, places=places, **fields)


def _members(spec: DemoLPC, lpc: LPC, rng: random.Random) -> list[LPCMember]:
    known = {m.name for m in lpc.members.all()}
    for index in range(spec.members):
        gender = "female" if index % 2 == 0 or rng.random() < 0.2 else "male"
        name = f"{rng.choice(GIVEN[gender])} {rng.choice(FAMILY)}"
        group = _weighted(rng, GROUPS)
        if gender == "male" and group == G.WOMEN:
            group = G.ELDERS
        # Each absent group has a seat among the plain members (the last one leaves).
        seat = index - (spec.members - 1 - len(spec.absent_groups))
        if 0 <= seat < len(spec.absent_groups):
            group = spec.absent_groups[seat]
        community = rng.choice(COMMUNITIES) if group == G.COMMUNITY else ""
        band = "18-24" if group == G.YOUTH else _weighted(rng, AGE_BANDS)
        # One member per committee left two months before the latest meeting.
        left_on = None
        if index == spec.members - 1:
            left_on = _months_back(timezone.localdate(), 2)
        if name in known:
            continue
        known.add(name)
        lpc_member_create(
            lpc=lpc,
            by=None,
            name=name,
            role=ROLES[index] if index < len(ROLES) else LPCMember.Role.MEMBER,
            gender=gender,
            age_band=band,
            group=group,
            community_name=community,
            joined_on=spec.founded_on,
            left_on=left_on,
        )
    return list(lpc.members.all())


def _attendance(rng: random.Random) -> dict[str, int]:
    counts = {name: rng.randint(0, 9) for name in ATTENDANCE_FIELDS}
    counts["women_elders"] = rng.randint(0, 3)
    counts["men_elders"] = rng.randint(1, 5)
    return counts


def _action_points(rng: random.Random, held_on: dt.date, today: dt.date) -> list:
    points = []
    for description in rng.sample(ACTIONS, rng.randint(1, 3)):
        due_on = held_on + dt.timedelta(days=rng.choice((7, 14, 21, 30)))
        status = ActionPoint.Status.OPEN
        done_on = None
        if due_on < today:
            status = _weighted(rng, (("done", 6), ("open", 3), ("dropped", 1)))
            if status == ActionPoint.Status.DONE:
                done_on = min(due_on, today)
        points.append(
            ActionPointInput(
                description=description,
                owner=rng.choice(OWNERS),
                due_on=due_on,
                status=status,
                done_on=done_on,
                follow_up="Fait, compte rendu à la réunion suivante." if done_on else "",
            )
        )
    return points


def _meetings(spec: DemoLPC, lpc: LPC, members: list[LPCMember], rng: random.Random) -> None:
    if lpc.meetings.exists():
        return
    today = timezone.localdate()
    recorder = lpc.cla
    # Dormant committees stopped meeting half a year ago.
    offset = 6 if spec.status == LPC.Status.DORMANT else 1
    places = list(lpc.places.all())
    latest = None
    for index in range(spec.meetings):
        held_on = _months_back(today, offset + index) + dt.timedelta(days=rng.randint(2, 24))
        present = [
            m
            for m in members
            if m.group not in spec.absent_groups
            and (m.joined_on is None or m.joined_on <= held_on)
            and (m.left_on is None or m.left_on >= held_on)
            and rng.random() < 0.8
        ]
        risks = rng.choice(RISKS)
        labels = ", ".join(RISK_WORDS[r] for r in risks)
        meeting = lpc_meeting_create(
            lpc=lpc,
            by=recorder,
            held_on=held_on,
            place=places[index % len(places)],
            attendance=_attendance(rng),
            members_present=present,
            categories=risks,
            risk_factors=sorted({RISK_FACTORS[r] for r in risks}),
            minutes=MINUTES.format(risks=f"Risques discutés : {labels}"),
            decisions="Renforcer la veille communautaire et partager les alertes avec l'ALC.",
            action_points=_action_points(rng, held_on, today),
        )
        if latest is None or meeting.held_on > latest.held_on:
            latest = meeting
    if spec.alert and latest is not None and not latest.alert_links.exists():
        meeting_alert_raise(meeting=latest, text=spec.alert, by=recorder)


def seed() -> int:
    """About eight committees with members, meetings and action points; returns how many."""
    cla = User.objects.filter(username="cla").first()
    for number, spec in enumerate(COMMITTEES):
        rng = random.Random(SEED + number)
        lpc = _committee(spec, cla)
        if lpc is None:
            continue
        members = _members(spec, lpc, rng)
        _meetings(spec, lpc, members, rng)
    return LPC.objects.count()
