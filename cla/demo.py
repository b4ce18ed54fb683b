"""Demo data for the cla app: CLA users and profiles, four months of field visits.

Deterministic (fixed plans, one seeded random.Random for head counts, dates counted back from
today) and idempotent: each visit has a fixed idempotency key, so a second run adds nothing and
raises no second alert. The plan leaves the coverage page something to show: places reached by
all three mechanisms, places reached by none, networks not visited for over 90 days, and one
(CAN Mongbwalu) never visited.
"""

import datetime as dt
import os
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

import phonenumbers
from django.contrib.auth.models import Group, User
from django.db.models import Q
from django.utils import timezone

from core.roles import CLA
from lpc.models import LPC
from networks.demo import DEFAULT_DEMO_PASSWORD, RESERVED_NUMBERS
from networks.models import Equipment, FocalPoint, Location, Network
from triage.services import alert_triage

from .models import FieldVisit, FollowUp
from .services import (
    EquipmentData,
    FollowUpData,
    RecruitData,
    cla_profile_save,
    field_visit_create,
    follow_up_mark_done,
)

SEED = 20261125
KEY_NAMESPACE = uuid.UUID("5b0f6f0e-2d0c-4c55-8f43-6b1c1a9e0c1a")
# New recruits' numbers: the networks demo's Airtel block, drawn apart from its own stream.
RECRUIT_PREFIX = "+24381"


@dataclass(frozen=True)
class DemoCLA:
    username: str
    first_name: str
    last_name: str
    base: tuple[str, str]  # (territory, place)
    territories: tuple[str, ...]
    languages: tuple[str, ...]


CLAS = (
    DemoCLA("cla", "Espérance", "Kavira", ("Beni", "Beni"), ("Beni", "Lubero"), ("fr", "sw")),
    DemoCLA(
        "cla.rutshuru",
        "Espoir",
        "Ngabo",
        ("Nyiragongo", "Goma"),
        ("Rutshuru", "Masisi", "Nyiragongo"),
        ("fr", "sw"),
    ),
    DemoCLA(
        "cla.ituri",
        "Béatrice",
        "Lokana",
        ("Irumu", "Bunia"),
        ("Irumu", "Djugu"),
        ("fr", "sw", "ln"),
    ),
    DemoCLA(
        "cla.sudkivu", "Fiston", "Byamungu", ("Uvira", "Uvira"), ("Uvira", "Fizi"), ("fr", "sw")
    ),
)


@dataclass(frozen=True)
class DemoRecruit:
    name: str
    gender: str
    role: str
    language: str = "sw"
    existing_in: str = ""  # a network code: link its first focal point instead of a new person


@dataclass(frozen=True)
class DemoVisit:
    cla: str
    days_ago: int
    territory: str
    places: tuple[str, ...]
    purpose: str
    networks: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    risk_factors: tuple[str, ...] = ()
    observations: str = ""
    recruits: tuple[DemoRecruit, ...] = ()
    follow_ups: tuple[tuple[str, int, bool], ...] = ()  # (what, due in days from today, done)
    alert: str = ""
    organisations: str = ""
    supports_lpcs: bool = False


