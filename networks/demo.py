"""Demo data for the networks app: users, places, CANs and focal points.

Deterministic (one seeded random.Random, fixed dates) and idempotent (rows are keyed on what
identifies them, focal points on their phone hash), so `seed_demo` can run at every start.
"""

import csv
import datetime as dt
import os
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import phonenumbers
from django.contrib.auth.models import Group, User
from django.utils import timezone

from core.crypto import lookup_hash
from core.roles import ADMIN, CAPABILITIES, ROLES

from .models import Equipment, FocalPoint, Location, Membership, Network
from .services import focal_point_create, membership_end, membership_start

PLACES_FILE = Path(__file__).resolve().parent / "data" / "places.csv"
DEFAULT_DEMO_PASSWORD = "kengele-demo"  # noqa: S105 (documented demo login)
FOCAL_POINT_COUNT = 200
SEED = 20240611
# Outside checks send from these as unknown numbers: no demo focal point may own them.
RESERVED_NUMBERS = frozenset({"+243970000123", "+243970000456", "+243970000789"})
PHONE_PREFIXES = ("+24397", "+24399", "+24381")


@dataclass(frozen=True)
class DemoNetwork:
    code: str
    name: str
    territory: str
    base: str
    area: tuple[str, ...]
    started_on: dt.date
    status: str = Network.Status.ACTIVE
    dormant_since: dt.date | None = None
    closed_on: dt.date | None = None
    weight: int = 10  # how many focal points it gets, relatively
    discreet: bool = False  # its focal points' phones may be searched at checkpoints


NETWORKS = (
    DemoNetwork(
        "can-oicha",
        "CAN Oicha",
        "Beni",
        "Oicha",
        ("Oicha", "Eringeti", "Mbau"),
        dt.date(2019, 3, 4),
    ),
    DemoNetwork(
        "can-kamango",
        "CAN Kamango",
        "Beni",
        "Kamango",
        ("Kamango", "Mutwanga", "Kasindi"),
        dt.date(2020, 6, 15),
    ),
    DemoNetwork(
        "can-mangina",
        "CAN Mangina",
        "Beni",
        "Mangina",
        ("Mangina",),
        dt.date(2018, 9, 1),
        status=Network.Status.CLOSED,
        closed_on=dt.date(2024, 11, 30),
        weight=4,
    ),
    DemoNetwork(
        "can-kirumba",
        "CAN Kirumba",
        "Lubero",
        "Kirumba",
        ("Kirumba", "Kanyabayonga", "Lubero"),
        dt.date(2020, 2, 10),
    ),
    DemoNetwork(
        "can-kiwanja",
        "CAN Kiwanja",
        "Rutshuru",
        "Kiwanja",
        ("Kiwanja", "Rutshuru", "Rubare", "Bunagana"),
        dt.date(2019, 11, 20),
        discreet=True,
    ),
    DemoNetwork(
        "can-kitshanga",
        "CAN Kitshanga",
        "Masisi",
        "Kitshanga",
        ("Kitshanga", "Masisi", "Nyabiondo", "Sake"),
        dt.date(2021, 1, 18),
        status=Network.Status.DORMANT,
        dormant_since=dt.date(2025, 8, 1),
        weight=6,
    ),
    DemoNetwork(
        "can-fataki",
        "CAN Fataki",
        "Djugu",
        "Fataki",
        ("Fataki", "Djugu", "Bule", "Drodro", "Rhoe", "Savo"),
        dt.date(2020, 4, 6),
    ),
    DemoNetwork(
        "can-mongbwalu", "CAN Mongbwalu", "Djugu", "Mongbwalu", ("Mongbwalu",), dt.date(2022, 5, 9)
    ),
    DemoNetwork(
        "can-komanda",
        "CAN Komanda",
        "Irumu",
        "Komanda",
        ("Komanda", "Irumu", "Boga"),
        dt.date(2021, 7, 12),
    ),
    DemoNetwork(
        "can-luvungi",
        "CAN Luvungi",
        "Uvira",
        "Luvungi",
        ("Luvungi", "Kamanyola", "Sange"),
        dt.date(2022, 3, 21),
    ),
    DemoNetwork(
        "can-baraka",
        "CAN Baraka",
        "Fizi",
        "Baraka",
        ("Baraka", "Fizi", "Minembwe"),
        dt.date(2023, 2, 1),
    ),
)

