"""A small world whose statistics are worked out by hand, for the statistics page tests.

March 2026 (Monday 2 to Sunday 29, four weeks), Africa/Lubumbashi time. Minutes from receipt
to acknowledgement / first reply / closing; "-" never:

  A1  Mon 2  10:00 sms   a  Mbau     attack+displacement P1  10/20/120    several sources
  A2  Wed 4  12:00 sms   b  Mbau     armed_presence      P2  30/-/-       several mechanisms
  A3  Thu 5  09:00 voice c  Kasugho  attack              P1  20/60/240    several sources
  (week of the 9th: no alert)
  A4  Mon 16 08:00 lpc   -  Beni     looting             P3  -/-/-        single source
  A5  Tue 17 08:00 web   -  -        (not triaged)       -   -/-/-        -
  A6  Wed 18 08:00 sms   d  Kasugho  hate_speech         P2  50/-/1440    -
  A7  Mon 23 08:00 cla   -  Mbau     attack              P1  40/-/-       several mechanisms
  A11 Sun 29 23:30 sms   a  Mbau     other               P4  -/-/-        -
Mbau is a village three levels below the Beni territory, Kasugho one level below Lubero.
Left out: A8 (dismissed, from e), A9 (20 February), A10 (30 March 00:30).

Networks: Mbau (based in Beni: a, b, d; f inactive; g left), Kasugho (Lubero: c, d, h),
Quiet (Beni: i), Empty (Beni: nobody), Closed (closed). In no network: e, g.
Focal points: a F 18–24, b M 35–49, c F 25–34, d M unknown, e F 50–64, f F (inactive),
g M 18–24, h F 65+, i M 25–34. Heard from in the 30 days to 29 March: a, b, c, d (alerts),
e (an SMS on the 10th); h wrote on 10 January; g and i never.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from alerts.models import Alert, Message
from dashboard.stats import Scope
from networks.models import FocalPoint, Location, Network
from tests.factories import (
    AlertFactory,
    FocalPointFactory,
    IncidentFactory,
    LocationFactory,
    MembershipFactory,
    MessageFactory,
    NetworkFactory,
    ProvinceFactory,
    TerritoryFactory,
    VillageFactory,
)

SINCE, UNTIL = dt.date(2026, 3, 2), dt.date(2026, 3, 29)
WEEKS = [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 23)]
NAMES = {  # focal point -> the name stored (encrypted) for it, never to appear in statistics
    key: f"Kahindo Masika {key.upper()}" for key in "abcdefghi"
}


def local(day: int, hour: int = 8, minute: int = 0, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


@dataclass
class World:
    beni: Location
    lubero: Location
    mbau: Location
    kasugho: Location
    networks: dict[str, Network]
    people: dict[str, FocalPoint]
    alerts: dict[str, Alert]

    def scope(self, **kwargs) -> Scope:
        return Scope(since=kwargs.pop("since", SINCE), until=kwargs.pop("until", UNTIL), **kwargs)


def build_world() -> World:
    nord_kivu = ProvinceFactory(name="Nord-Kivu")
    beni = TerritoryFactory(name="Beni", parent=nord_kivu)
    lubero = TerritoryFactory(name="Lubero", parent=nord_kivu)
    sector = LocationFactory(name="Beni-Mbau", kind="sector", parent=beni)
    groupement = LocationFactory(name="Bambuba", kind="groupement", parent=sector)
    mbau = VillageFactory(name="Mbau", parent=groupement)
    kasugho = VillageFactory(name="Kasugho", parent=lubero)

    def network(name, base, status=Network.Status.ACTIVE, **extra):
        return NetworkFactory(
            name=f"CAN {name}", code=name.lower(), base=base, status=status, **extra
        )

    networks = {
        "mbau": network("Mbau", mbau),
        "kasugho": network("Kasugho", kasugho),
        "quiet": network("Quiet", beni),
        "empty": network("Empty", beni),
        "closed": network("Closed", beni, Network.Status.CLOSED, closed_on=dt.date(2025, 1, 1)),
    }
    F, M = FocalPoint.Gender.FEMALE, FocalPoint.Gender.MALE
    traits = {
        "a": (F, "18-24", True),
        "b": (M, "35-49", True),
        "c": (F, "25-34", True),
        "d": (M, "unknown", True),
        "e": (F, "50-64", True),
        "f": (F, "25-34", False),
        "g": (M, "18-24", True),
        "h": (F, "65+", True),
        "i": (M, "25-34", True),
    }
    people = {
        key: FocalPointFactory(
            name=NAMES[key], gender=gender, age_band=age, active=active, home_location=mbau
        )
        for key, (gender, age, active) in traits.items()
    }
    joined = dt.date(2025, 6, 1)
    for key, network_key in [
        ("a", "mbau"), ("b", "mbau"), ("d", "mbau"), ("f", "mbau"),
        ("c", "kasugho"), ("d", "kasugho"), ("h", "kasugho"), ("i", "quiet"),
    ]:  # fmt: skip
        MembershipFactory(focal_point=people[key], network=networks[network_key], joined_on=joined)
    MembershipFactory(
        focal_point=people["g"], network=networks["mbau"], joined_on=joined, left_on=joined
    )

    several_sources = IncidentFactory(corroboration="several_sources", location=mbau)
    several_mechanisms = IncidentFactory(corroboration="several_mechanisms", location=mbau)
    single = IncidentFactory(corroboration="single_source", location=beni)

    def alert(received, source, reporter=None, *, ack=None, close=None, **fields):
        return AlertFactory(
            received_at=received,
            source=source,
            reporter=people[reporter] if reporter else None,
            status=fields.pop("status", Alert.Status.TRIAGED),
            acknowledged_at=received + dt.timedelta(minutes=ack) if ack is not None else None,
            closed_at=received + dt.timedelta(minutes=close) if close is not None else None,
            text="…",
            **fields,
        )

    alerts = {
        "A1": alert(local(2, 10), "sms", "a", ack=10, close=120, location=mbau,
                    categories=["attack", "displacement"], priority=1, incident=several_sources),
        "A2": alert(local(4, 12), "sms", "b", ack=30, location=mbau, categories=["armed_presence"],
                    priority=2, incident=several_mechanisms),
        "A3": alert(local(5, 9), "voice", "c", ack=20, close=240, location=kasugho,
                    categories=["attack"], priority=1, incident=several_sources),
        "A4": alert(local(16), "lpc", location=beni, categories=["looting"], priority=3,
                    incident=single),
        "A5": alert(local(17), "web", status=Alert.Status.NEW),
        "A6": alert(local(18), "sms", "d", ack=50, close=24 * 60, location=kasugho,
                    categories=["hate_speech"], priority=2),
        "A7": alert(local(23), "cla", ack=40, location=mbau, categories=["attack"], priority=1,
                    incident=several_mechanisms),
        "A11": alert(local(29, 23, 30), "sms", "a", location=mbau, categories=["other"],
                     priority=4),
        # left out: dismissed, before the period, after it
        "A8": alert(local(25), "sms", "e", ack=5, location=mbau, categories=["attack"],
                    priority=1, status=Alert.Status.DISMISSED),
        "A9": alert(local(20, month=2), "sms", "b", ack=15, location=mbau, categories=["attack"],
                    priority=1),
        "A10": alert(local(30, 0, 30), "sms", "b", ack=15, location=mbau,
                     categories=["attack"], priority=1),
    }  # fmt: skip

    def message(direction, at, *, alert=None, person=None, kind=Message.Kind.ALERT):
        return MessageFactory(
            direction=direction,
            kind=kind,
            status="received" if direction == "inbound" else "sent",
            alert=alert,
            focal_point=people[person] if person else None,
            body="…",
            created_at=at,
        )

    for key, person in (("A1", "a"), ("A2", "b"), ("A6", "d"), ("A11", "a")):
        message("inbound", alerts[key].received_at, alert=alerts[key], person=person)
    # Replies: A1 after 20 then 45 minutes (the first counts), A3 after an hour. A notice to A2
    # and a broadcast are no replies.
    message("outbound", local(2, 10, 20), alert=alerts["A1"], kind=Message.Kind.REPLY)
    message("outbound", local(2, 10, 45), alert=alerts["A1"], kind=Message.Kind.REPLY)
    message("outbound", local(5, 10), alert=alerts["A3"], kind=Message.Kind.REPLY)
    message("outbound", local(4, 12, 5), alert=alerts["A2"], kind=Message.Kind.NOTICE)
    message("outbound", local(20), person="i", kind=Message.Kind.BROADCAST)
    # e: a keyword SMS inside the window; h: an SMS long before it.
    message("inbound", local(10), person="e", kind=Message.Kind.KEYWORD)
    message("inbound", local(10, month=1), person="h")
    return World(beni, lubero, mbau, kasugho, networks, people, alerts)