P = FieldVisit.Purpose
VISITS = (
    DemoVisit(
        "cla",
        3,
        "Beni",
        ("Mbau",),
        P.NETWORK_SUPPORT,
        ("can-oicha",),
        ("armed_presence",),
        ("RF1", "RF7"),
        "Réunion avec les points focaux du réseau. La population signale des mouvements "
        "d'hommes armés la nuit sur la route de Kamango.",
        (
            DemoRecruit("Kavugho Masika", "female", "women_association"),
            DemoRecruit("", "male", "other", existing_in="can-oicha"),
        ),
        (("Remettre du crédit aux deux nouveaux points focaux", 4, False),),
        "Rumeur à Mbau : des hommes armés auraient été vus cette nuit près des champs, "
        "la population a peur d'aller aux champs.",
        "Chefferie, association des femmes, paroisse",
        True,
    ),
    DemoVisit(
        "cla",
        10,
        "Beni",
        ("Oicha", "Eringeti"),
        P.NETWORK_SUPPORT,
        ("can-oicha",),
        organisations="Administrateur du territoire, société civile",
    ),
    DemoVisit(
        "cla",
        18,
        "Beni",
        ("Kamango",),
        P.NETWORK_SUPPORT,
        ("can-kamango",),
        ("displacement",),
        ("RF1",),
        "Des familles de Kamango dorment en brousse depuis une semaine.",
        follow_ups=(("Vérifier la liste des déplacés avec le chef de groupement", -3, False),),
    ),
    DemoVisit(
        "cla", 25, "Lubero", ("Kirumba",), P.LPC_SUPPORT, ("can-kirumba",), supports_lpcs=True
    ),
    DemoVisit(
        "cla",
        33,
        "Beni",
        ("Mutwanga", "Kasindi"),
        P.NETWORK_SUPPORT,
        ("can-kamango",),
    ),
    DemoVisit("cla", 47, "Lubero", ("Butembo",), P.ASSESSMENT),
    DemoVisit(
        "cla",
        60,
        "Lubero",
        ("Kanyabayonga", "Lubero"),
        P.NETWORK_SUPPORT,
        ("can-kirumba",),
        follow_ups=(("Remplacer le chargeur solaire en panne", -50, True),),
    ),
    DemoVisit("cla", 75, "Beni", ("Beni",), P.ASSESSMENT, supports_lpcs=True),
    DemoVisit("cla", 110, "Beni", ("Mangina",), P.ASSESSMENT),
    DemoVisit(
        "cla.rutshuru",
        5,
        "Rutshuru",
        ("Kiwanja",),
        P.RECRUITMENT,
        ("can-kiwanja",),
        recruits=(DemoRecruit("Ndungo Habimana", "male", "teacher", "fr"),),
        follow_ups=(("Former les nouveaux points focaux à l'envoi d'alertes", 7, False),),
    ),
    DemoVisit(
        "cla.rutshuru",
        14,
        "Rutshuru",
        ("Rubare", "Bunagana"),
        P.NETWORK_SUPPORT,
        ("can-kiwanja",),
        ("intercommunal_tension",),
        ("RF9",),
        "Conflit entre éleveurs et agriculteurs autour des champs de Rubare.",
        alert="Tension forte entre éleveurs et agriculteurs à Rubare : des menaces ont été "
        "proférées hier soir contre les éleveurs.",
    ),
    DemoVisit("cla.rutshuru", 29, "Rutshuru", ("Rutshuru",), P.NETWORK_SUPPORT, ("can-kiwanja",)),
    DemoVisit("cla.rutshuru", 40, "Nyiragongo", ("Goma",), P.ASSESSMENT, supports_lpcs=True),
    DemoVisit("cla.rutshuru", 95, "Masisi", ("Kitshanga",), P.NETWORK_SUPPORT, ("can-kitshanga",)),
    DemoVisit(
        "cla.rutshuru", 118, "Masisi", ("Sake", "Masisi"), P.NETWORK_SUPPORT, ("can-kitshanga",)
    ),
    DemoVisit(
        "cla.ituri", 2, "Djugu", ("Fataki",), P.LPC_SUPPORT, ("can-fataki",), supports_lpcs=True
    ),
    DemoVisit(
        "cla.ituri",
        9,
        "Djugu",
        ("Bule", "Drodro"),
        P.RECRUITMENT,
        ("can-fataki",),
        recruits=(DemoRecruit("Anuarite Dhejju", "female", "health_worker", "fr"),),
        follow_ups=(("Apporter une carte SIM de rechange à Drodro", 10, False),),
    ),
    DemoVisit("cla.ituri", 21, "Irumu", ("Komanda",), P.NETWORK_SUPPORT, ("can-komanda",)),
    DemoVisit("cla.ituri", 36, "Irumu", ("Bunia",), P.ASSESSMENT, supports_lpcs=True),
    DemoVisit(
        "cla.ituri",
        52,
        "Irumu",
        ("Boga", "Irumu"),
        P.FOLLOW_UP,
        ("can-komanda",),
        ("abduction",),
        ("RF1", "RF13"),
        "Suivi de l'enlèvement signalé à Boga le mois dernier.",
        follow_ups=(("Rendre compte à la famille des démarches faites", -10, False),),
    ),
    DemoVisit("cla.ituri", 68, "Djugu", ("Savo", "Rhoe"), P.NETWORK_SUPPORT, ("can-fataki",)),
    DemoVisit("cla.ituri", 85, "Djugu", ("Djugu",), P.NETWORK_SUPPORT, ("can-fataki",)),
    DemoVisit("cla.sudkivu", 6, "Uvira", ("Luvungi",), P.NETWORK_SUPPORT, ("can-luvungi",)),
    DemoVisit(
        "cla.sudkivu",
        16,
        "Uvira",
        ("Kamanyola", "Sange"),
        P.NETWORK_SUPPORT,
        ("can-luvungi",),
        ("hate_speech",),
        ("RF9", "RF8"),
        "Des tracts menaçant une communauté circulent à Sange.",
        follow_ups=(("Rencontrer les leaders religieux de Sange", 3, False),),
    ),
    DemoVisit("cla.sudkivu", 31, "Uvira", ("Uvira",), P.ASSESSMENT),
    DemoVisit("cla.sudkivu", 44, "Uvira", ("Luvungi",), P.NETWORK_SUPPORT, ("can-luvungi",)),
    DemoVisit("cla.sudkivu", 58, "Uvira", ("Uvira",), P.LPC_SUPPORT, supports_lpcs=True),
    DemoVisit("cla.sudkivu", 80, "Uvira", ("Sange",), P.NETWORK_SUPPORT, ("can-luvungi",)),
    DemoVisit("cla.sudkivu", 100, "Fizi", ("Baraka",), P.NETWORK_SUPPORT, ("can-baraka",)),
    DemoVisit("cla.sudkivu", 115, "Fizi", ("Fizi", "Minembwe"), P.NETWORK_SUPPORT, ("can-baraka",)),
)