# Given names people are registered under (Christian or Swahili), by gender.
GIVEN_NAMES = {
    "female": (
        "Furaha Mapendo Bahati Neema Sifa Riziki Zawadi Vumilia Esther Jeanne Solange Chantal "
        "Dorcas Anuarite Francine Nadine Rebecca Espérance Béatrice Josée"
    ).split(),
    "male": (
        "Amani Safari Bosco Baraka Jean-Pierre Emmanuel Innocent Dieudonné Justin Alphonse "
        "Patient Faustin Déogratias Espoir Fiston Jean-Marie Prince Olivier Célestin Héritier"
    ).split(),
}
# Family names as heard in each territory; Nande names (Beni, Lubero) differ by gender.
_NANDE = {
    "female": "Kahindo Masika Kavira Kavugho Kasoki Mbambu Kaswera Kanyere Kyakimwa".split(),
    "male": "Kambale Muhindo Mbusa Paluku Kasereka Kakule Katembo Mumbere Kambere".split(),
}
FAMILY_NAMES = {
    "Beni": _NANDE,
    "Lubero": _NANDE,
    "Rutshuru": "Ngabo Habimana Ndungo Bizimana Nsengiyumva Munyaneza Uwimana".split(),
    "Masisi": "Ngabo Habimana Hakizimana Bahati Nyiramana Mukamana Sebuyange".split(),
    "Djugu": "Dz'ba Lokana Ngabu Ndjaza Unyertho Lonema Dhejju Ugen".split(),
    "Irumu": "Lokana Ndungo Bapu Kisembo Tibasima Byaruhanga Mugisa".split(),
    "Uvira": "Byamungu Mutabazi Bulambo Nakabaka Rusimbuka Kinyamba".split(),
    "Fizi": "Aoci Abwe Lubunga Kasongo Malisawa Ebondo Sikitu".split(),
}
LANGUAGES = {
    "default": (("sw", 55), ("fr", 35), ("ln", 6), ("en", 4)),
    "ituri": (("fr", 45), ("sw", 35), ("ln", 15), ("en", 5)),
}
ROLES_BY_GENDER = {
    "female": (
        ("women_association", 30),
        ("teacher", 15),
        ("health_worker", 15),
        ("trader", 15),
        ("religious_leader", 5),
        ("displaced", 10),
        ("civil_society", 10),
    ),
    "male": (
        ("chief", 12),
        ("teacher", 18),
        ("youth", 18),
        ("religious_leader", 12),
        ("health_worker", 8),
        ("civil_society", 14),
        ("trader", 10),
        ("displaced", 5),
        ("other", 3),
    ),
}
AGE_BANDS = (("18-24", 12), ("25-34", 30), ("35-49", 33), ("50-64", 18), ("65+", 4), ("unknown", 3))
AIRTIME_MONTHS = (dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2025, 11, 1))


def seed_users() -> dict[str, User]:
    """The five demo logins, one per role; passwords and groups are reset on every run."""
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    users = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        user, _ = User.objects.get_or_create(username=role)
        user.email = f"{role}@kengele.example"
        user.is_active = True
        user.is_staff = role in CAPABILITIES["use_admin_site"]
        user.is_superuser = role == ADMIN
        user.set_password(password)
        user.save()
        user.groups.set([group])
        users[role] = user
    return users


