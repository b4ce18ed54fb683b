"""How the statistics are computed, as far as it shows: on PostgreSQL the page runs its queries
side by side, each on its own connection, for the same figures; weeks and months are local
ones to the microsecond."""

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.utils import timezone

from alerts.models import Alert
from dashboard import stats
from dashboard.stats.page import StatsPage
from tests.triage.stats_support import build_world


class Connections:
    """Counts the database connections opened meanwhile (in any thread)."""

    def __enter__(self):
        self.opened = 0
        connection_created.connect(self._count, weak=False)
        return self

    def __exit__(self, *exc):
        connection_created.disconnect(self._count)

    def _count(self, sender, **kwargs):
        self.opened += 1


@pytest.mark.django_db(transaction=True)
def test_the_page_computes_its_figures_side_by_side_and_they_are_the_same():
    world = build_world()
    scope = world.scope()
    page = StatsPage(scope)
    with Connections() as connections:
        tables = page.tables()  # outside any transaction, as a request runs
    if connection.vendor == "postgresql":
        assert connections.opened >= 2
    assert [t.key for t in tables] == list(StatsPage.TABLES)
    assert page.volumes == stats.alert_volumes(scope=scope)
    assert page.reactions == stats.reaction_times(scope=scope)
    assert page.people == stats.network_figures(scope=scope)


@pytest.mark.django_db
def test_inside_a_transaction_the_page_stays_on_its_own_connection():
    world = build_world()
    with Connections() as connections:
        StatsPage(world.scope()).tables()  # the test's transaction holds rows others miss
    assert connections.opened == 0


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.django_db
def test_weeks_and_months_start_at_local_midnight():
    # A Sunday that is also the last day of February, then the Monday the 2nd of March.
    moments = [
        at(2026, 2, 28, 23, 59, 59, 999999),  # Saturday: February, week of the 23rd
        at(2026, 3, 1),  # Sunday: March, still the week of the 23rd
        at(2026, 3, 1, 23, 59, 59, 999999),
        at(2026, 3, 2),  # Monday: the week of the 2nd
    ]
    for moment in moments:
        Alert.objects.create(received_at=moment, source="web", status="triaged", text="…")
    scope = stats.Scope(since=dt.date(2026, 2, 20), until=dt.date(2026, 3, 8))
    volumes = stats.alert_volumes(scope=scope)
    assert volumes.totals == {
        dt.date(2026, 2, 16): 0,
        dt.date(2026, 2, 23): 3,
        dt.date(2026, 3, 2): 1,
    }
    by_month = stats.reaction_times(scope=scope).by_month
    assert {month: r.alerts for month, r in by_month.items()} == {
        dt.date(2026, 2, 1): 1,
        dt.date(2026, 3, 1): 3,
    }
