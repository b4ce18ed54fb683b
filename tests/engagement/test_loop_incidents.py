"""Closing the loop for a resolved incident: each reporter of its closed alerts hears what was
done once (however many alerts they sent), in their language, in neutral words when discreet;
an opted-out reporter or an unknown number hears nothing; the area gets a broadcast draft; the
statistics count every alert whose reporter heard back, by whichever route."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.models import Alert, AlertEvent, Broadcast, Message
from alerts.services import RevealingRefused, SendRefused
from dashboard.stats import Scope
from dashboard.stats.page import StatsPage
from engagement.loop import loop_reporter_tell
from engagement.loop_incidents import (
    loop_incident,
    loop_incident_area_tell,
    loop_incident_offered,
    loop_incident_tell,
)
from networks.models import FocalPoint
from tests.factories import AlertFactory, FocalPointFactory, IncidentFactory, NetworkFactory
from triage.models import IncidentEvent
from triage.services import incident_reopen, incident_resolve

pytestmark = pytest.mark.django_db
OUTCOME = "la patrouille est arrivée à Oicha ; la situation est calme"


@pytest.fixture
def people(db):
    return {
        "kavira": FocalPointFactory(language="fr"),
        "amani": FocalPointFactory(language="sw", discreet=True),
        "gone": FocalPointFactory(language="fr"),
    }


@pytest.fixture
def incident(gazetteer, people):
    """At Oicha: Kavira sent two alerts, Amani (discreet) one, a focal point who has since
    opted out one, and an unregistered number one; all closed."""
    incident = IncidentFactory(location=gazetteer["oicha"])

    def closed(reporter=None, hours=0):
        return AlertFactory(
            reporter=reporter,
            status=Alert.Status.CLOSED,
            location=gazetteer["oicha"],
            incident=incident,
            received_at=timezone.now() - dt.timedelta(hours=5 - hours),
        )

    incident.kavira_alerts = [closed(people["kavira"], 0), closed(people["kavira"], 2)]
    incident.amani_alert = closed(people["amani"], 1)
    incident.gone_alert = closed(people["gone"], 3)
    incident.unknown_alert = closed(None, 4)
    FocalPoint.objects.filter(pk=people["gone"].pk).update(opted_out_at=timezone.now())
    return incident


@pytest.fixture
def resolved(incident, users):
    incident_resolve(incident=incident, by=users["analyst"], note="Patrouille passée")
    incident.refresh_from_db()
    return incident


def outbound():
    return list(Message.objects.filter(direction="outbound").order_by("pk"))


def test_each_reachable_reporter_is_told_once_however_many_alerts_they_sent(
    resolved, people, users
):
    sent = loop_incident_tell(incident=resolved, outcome=OUTCOME, by=users["analyst"])
    assert outbound() == sent and len(sent) == 2
    kavira, amani = sent
    first = resolved.kavira_alerts[0]
    assert (kavira.focal_point, kavira.alert) == (people["kavira"], first)
    assert kavira.body == (
        f"Kengele : suite à votre alerte {first.reference} : la patrouille est arrivée à "
        "Oicha ; la situation est calme. Merci. Restez en sécurité."
    )
    # Every alert of theirs counts as heard back; the incident's history says who sent what.
    for alert in resolved.kavira_alerts:
        event = alert.events.get(kind=AlertEvent.Kind.REPORTER_TOLD)
        assert event.after == {"message": kavira.pk, "incident": resolved.pk}
    told = resolved.events.get(kind=IncidentEvent.Kind.REPORTERS_TOLD)
    assert (told.by, told.details) == (users["analyst"], {"messages": [kavira.pk, amani.pk]})


def test_a_discreet_reporter_gets_the_neutral_wording_in_their_language(resolved, people, users):
    sent = loop_incident_tell(incident=resolved, outcome="Hali ni shwari", by=users["analyst"])
    amani = next(m for m in sent if m.focal_point == people["amani"])
    number = f"{resolved.amani_alert.pk % 10000:04d}"
    assert amani.body == f"Asante kwa ujumbe wako {number}. Hali ni shwari."


def test_an_opted_out_reporter_and_an_unknown_number_get_nothing(resolved, people, users):
    loop = loop_incident(incident=resolved)
    assert [r.alert for r in loop.reporters] == [
        resolved.kavira_alerts[0],
        resolved.amani_alert,
    ]
    assert loop.unreachable == [resolved.gone_alert, resolved.unknown_alert]
    loop_incident_tell(incident=resolved, outcome=OUTCOME, by=users["analyst"])
    recipients = {m.focal_point_id for m in outbound()}
    assert people["gone"].pk not in recipients and None not in recipients
    assert not resolved.gone_alert.events.filter(kind=AlertEvent.Kind.REPORTER_TOLD).exists()


def test_words_that_would_expose_the_discreet_reporter_send_nothing_to_anyone(resolved, users):
    with pytest.raises(RevealingRefused):
        loop_incident_tell(
            incident=resolved, outcome="Les casques bleus sont passés", by=users["analyst"]
        )
    assert outbound() == []
    assert not AlertEvent.objects.filter(kind=AlertEvent.Kind.REPORTER_TOLD).exists()


def test_telling_twice_is_refused_until_the_incident_comes_back(resolved, gazetteer, users):
    loop_incident_tell(incident=resolved, outcome=OUTCOME, by=users["analyst"])
    assert not loop_incident_offered(incident=resolved)
    with pytest.raises(SendRefused, match="already been told"):
        loop_incident_tell(incident=resolved, outcome=OUTCOME, by=users["analyst"])
    assert len(outbound()) == 2
    # Reopened and resolved again: the news is new, they may hear it.
    incident_reopen(incident=resolved, by=users["analyst"], note="Nouveaux tirs")
    incident_resolve(incident=resolved, by=users["analyst"])
    resolved.refresh_from_db()
    assert loop_incident_offered(incident=resolved)
    loop_incident_tell(incident=resolved, outcome="Calme revenu", by=users["analyst"])
    assert len(outbound()) == 4


def test_a_reporter_told_from_the_alert_page_is_not_told_again(resolved, people, users):
    loop_reporter_tell(alert=resolved.kavira_alerts[1], outcome=OUTCOME, by=users["analyst"])
    sent = loop_incident_tell(incident=resolved, outcome=OUTCOME, by=users["analyst"])
    assert [m.focal_point for m in sent] == [people["amani"]]


def test_nothing_is_offered_before_the_incident_is_resolved(incident, users):
    assert not loop_incident_offered(incident=incident)
    with pytest.raises(SendRefused, match="once the incident is resolved"):
        loop_incident_tell(incident=incident, outcome=OUTCOME, by=users["analyst"])
    with pytest.raises(ValidationError):
        loop_incident_area_tell(incident=incident, text=OUTCOME, by=users["analyst"])
    assert outbound() == [] and not Broadcast.objects.exists()


def test_an_edited_text_is_sent_as_written_within_the_length_limit(resolved, users):
    with pytest.raises(ValidationError, match="at most 306"):
        loop_incident_tell(incident=resolved, text="Calme. " * 50, by=users["analyst"])
    sent = loop_incident_tell(
        incident=resolved, text="Merci. La route est calme.", by=users["analyst"]
    )
    assert {m.body for m in sent} == {"Merci. La route est calme."}


def test_the_area_gets_a_broadcast_draft_and_the_history_says_so(resolved, gazetteer, users):
    network = NetworkFactory(base=gazetteer["oicha"])
    broadcast = loop_incident_area_tell(incident=resolved, text=OUTCOME, by=users["analyst"])
    assert (broadcast.status, broadcast.text_fr, broadcast.network_ids) == (
        Broadcast.Status.DRAFT,
        OUTCOME,
        [network.pk],
    )
    assert resolved.reference in broadcast.title
    event = resolved.events.get(kind=IncidentEvent.Kind.AREA_TOLD)
    assert event.details == {"broadcast": broadcast.pk}


def test_the_statistics_count_reporters_told_through_an_incident_and_one_alert(
    resolved, gazetteer, users
):
    alone = AlertFactory(
        reporter=FocalPointFactory(), status=Alert.Status.CLOSED, location=gazetteer["mbau"]
    )
    loop_reporter_tell(alert=alone, outcome=OUTCOME, by=users["analyst"])
    loop_incident_tell(incident=resolved, outcome=OUTCOME, by=users["analyst"])
    today = timezone.localdate()
    table = StatsPage(Scope(since=today - dt.timedelta(days=7), until=today)).table(
        "closing-the-loop"
    )
    # Closed: 5 in the incident + 1 alone; from a focal point: 5; told: Kavira's two,
    # Amani's, and the one alone.
    assert table.rows[0][1:4] == [6, 5, 4]
