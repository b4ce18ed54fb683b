"""An alert raised from a meeting reaches the analysts' queue exactly as an SMS does."""

import pytest
from django.core.exceptions import ValidationError

from alerts.models import Alert
from lpc import services
from lpc.models import MeetingAlert
from triage.services import alert_triage_by_id

pytestmark = pytest.mark.django_db

TEXT = "Des hommes armés ont été vus hier soir à Mbau, les gens ont peur d'aller aux champs."


def test_it_raises_an_lpc_alert_queues_triage_and_keeps_the_meeting(
    meeting, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        alert = services.meeting_alert_raise(meeting=meeting, text=TEXT, by=users["cla"])
    assert len(callbacks) == 1  # triage is queued once the alert is committed
    assert (alert.source, alert.status, alert.created_by) == ("lpc", "new", users["cla"])
    assert alert.location is None  # no place given: triage finds it in the text
    link = MeetingAlert.objects.get(alert=alert)
    assert (link.meeting, link.raised_by) == (meeting, users["cla"])

    alert_triage_by_id(alert_id=alert.pk)
    alert = Alert.objects.get(pk=alert.pk)
    assert alert.status == "triaged"
    assert "armed_presence" in alert.categories
    assert alert.location.name == "Mbau"
    assert alert.lpc_meeting_link.meeting == meeting


def test_a_place_given_is_kept(meeting, gazetteer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        alert = services.meeting_alert_raise(
            meeting=meeting, text="Tension à signaler", by=None, location=gazetteer["oicha"]
        )
    assert alert.location == gazetteer["oicha"]


def test_an_empty_alert_is_refused(meeting):
    with pytest.raises(ValidationError) as caught:
        services.meeting_alert_raise(meeting=meeting, text="   ", by=None)
    assert "text" in caught.value.message_dict
    assert not Alert.objects.exists()