def _password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def _place(territory: str, name: str) -> Location | None:
    return Location.objects.filter(
        name=name, parent__name=territory, parent__kind=Location.Kind.TERRITORY
    ).first()


def _territory(name: str) -> Location | None:
    return Location.objects.filter(name=name, kind=Location.Kind.TERRITORY).first()


def seed_clas() -> dict[str, User]:
    """The demo `cla` login and three more CLAs, each with a profile; passwords reset."""
    group, _ = Group.objects.get_or_create(name=CLA)
    users = {}
    for spec in CLAS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@kengele.example"
        user.is_active = True
        if spec.username != "cla":  # the networks demo owns the `cla` login's other settings
            user.is_staff = user.is_superuser = False
            user.set_password(_password())
        user.save()
        user.groups.add(group)
        cla_profile_save(
            user=user,
            base=_place(*spec.base),
            languages=spec.languages,
            assigned_places=[t for t in map(_territory, spec.territories) if t is not None],
        )
        users[spec.username] = user
    return users


def _recruit_phone(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = RECRUIT_PREFIX + f"{rng.randrange(10**7):07d}"
        if candidate in used or candidate in RESERVED_NUMBERS:
            continue
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            used.add(candidate)
            return candidate


def _recruits(spec: DemoVisit, rng: random.Random, used: set[str], home, networks):
    network = networks[0] if networks else None
    recruits = []
    for person in spec.recruits:
        if person.existing_in:
            known = (
                FocalPoint.objects.filter(
                    memberships__network__code=person.existing_in, active=True
                )
                .order_by("id")
                .first()
            )
            if known is not None:
                recruits.append(RecruitData(focal_point=known, network=network))
            continue
        recruits.append(
            RecruitData(
                phone=_recruit_phone(rng, used),
                name=person.name,
                consent=True,
                language=person.language,
                gender=person.gender,
                role=person.role,
                home_location=home,
                network=network,
                equipment=(
                    EquipmentData(kind=Equipment.Kind.SIM),
                    EquipmentData(kind=Equipment.Kind.AIRTIME, amount=Decimal("5.00")),
                ),
            )
        )
    return recruits


def seed() -> int:
    """Profiles and about thirty visits; returns how many visits were created this run."""
    users = seed_clas()
    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    used: set[str] = set()
    today = timezone.localdate()
    networks = {n.code: n for n in Network.objects.all()}
    created = 0
    for number, spec in enumerate(VISITS):
        # Draw every number whether or not the visit exists, so each run draws the same ones.
        women, men, others = rng.randint(3, 25), rng.randint(3, 25), rng.randint(0, 4)
        key = uuid.uuid5(KEY_NAMESPACE, f"demo-visit-{number}")
        places = [p for p in (_place(spec.territory, name) for name in spec.places) if p]
        visit_networks = [networks[c] for c in spec.networks if c in networks]
        recruits = _recruits(spec, rng, used, places[0] if places else None, visit_networks)
        if FieldVisit.objects.filter(idempotency_key=key).exists() or not places:
            continue
        visited_on = today - dt.timedelta(days=spec.days_ago)
        lpcs = []
        if spec.supports_lpcs:
            lpcs = list(
                LPC.objects.filter(status=LPC.Status.ACTIVE)
                .filter(Q(places__in=places) | Q(places__children__in=places))
                .distinct()
            )
        visit, was_created = field_visit_create(
            cla=users[spec.cla],
            idempotency_key=key,
            visited_on=visited_on,
            places=places,
            purpose=spec.purpose,
            women_met=women,
            men_met=men,
            others_met=others,
            organisations_met=spec.organisations,
            networks=visit_networks,
            lpcs=lpcs,
            observations=spec.observations,
            categories=spec.categories,
            risk_factors=spec.risk_factors,
            recruits=recruits,
            follow_ups=[
                FollowUpData(
                    description=what, due_on=max(today + dt.timedelta(days=due), visited_on)
                )
                for what, due, _done in spec.follow_ups
            ],
            alert_text=spec.alert,
        )
        created += was_created
        for follow_up, (_what, _due, done) in zip(
            FollowUp.objects.filter(visit=visit).order_by("id"), spec.follow_ups, strict=False
        ):
            if done:
                follow_up_mark_done(
                    follow_up=follow_up,
                    by=users[spec.cla],
                    at=timezone.make_aware(dt.datetime.combine(follow_up.due_on, dt.time(16, 0))),
                )
        _triage_raised(visit)
    return created


def _triage_raised(visit: FieldVisit) -> None:
    """Triage the visit's alerts now, as the alerts demo does, so the queue shows them at once."""
    for link in visit.alert_links.select_related("alert"):
        alert_triage(alert=link.alert)
