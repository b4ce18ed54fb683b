"""Analysts' corrections count against the triage engine: `manage.py triage_accuracy`."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from alerts.selectors import triage_corrections
from alerts.services import alert_create, alert_update
from networks.models import Location
from tests.factories import UserFactory
from triage.services import alert_triage


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana", role="analyst")


def _triaged(text: str):
    return alert_triage(alert=alert_create(source="web", text=text))


def _window():
    now = timezone.now()
    return {"since": now - dt.timedelta(days=1), "until": now + dt.timedelta(seconds=1)}


def test_each_corrected_decision_lowers_its_accuracy_once_per_alert(db, analyst):
    shooting = _triaged("Des hommes armés tirent sur la population")
    greeting = _triaged("Bonjour, merci")
    _triaged("Des gens fuient le village")
    _triaged("Vol de chèvres cette nuit")
    mbau = Location.objects.create(name="Mbau", kind="village")
    alert_update(alert=greeting, by=analyst, categories=["displacement"], priority=3)
    alert_update(alert=greeting, by=analyst, priority=2)  # the same alert twice: counted once
    alert_update(alert=shooting, by=analyst, location=mbau)

    summary = triage_corrections(**_window())
    assert summary["n"] == 4
    assert summary["category_corrections"] == 1 and summary["category_accuracy"] == 0.75
    assert summary["priority_corrections"] == 1 and summary["priority_accuracy"] == 0.75
    assert summary["place_accuracy"] == 0.75
    assert summary["language_accuracy"] == 1.0


def test_priority_one_recall_counts_alerts_people_raised_to_one_that_triage_missed(db, analyst):
    shooting = _triaged("Des hommes armés tirent sur la population")
    assert shooting.priority == 1
    theft = _triaged("Vol de chèvres cette nuit")
    assert theft.priority > 1
    alert_update(alert=theft, by=analyst, priority=1)
    summary = triage_corrections(**_window())
    assert summary["priority1_total"] == 2 and summary["priority1_recall"] == 0.5


def test_alerts_triaged_outside_the_window_and_untriaged_ones_are_left_out(db, analyst):
    _triaged("Bonjour")
    alert_create(source="web", text="pas encore trié")
    later = timezone.now() + dt.timedelta(days=2)
    assert triage_corrections(since=later, until=later + dt.timedelta(days=1))["n"] == 0
    assert triage_corrections(**_window())["n"] == 1


def test_the_command_prints_a_table_then_one_json_line(db, analyst):
    alert = _triaged("Des gens fuient le village")
    alert_update(alert=alert, by=analyst, language="sw")
    out = StringIO()
    call_command("triage_accuracy", "--days", "7", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "language" in out.getvalue()
    summary = json.loads(lines[-1])
    assert summary["n"] == 1 and summary["language_accuracy"] == 0.0


def test_the_command_refuses_a_silly_period(db):
    with pytest.raises(CommandError):
        call_command("triage_accuracy", "--days", "0", stdout=StringIO())