def seed_places(path: Path = PLACES_FILE) -> int:
    """Province > territory > place from the gazetteer file; returns how many places it holds."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    provinces: dict[str, Location] = {}
    territories: dict[tuple[str, str], Location] = {}
    for row in rows:
        province_name, territory_name = row["province"].strip(), row["territory"].strip()
        if province_name not in provinces:
            provinces[province_name], _ = Location.objects.get_or_create(
                name=province_name, kind=Location.Kind.PROVINCE, parent=None
            )
        key = (province_name, territory_name)
        if key not in territories:
            territories[key], _ = Location.objects.get_or_create(
                name=territory_name, kind=Location.Kind.TERRITORY, parent=provinces[province_name]
            )
        Location.objects.update_or_create(
            name=row["place"].strip(),
            kind=Location.Kind.LOCALITY,
            parent=territories[key],
            defaults={
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                "alternate_names": [
                    a.strip() for a in row["alternate_names"].split(";") if a.strip()
                ],
            },
        )
    return len(provinces) + len(territories) + len(rows)


def _place(territory: str, name: str) -> Location:
    return Location.objects.get(
        name=name, kind=Location.Kind.LOCALITY, parent__name=territory, parent__kind="territory"
    )


def seed_networks() -> dict[str, Network]:
    """About ten CANs across eastern DRC (one dormant, one closed), run by the demo CLA."""
    cla = User.objects.filter(username="cla").first()
    networks = {}
    for spec in NETWORKS:
        network, _ = Network.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "base": _place(spec.territory, spec.base),
                "status": spec.status,
                "started_on": spec.started_on,
                "dormant_since": spec.dormant_since,
                "closed_on": spec.closed_on,
                "cla": cla,
                "discreet": spec.discreet,
            },
        )
        network.area.set([_place(spec.territory, name) for name in spec.area])
        networks[spec.code] = network
    return networks


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if candidate in used or candidate in RESERVED_NUMBERS:
            continue
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            used.add(candidate)
            return candidate


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@dataclass
class _Person:
    """One demo focal point, drawn entirely from the random stream before touching the DB."""

    name: str
    phone: str
    phone_alt: str
    gender: str
    language: str
    age_band: str
    role: str
    network: DemoNetwork
    home: str
    consent_at: dt.date
    opted_out_at: dt.datetime | None
    active: bool
    moved_to: DemoNetwork | None
    second: DemoNetwork | None
    sim: bool
    handset: bool
    charger: bool
    airtime: bool


def _draw_people(rng: random.Random) -> list[_Person]:
    used: set[str] = set()
    weights = [spec.weight for spec in NETWORKS]
    people = []
    for _ in range(FOCAL_POINT_COUNT):
        spec = rng.choices(NETWORKS, weights=weights)[0]
        gender = "female" if rng.random() < 0.4 else "male"
        families = FAMILY_NAMES[spec.territory]
        family = rng.choice(families[gender] if isinstance(families, dict) else families)
        given = rng.choice(GIVEN_NAMES[gender])
        name = f"{given} {family}" if rng.random() < 0.75 else f"{family} {given}"
        phone = _phone(rng, used)
        phone_alt = _phone(rng, used) if rng.random() < 0.15 else ""
        ituri = spec.territory in ("Djugu", "Irumu")
        language = _weighted(rng, LANGUAGES["ituri" if ituri else "default"])
        closes = spec.closed_on or dt.date(2025, 12, 31)
        consent_at = _day(rng, spec.started_on, min(closes, dt.date(2025, 10, 31)))
        opted_out_at = None
        if rng.random() < 0.04:
            when = dt.datetime.combine(_day(rng, consent_at, closes), dt.time(10, 30))
            opted_out_at = timezone.make_aware(when, dt.UTC)
        same_territory = [
            n for n in NETWORKS if n.territory == spec.territory and n.code != spec.code
        ]
        moved_to = None
        if spec.status == Network.Status.CLOSED and same_territory and rng.random() < 0.5:
            moved_to = rng.choice(same_territory)
        second = None
        if spec.status != Network.Status.CLOSED and same_territory and rng.random() < 0.1:
            second = rng.choice([n for n in same_territory if n.status != Network.Status.CLOSED])
        people.append(
            _Person(
                name=name,
                phone=phone,
                phone_alt=phone_alt,
                gender="undisclosed" if rng.random() < 0.02 else gender,
                language=language,
                age_band=_weighted(rng, AGE_BANDS),
                role=_weighted(rng, ROLES_BY_GENDER[gender]),
                network=spec,
                home=rng.choice(spec.area),
                consent_at=consent_at,
                opted_out_at=opted_out_at,
                active=opted_out_at is None
                and rng.random() > 0.05
                and (spec.status != Network.Status.CLOSED or moved_to is not None),
                moved_to=moved_to,
                second=second,
                sim=rng.random() < 0.6,
                handset=rng.random() < 0.2,
                charger=rng.random() < 0.1,
                airtime=rng.random() < 0.4,
            )
        )
    return people


def _join(focal_point: FocalPoint, network: Network, joined_on: dt.date, left_on=None) -> None:
    """Idempotent: a membership is known by who joined what, when."""
    if Membership.objects.filter(
        focal_point=focal_point, network=network, joined_on=joined_on
    ).exists():
        return
    membership = membership_start(focal_point=focal_point, network=network, joined_on=joined_on)
    if left_on is not None:
        membership_end(membership=membership, left_on=left_on, reason="Network closed")


def _give(focal_point: FocalPoint, kind: str, given_on: dt.date, given_by, **extra) -> None:
    Equipment.objects.get_or_create(
        focal_point=focal_point,
        kind=kind,
        given_on=given_on,
        defaults={"given_by": given_by, **extra},
    )


def seed_focal_points() -> int:
    """About 200 focal points with memberships and equipment; returns how many exist in all."""
    rng = random.Random(SEED)
    networks = {n.code: n for n in Network.objects.all()}
    places = {
        (loc.parent.name, loc.name): loc
        for loc in Location.objects.filter(kind=Location.Kind.LOCALITY).select_related("parent")
    }
    giver = User.objects.filter(username="cla").first()
    for index, person in enumerate(_draw_people(rng)):
        spec = person.network
        focal_point = FocalPoint.objects.filter(phone_hash=lookup_hash(person.phone)).first()
        if focal_point is None:
            focal_point = focal_point_create(
                name=person.name,
                phone=person.phone,
                phone_alt=person.phone_alt,
                language=person.language,
                gender=person.gender,
                age_band=person.age_band,
                role=person.role,
                home_location=places[(spec.territory, person.home)],
                consent_at=person.consent_at,
                opted_out_at=person.opted_out_at,
                active=person.active,
            )
        _join(focal_point, networks[spec.code], person.consent_at, spec.closed_on)
        if person.moved_to is not None:
            _join(focal_point, networks[person.moved_to.code], spec.closed_on)
        if person.second is not None:
            joined = max(person.consent_at, person.second.started_on)
            _join(focal_point, networks[person.second.code], joined)
        if person.sim:
            _give(
                focal_point,
                Equipment.Kind.SIM,
                person.consent_at,
                giver,
                serial=f"89243010{index:04d}{SEED % 10**7:07d}",
            )
        if person.handset:
            _give(focal_point, Equipment.Kind.HANDSET, person.consent_at, giver)
        if person.charger:
            _give(focal_point, Equipment.Kind.SOLAR_CHARGER, person.consent_at, giver)
        if person.airtime and spec.status == Network.Status.ACTIVE:
            for month in AIRTIME_MONTHS:
                _give(focal_point, Equipment.Kind.AIRTIME, month, giver, amount=Decimal("5.00"))
    return FocalPoint.objects.count()
