"""Triage meets people and duplicates: what changed since the alert was read is respected."""

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertEvent
from alerts.services import alert_create
from tests.factories import UserFactory
from triage.models import AnalystProfile, Incident
from triage.services import alert_triage

from .support import make_gazetteer

pytestmark = pytest.mark.django_db
TEXT = "Hommes armés à Mbau, on tire"


@pytest.fixture
def places(db):
    return make_gazetteer()


@pytest.fixture
def ana(places):
    user = UserFactory(username="ana", role="analyst")
    AnalystProfile.objects.create(user=user, on_duty=True).areas.set([places.beni])
    return user


def test_an_alert_acknowledged_while_triage_ran_keeps_its_status_and_gets_no_assignee(places, ana):
    olga = UserFactory(username="olga", role="analyst")
    stale = alert_create(source="web", text=TEXT)  # what the worker read
    Alert.objects.filter(pk=stale.pk).update(
        status="acknowledged", acknowledged_at=timezone.now(), assignee=olga
    )
    alert = alert_triage(alert=stale)
    fresh = Alert.objects.get(pk=alert.pk)
    assert (fresh.status, fresh.assignee, fresh.location) == ("acknowledged", olga, places.mbau)
    assert fresh.priority == 1 and fresh.incident is not None and fresh.triaged_at
    assert (alert.status, alert.assignee) == ("acknowledged", olga)
    assert not AlertEvent.objects.filter(alert=fresh, kind="assigned").exists()
    assert AlertEvent.objects.filter(alert=fresh, kind="triaged").count() == 1


def test_a_place_set_by_an_analyst_meanwhile_is_kept(places, ana):
    stale = alert_create(source="web", text=TEXT)
    Alert.objects.filter(pk=stale.pk).update(location=places.uvira)
    alert_triage(alert=stale)
    fresh = Alert.objects.get(pk=stale.pk)
    assert fresh.location == places.uvira and fresh.incident.location == places.uvira
    assert fresh.assignee is None  # nobody covers Uvira


def test_a_duplicate_task_that_lost_the_race_changes_nothing(places, ana):
    stale = alert_create(source="web", text=TEXT)
    first = alert_triage(alert=Alert.objects.get(pk=stale.pk))
    again = alert_triage(alert=stale)  # read before the first one committed
    assert again.pk == first.pk
    assert Incident.objects.count() == 1 and Incident.objects.get().alert_count == 1
    assert AlertEvent.objects.filter(alert=stale, kind="triaged").count() == 1
    assert AlertEvent.objects.filter(alert=stale, kind="assigned").count() == 1
