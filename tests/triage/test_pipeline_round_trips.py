"""On PostgreSQL, triaging an alert costs a fixed handful of round trips to the database,
each a statement the connection prepared once: the read, the lock with what is read under
it, the writes, and the transaction's begin and commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from core.prepared import prepared_forget
from tests.factories import UserFactory
from triage.models import AnalystProfile, Incident
from triage.services import alert_triage_by_id

from .support import make_gazetteer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="statements are sent together on PostgreSQL"
    ),
]
TEXT = "Hommes armés à Mbau, on tire"


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def ana(places):
    user = UserFactory(username="ana", role="analyst")
    AnalystProfile.objects.create(user=user, on_duty=True).areas.set([places.beni])
    return user


def triage_counting(alert: Alert) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        alert_triage_by_id(alert_id=alert.pk)
    return [q["sql"] for q in queries.captured_queries]


def test_a_grouped_and_assigned_alert_takes_three_statements_and_prepares_them_once(places, ana):
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # whatever earlier tests prepared on this connection
    prepared_forget()
    first = triage_counting(alert_create(source="web", text=TEXT))  # opens the incident
    triage_counting(alert_create(source="web", text=TEXT))  # joins it: its update prepared
    second = triage_counting(alert_create(source="web", text=TEXT))

    transaction = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    sent = [s for s in second if not s.startswith(transaction)]
    assert len(sent) == 3, sent
    assert all(part.startswith("EXECUTE k_") for s in sent for part in s.split("; "))
    assert not [s for s in second if s.startswith("PREPARE")]
    assert [s for s in first if s.startswith("PREPARE")]  # the first alert prepared them

    incident = Incident.objects.get()
    assert incident.alert_count == 3 and incident.location == places.mbau
    for alert in Alert.objects.all():
        assert (alert.status, alert.assignee, alert.incident) == ("triaged", ana, incident)
        kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
        assert kinds == ["triaged", "assigned"]


@pytest.mark.django_db(transaction=True)  # the lost statement aborts the transaction it is in
def test_a_session_that_lost_its_statements_prepares_them_again(places, ana):
    triage_counting(alert_create(source="web", text=TEXT))
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler's DISCARD ALL would
    alert = alert_create(source="web", text=TEXT)
    with pytest.raises(Exception, match="does not exist"):
        triage_counting(alert)
    again = triage_counting(Alert.objects.get(pk=alert.pk))
    assert [s for s in again if s.startswith("PREPARE")]
    assert Alert.objects.get(pk=alert.pk).status == "triaged"
