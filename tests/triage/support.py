"""A small gazetteer and ways to make alerts as triage leaves them, for the incident,
assignment and deadline tests."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from alerts.models import Alert
from networks.models import Location
from tests.factories import AlertFactory, ProvinceFactory, TerritoryFactory, VillageFactory
from triage.services import alert_group


@dataclass
class Gazetteer:
    nord_kivu: Location
    beni: Location  # territory
    lubero: Location  # territory
    mbau: Location  # Beni, 0.63 29.49
    oicha: Location  # Beni, ~8 km from Mbau
    eringeti: Location  # Beni, ~28 km from Mbau
    kalau: Location  # Beni, no coordinates
    kasugho: Location  # Lubero, no coordinates
    uvira: Location  # another province, hundreds of km away


def make_gazetteer() -> Gazetteer:
    nord_kivu = ProvinceFactory(name="Nord-Kivu")
    sud_kivu = ProvinceFactory(name="Sud-Kivu")
    beni = TerritoryFactory(name="Beni", parent=nord_kivu)
    lubero = TerritoryFactory(name="Lubero", parent=nord_kivu)
    uvira_territory = TerritoryFactory(name="Uvira", parent=sud_kivu)

    def village(name, parent, lat=None, lon=None):
        return VillageFactory(name=name, parent=parent, latitude=lat, longitude=lon)

    return Gazetteer(
        nord_kivu=nord_kivu,
        beni=beni,
        lubero=lubero,
        mbau=village("Mbau", beni, 0.63, 29.49),
        oicha=village("Oicha", beni, 0.6997, 29.5178),
        eringeti=village("Eringeti", beni, 0.88, 29.56),
        kalau=village("Kalau", beni),
        kasugho=village("Kasugho", lubero),
        uvira=village("Uvira", uvira_territory, -3.3958, 29.1378),
    )


@functools.cache
def _base() -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(days=1)


def at(hours: float = 0) -> dt.datetime:
    """A moment `hours` after a fixed one a day ago (so windows are easy to read in tests)."""
    return _base() + dt.timedelta(hours=hours)


def triaged_alert(
    *,
    location: Location | None,
    categories=("attack",),
    received_at: dt.datetime | None = None,
    source: str = Alert.Source.SMS,
    priority: int = 2,
    **fields,
) -> Alert:
    """An alert as triage leaves it, grouped the way triage groups it (in its transaction).
    Each SMS comes from its own number unless `sender` or `reporter` says otherwise."""
    fields.setdefault("text", "…")
    alert = AlertFactory(
        triaged=True,
        source=source,
        categories=list(categories),
        priority=priority,
        location=location,
        received_at=received_at or at(0),
        triaged_at=timezone.now(),
        **fields,
    )
    if location is not None:
        with transaction.atomic():
            alert_group(alert=alert, location=location)
    return alert
