"""A small gazetteer and roster for the broadcast tests: two territories of Nord-Kivu, two
networks, focal points in each language."""

from dataclasses import dataclass

from alerts.models import Broadcast
from alerts.services import broadcast_create
from networks.models import FocalPoint, Location, Network
from tests.factories import (
    FocalPointFactory,
    LocationFactory,
    MembershipFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    VillageFactory,
)


@dataclass
class Roster:
    beni: Location
    lubero: Location
    mbau: Location  # a village of Beni
    oicha: Location  # another village of Beni
    butembo: Location  # a town of Lubero
    can_mbau: Network
    can_butembo: Network
    people: dict[str, FocalPoint]


def make_roster() -> Roster:
    province = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=province)
    lubero = TerritoryFactory(name="Lubero", parent=province)
    ruwenzori = LocationFactory(name="Ruwenzori", kind="sector", parent=beni)
    mbau = VillageFactory(name="Mbau", parent=ruwenzori)
    oicha = VillageFactory(name="Oicha", parent=beni)
    butembo = VillageFactory(name="Butembo", parent=lubero)
    can_mbau, can_butembo = NetworkFactory(name="CAN Mbau"), NetworkFactory(name="CAN Butembo")
    people = {
        "amani": FocalPointFactory(name="Amani Kahindo", language="sw", home_location=mbau),
        "bahati": FocalPointFactory(name="Bahati Masika", language="fr", home_location=oicha),
        "chance": FocalPointFactory(name="Chance Mbusa", language="ln", home_location=butembo),
        "dieu": FocalPointFactory(name="Dieudonné Paluku", language="en", home_location=butembo),
    }
    MembershipFactory(focal_point=people["amani"], network=can_mbau)
    MembershipFactory(focal_point=people["bahati"], network=can_mbau)
    MembershipFactory(focal_point=people["chance"], network=can_butembo)
    # In both networks: still one recipient.
    MembershipFactory(focal_point=people["amani"], network=can_butembo)
    return Roster(beni, lubero, mbau, oicha, butembo, can_mbau, can_butembo, people)


TEXTS = {
    "fr": "Alerte: mouvements armés signalés. Restez prudents.",
    "sw": "Tahadhari: watu wenye silaha wameonekana. Kuweni waangalifu.",
    "ln": "",
    "en": "Warning: armed movements reported. Stay safe.",
}


def draft(user, *, texts=None, networks=(), places=(), people=(), title="Alerte Beni") -> Broadcast:
    return broadcast_create(
        title=title,
        texts=dict(texts or TEXTS),
        network_ids=[n.pk for n in networks],
        location_ids=[p.pk for p in places],
        focal_point_ids=[p.pk for p in people],
        created_by=user,
    )
