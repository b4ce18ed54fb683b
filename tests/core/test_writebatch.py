"""Several writes sent as one round trip, built as the ORM's filter().update() and bulk_create()
build them; on PostgreSQL one query string, elsewhere one statement after another."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from core.writebatch import WriteBatch
from networks.models import Location
from triage.models import Incident, IncidentEvent

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


def _row(model, pk) -> dict:
    """Every column of one row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def test_update_where_stores_what_an_orm_update_stores():
    place = Location.objects.create(name="Mbau", kind="village")
    ours, theirs = (alert_create(source="web", text="Tirs entendus") for _ in range(2))
    values = {
        "status": "triaged",
        "categories": ["attack", "armed_presence"],
        "explanation": {"priority_rule": "attack under way", "score": 0.5},
        "priority": 1,
        "location": place,
        "triaged_at": ours.received_at,
    }
    where = {"status": "new", "triaged_at": None, "assignee_id": None}
    assert Alert.objects.filter(pk=theirs.pk, **where).update(**values) == 1
    batch = WriteBatch()
    batch.update_where(Alert, {"pk": ours.pk, **where}, **values)
    assert batch.execute() == 1
    stored, expected = _row(Alert, ours.pk), _row(Alert, theirs.pk)
    different = {"id", "received_at", "created_at", "updated_at", "changed_at", "sender"}
    assert set(stored) - different  # a column list was read
    for column in set(stored) - different:
        assert stored[column] == expected[column], column
    ours.refresh_from_db()
    assert (ours.status, ours.priority, ours.location_id) == ("triaged", 1, place.pk)
    assert ours.categories == ["attack", "armed_presence"]
    assert ours.explanation == {"priority_rule": "attack under way", "score": 0.5}


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
    for model in (AlertEvent, Incident, IncidentEvent):
        for field in model._meta.concrete_fields:
            assert field.get_db_prep_save(None, connection=connection) is None, field


def test_insert_takes_the_id_of_a_related_row_saved_after_it_was_assigned():
    alert = alert_create(source="web", text="Tirs entendus")
    event = AlertEvent(alert=alert, kind="note", note="linked")
    unsaved = Alert(source="web", text="pas encore", sender="", sender_hash="")
    batch = WriteBatch()
    with pytest.raises(ValueError, match="not saved"):
        batch.insert(AlertEvent, [AlertEvent(alert=unsaved, kind="note", note="lost")])
    unsaved.save()
    batch.insert(AlertEvent, [event, AlertEvent(alert=unsaved, kind="note", note="late")])
    batch.execute()
    assert set(AlertEvent.objects.values_list("alert_id", "note")) >= {
        (alert.pk, "linked"),
        (unsaved.pk, "late"),
    }
    assert not AlertEvent.objects.filter(note="lost").exists()
