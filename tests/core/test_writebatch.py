"""Several writes sent as one round trip, built as the ORM's filter().update() and bulk_create()
build them; on PostgreSQL one query string, elsewhere one statement after another."""

import pytest
from django.db import connection
from django.db.models import F, sql
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from core.writebatch import WriteBatch
from networks.models import Location
from triage.models import Incident

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
    batch.update_where(Alert, {"pk": alert.pk, "status": "new"}, status="triaged", priority=2)
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
    batch.update_where(Alert, {"pk": alert.pk, "status": "closed"}, priority=1)
    assert batch.execute() == 0
    assert Alert.objects.get(pk=alert.pk).priority is None


def _sent(params) -> list:
    """Parameters as the database receives them (JSON adapters compared by their value)."""
    return [getattr(p, "adapted", p) for p in params]


def test_update_where_sends_the_values_an_orm_update_sends():
    place = Location.objects.create(name="Mbau", kind="village")
    alert = alert_create(source="web", text="Tirs entendus")
    values = {
        "status": "triaged",
        "categories": ["attack", "armed_presence"],
        "explanation": {"priority_rule": "attack under way", "score": 0.5},
        "priority": 1,
        "location": place,
        "triaged_at": alert.received_at,
    }
    where = {"pk": alert.pk, "status": "new", "triaged_at": None, "assignee_id": None}
    query = Alert.objects.filter(**where).query.chain(sql.UpdateQuery)
    query.add_update_values(values)
    _orm_sql, orm_params = query.get_compiler("default").as_sql()
    ours = WriteBatch()
    ours.update_where(Alert, where, **values)
    (_, our_params) = ours._statements[0]
    assert _sent(our_params) == _sent(orm_params)
    assert ours.execute() == 1
    alert.refresh_from_db()
    assert (alert.status, alert.priority, alert.location_id) == ("triaged", 1, place.pk)
    assert alert.categories == ["attack", "armed_presence"]
    assert alert.explanation == {"priority_rule": "attack under way", "score": 0.5}


def test_update_where_changes_nothing_when_a_condition_no_longer_holds():
    alert = alert_create(source="web", text="Tirs entendus")
    batch = WriteBatch()
    batch.update_where(Alert, {"pk": alert.pk, "status": "new", "triaged_at": None}, priority=1)
    assert batch.execute() == 1
    batch.update_where(Alert, {"pk": alert.pk, "status": "closed"}, priority=2)
    assert batch.execute() == 0
    batch.update_where(Alert, {"pk": alert.pk, "acknowledged_at": alert.received_at}, priority=3)
    assert batch.execute() == 0
    assert Alert.objects.get(pk=alert.pk).priority == 1


def test_update_where_refuses_what_only_the_orm_can_write():
    batch = WriteBatch()
    with pytest.raises(ValueError, match="expressions"):
        batch.update_where(Alert, {"pk": 1}, priority=F("priority") + 1)
    with pytest.raises(ValueError, match="not a column"):
        batch.update_where(Alert, {"pk": 1}, events=[])
    with pytest.raises(ValueError, match="at least one column"):
        batch.update_where(Alert, {"pk": 1})
    assert len(batch) == 0


def test_insert_stores_the_rows_bulk_create_stores():
    alert = alert_create(source="web", text="Tirs entendus")

    def events(note):
        return [
            AlertEvent(alert=alert, kind="triaged", after={"priority": 1}, note=note),
            AlertEvent(alert=alert, kind="assigned", before=None, after="analyst", note=note),
        ]

    AlertEvent.objects.bulk_create(events("orm"))
    batch = WriteBatch()
    batch.insert(AlertEvent, events("batch"))
    batch.execute()
    columns = ("alert_id", "kind", "by_id", "before", "after")
    orm = list(AlertEvent.objects.filter(note="orm").order_by("pk").values_list(*columns))
    ours = list(AlertEvent.objects.filter(note="batch").order_by("pk").values_list(*columns))
    assert ours == orm and len(ours) == 2
    assert all(AlertEvent.objects.filter(note="batch").values_list("at", flat=True))


def test_none_is_null_for_every_column_of_what_triage_writes():
    # insert_values sends None as NULL without asking the field.
    for model in (AlertEvent, Incident):
        for field in model._meta.concrete_fields:
            assert field.get_db_prep_save(None, connection=connection) is None, field
