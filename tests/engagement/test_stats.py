"""The statistics page's figures on deployments and on closing the loop."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertEvent
from dashboard.stats import Scope
from dashboard.stats.page import StatsPage
from engagement.loop import loop_reporter_tell
from tests.factories import AlertFactory, DeploymentFactory, FocalPointFactory

pytestmark = pytest.mark.django_db


def scope() -> Scope:
    today = timezone.localdate()
    return Scope(since=today - dt.timedelta(days=7), until=today)


def escalated(hours_ago: float) -> Alert:
    alert = AlertFactory(
        status=Alert.Status.ESCALATED, received_at=timezone.now() - dt.timedelta(days=1)
    )
    AlertEvent.objects.create(
        alert=alert,
        kind=AlertEvent.Kind.STATUS,
        before="verified",
        after="escalated",
        at=timezone.now() - dt.timedelta(hours=hours_ago),
    )
    return alert


def test_escalation_to_deployment_times_have_a_median_and_a_count(gazetteer, users):
    two, four, never = escalated(2), escalated(4), escalated(1)
    DeploymentFactory(area=gazetteer["oicha"], alerts=[two, four], by=users["analyst"])
    table = StatsPage(scope()).table("escalation-deployment")
    label, n_escalated, n_deployed, median, p90, without = table.rows[0]
    assert (n_escalated, n_deployed, without) == (3, 2, 1)
    assert median == pytest.approx(3 * 3600, abs=60)
    assert p90 == pytest.approx(3.8 * 3600, abs=60)
    assert never.pk  # escalated, no deployment: counted apart, never as zero
    assert "3 h 00" in table.display_rows[0]["cells"][3]


def test_the_share_of_closed_alerts_whose_reporter_heard_back(gazetteer, users):
    told = AlertFactory(reporter=FocalPointFactory(), status=Alert.Status.CLOSED)
    AlertFactory(reporter=FocalPointFactory(), status=Alert.Status.CLOSED)
    AlertFactory(status=Alert.Status.CLOSED)  # an unknown number: nobody to tell
    AlertFactory(reporter=FocalPointFactory(), status=Alert.Status.ESCALATED)  # not closed
    AlertFactory(status=Alert.Status.CLOSED, received_at=timezone.now() - dt.timedelta(days=30))
    loop_reporter_tell(alert=told, outcome="La situation est calme", by=users["analyst"])
    table = StatsPage(scope()).table("closing-the-loop")
    assert table.rows[0][1:] == [3, 2, 1, pytest.approx(100 / 3)]
    assert table.display_rows[0]["cells"][4] == "33.3 %"


def test_the_statistics_page_shows_both_tables(client, users):
    client.force_login(users["viewer"])
    html = client.get("/dashboard/stats/").content.decode()
    assert 'data-table="escalation-deployment"' in html and 'data-table="closing-the-loop"' in html
