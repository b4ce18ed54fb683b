"""The dashboard's pages cost as many queries with three times the data: nothing is read per
row, per network or per week."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, Message
from dashboard.stats.page import StatsPage
from networks.models import Location, Membership, Network
from tests.factories import FocalPointFactory, UserFactory
from triage.models import Incident

pytestmark = pytest.mark.django_db

CORROBORATIONS = itertools.cycle(Incident.Corroboration.values)


@pytest.fixture
def analyst():
    return UserFactory(username="ana", role="analyst")


@pytest.fixture
def places():
    province = Location.objects.create(name="Nord-Kivu", kind="province")
    beni = Location.objects.create(name="Beni", kind="territory", parent=province)
    lubero = Location.objects.create(name="Lubero", kind="territory", parent=province)
    villages = [
        Location.objects.create(name=f"Village {i}", kind="village", parent=territory)
        for i, territory in enumerate([beni, beni, lubero])
    ]
    return beni, villages


class Grower:
    """Adds alerts touching everything the pages show: places at several depths, reporters in
    one or two networks, incidents, acknowledgements, replies, closings, claims, assignees."""

    def __init__(self, villages, analyst):
        self.villages, self.analyst, self.count = villages, analyst, 0
        self.networks = [
            Network.objects.create(name=f"CAN {i}", code=f"can-{i}", base=villages[i % 3])
            for i in range(3)
        ]
        self.reporters = []

    def grow(self, n: int) -> None:
        now = timezone.now()
        for _ in range(n):
            i = self.count = self.count + 1
            if i % 3 == 1:  # a new focal point, and a new network every so often
                person = FocalPointFactory(age_band="18-24" if i % 2 else "35-49")
                self.reporters.append(person)
                for network in self.networks[i % 3 : i % 3 + 2]:
                    Membership.objects.create(
                        focal_point=person, network=network, joined_on=dt.date(2025, 1, 1)
                    )
                Network.objects.create(name=f"CAN extra {i}", code=f"extra-{i}")
            received = now - dt.timedelta(days=i % 60, hours=i % 7)
            incident = (
                Incident.objects.create(corroboration=next(CORROBORATIONS)) if i % 2 else None
            )
            alert = Alert.objects.create(
                source=["sms", "voice", "lpc", "cla", "web"][i % 5],
                reporter=self.reporters[i % len(self.reporters)] if i % 5 < 2 else None,
                status=["triaged", "acknowledged", "closed"][i % 3],
                priority=1,
                categories=[["attack"], ["attack", "displacement"], []][i % 3],
                text=f"Hommes armés vus près du marché ({i})",
                location=self.villages[i % 3],
                incident=incident,
                assignee=self.analyst,
                claimed_by=self.analyst if i % 4 == 0 else None,
                claimed_at=now if i % 4 == 0 else None,
                received_at=received,
                sla_due_at=received + dt.timedelta(minutes=30),
                acknowledged_at=received + dt.timedelta(minutes=i) if i % 3 else None,
                closed_at=received + dt.timedelta(hours=i) if i % 3 == 2 else None,
            )
            Message.objects.create(
                alert=alert,
                direction="inbound",
                status="received",
                focal_point=alert.reporter,
                created_at=received,
            )
            if i % 2:
                Message.objects.create(
                    alert=alert,
                    direction="outbound",
                    kind="reply",
                    status="sent",
                    created_at=received + dt.timedelta(minutes=5),
                )


def queries(client, url: str, params: dict) -> list[str]:
    client.get(url, params)  # warm the session and any per-process cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return [q["sql"] for q in captured.captured_queries]


def test_the_statistics_page_costs_the_same_queries_with_three_times_the_alerts(
    client, analyst, places
):
    _beni, villages = places
    client.force_login(analyst)
    grower = Grower(villages, analyst)
    grower.grow(12)
    before = queries(client, "/dashboard/stats/", {})
    grower.grow(24)
    after = queries(client, "/dashboard/stats/", {})
    assert len(after) == len(before), "\n".join(after)
    assert len(after) <= 20


@pytest.mark.parametrize("key", StatsPage.TABLES)
def test_each_csv_costs_the_same_queries_with_three_times_the_alerts(client, analyst, places, key):
    _beni, villages = places
    client.force_login(analyst)
    grower = Grower(villages, analyst)
    params = {"format": "csv", "table": key, "territory": places[0].pk}
    grower.grow(9)
    before = queries(client, "/dashboard/stats/", params)
    grower.grow(18)
    assert len(queries(client, "/dashboard/stats/", params)) == len(before)


@pytest.mark.parametrize(
    "params",
    [
        {},  # the first page of open alerts
        {"priority": "1", "location": "TERRITORY"},  # filtered by territory and priority
        {"q": "armés"},  # free-text search
    ],
)
def test_the_queue_costs_the_same_queries_with_three_times_the_alerts(
    client, analyst, places, params
):
    beni, villages = places
    client.force_login(analyst)
    params = {k: str(beni.pk) if v == "TERRITORY" else v for k, v in params.items()}
    grower = Grower(villages, analyst)
    grower.grow(8)
    before = queries(client, "/dashboard/", params)
    grower.grow(16)
    after = queries(client, "/dashboard/", params)
    assert len(after) == len(before), "\n".join(after)
