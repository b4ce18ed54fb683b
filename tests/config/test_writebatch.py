"""Several writes sent as one round trip, built by the ORM as update() and bulk_create() build
them; on PostgreSQL one query string, elsewhere one statement after another."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from config.writebatch import WriteBatch
from networks.models import Location

pytestmark = pytest.mark.django_db


def test_writes_run_in_order_and_the_last_statement_gives_the_row_count():
    alert = alert_create(source="web", text="Tirs entendus")
    batch = WriteBatch()
    batch.insert(
        AlertEvent,
        [
            AlertEvent(alert=alert, kind="note", note="first"),
            AlertEvent(alert=alert, kind="note", note="second"),
        ],
    )
    batch.update(Alert.objects.filter(pk=alert.pk, status="new"), status="triaged", priority=2)
    with CaptureQueriesContext(connection) as queries:
        assert batch.execute() == 1
    sent = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("PREPARE")]
    assert len(sent) == (1 if connection.vendor == "postgresql" else 2)
    assert len(batch) == 0
    alert.refresh_from_db()
    assert (alert.status, alert.priority) == ("triaged", 2)
    events = list(AlertEvent.objects.filter(alert=alert).order_by("pk"))
    assert [e.note for e in events] == ["first", "second"] and all(e.at for e in events)


def test_an_update_that_matches_nothing_reports_zero_rows():
    alert = alert_create(source="web", text="Tirs entendus")
    batch = WriteBatch()
    batch.insert(AlertEvent, [AlertEvent(alert=alert, kind="note", note="kept")])
    batch.update(Alert.objects.filter(pk=alert.pk, status="closed"), priority=1)
    assert batch.execute() == 0
    assert Alert.objects.get(pk=alert.pk).priority is None


def test_an_update_filtered_across_a_join_changes_only_the_matching_rows():
    here = Location.objects.create(name="Mbau", kind="village")
    there = Location.objects.create(name="Oicha", kind="village")
    mbau = alert_create(source="web", text="Tirs entendus", location=here)
    oicha = alert_create(source="web", text="Tirs entendus", location=there)
    batch = WriteBatch()
    batch.update(Alert.objects.filter(location__name="Mbau"), priority=1)
    assert batch.execute() == 1
    assert Alert.objects.get(pk=mbau.pk).priority == 1
    assert Alert.objects.get(pk=oicha.pk).priority is None
