"""Closing the loop: the reporter of a closed alert hears what was done, in their language, in
neutral words when in discreet mode, through the outbound SMS service; the networks of the
place get the news as a broadcast draft a supervisor sends."""

import pytest
from django.core.exceptions import ValidationError

from alerts.channels.backends import LocmemBackend
from alerts.models import Alert, AlertEvent, Broadcast, Message
from alerts.services import RevealingRefused, SendRefused, message_deliver
from engagement.loop import loop_area_tell, loop_message_text, loop_offered, loop_reporter_tell
from networks.models import FocalPoint
from tests.factories import AlertFactory, FocalPointFactory, NetworkFactory

pytestmark = pytest.mark.django_db
OUTCOME = "la patrouille est arrivée à Oicha ; la situation est calme"


@pytest.fixture
def closed(gazetteer):
    reporter = FocalPointFactory(language="fr")
    return AlertFactory(reporter=reporter, status=Alert.Status.CLOSED, location=gazetteer["oicha"])


def test_the_reporter_hears_back_in_their_language_and_the_history_says_so(closed, users, settings):
    settings.SMS_BACKEND = "locmem"
    message = loop_reporter_tell(alert=closed, outcome=OUTCOME, by=users["analyst"])
    message_deliver(message_id=message.pk)
    assert message.body == (
        f"Kengele : suite à votre alerte {closed.reference} : la patrouille est arrivée à "
        "Oicha ; la situation est calme. Merci. Restez en sécurité."
    )
    assert (message.direction, message.kind, message.alert) == ("outbound", "reply", closed)
    assert [sms["to"] for sms in LocmemBackend.outbox] == [closed.reporter.phone]
    event = closed.events.get(kind=AlertEvent.Kind.REPORTER_TOLD)
    assert (event.by, event.after) == (users["analyst"], {"message": message.pk})


def test_a_swahili_speaker_gets_the_swahili_wording(closed):
    FocalPoint.objects.filter(pk=closed.reporter_id).update(language="sw")
    closed.reporter.refresh_from_db()
    assert loop_message_text(alert=closed, outcome="Hali ni shwari").startswith(
        f"Kengele: kuhusu taarifa yako {closed.reference}: Hali ni shwari."
    )


def test_a_discreet_reporter_gets_neutral_words_and_never_revealing_ones(closed, users):
    FocalPoint.objects.filter(pk=closed.reporter_id).update(discreet=True)
    closed.reporter.refresh_from_db()
    message = loop_reporter_tell(alert=closed, outcome="La route est calme", by=users["analyst"])
    number = f"{closed.pk % 10000:04d}"
    assert message.body == f"Merci pour votre message {number}. La route est calme."
    with pytest.raises(RevealingRefused):
        loop_reporter_tell(alert=closed, outcome="Les casques bleus sont passés", by=None)
    assert Message.objects.filter(direction="outbound").count() == 1


def test_it_is_offered_only_for_a_closed_alert_from_a_focal_point_with_a_phone(
    closed, gazetteer, users
):
    assert loop_offered(alert=closed)
    open_alert = AlertFactory(reporter=closed.reporter, status=Alert.Status.ESCALATED)
    unknown = AlertFactory(status=Alert.Status.CLOSED)  # from a number nobody registered
    assert not loop_offered(alert=open_alert) and not loop_offered(alert=unknown)
    for alert in (open_alert, unknown):
        with pytest.raises(SendRefused):
            loop_reporter_tell(alert=alert, outcome=OUTCOME, by=users["analyst"])
    with pytest.raises(ValidationError):
        loop_reporter_tell(alert=closed, outcome="   ", by=users["analyst"])
    assert not Message.objects.filter(direction="outbound").exists()


def test_an_opted_out_reporter_is_not_offered_nor_sent_anything(closed, users):
    FocalPoint.objects.filter(pk=closed.reporter_id).update(opted_out_at="2026-01-01T00:00Z")
    closed.reporter.refresh_from_db()
    assert not loop_offered(alert=closed)
    with pytest.raises(SendRefused):
        loop_reporter_tell(alert=closed, outcome=OUTCOME, by=users["analyst"])


def test_the_area_gets_a_broadcast_draft_to_the_networks_of_the_place(closed, gazetteer, users):
    network = NetworkFactory(base=gazetteer["oicha"])
    NetworkFactory(base=gazetteer["kitshanga"])
    broadcast = loop_area_tell(alert=closed, text=OUTCOME, by=users["analyst"])
    assert (broadcast.status, broadcast.text_fr, broadcast.network_ids) == (
        Broadcast.Status.DRAFT,
        OUTCOME,
        [network.pk],
    )
    event = closed.events.get(kind=AlertEvent.Kind.AREA_TOLD)
    assert event.after == {"broadcast": broadcast.pk}


def test_without_a_network_there_the_people_living_in_the_place_are_chosen(closed, users):
    broadcast = loop_area_tell(alert=closed, text=OUTCOME, by=users["analyst"])
    assert (broadcast.network_ids, broadcast.location_ids) == ([], [closed.location_id])


def test_an_alert_without_a_place_or_still_open_has_no_area_to_tell(closed, users):
    for alert in (
        AlertFactory(status=Alert.Status.CLOSED),
        AlertFactory(status=Alert.Status.ESCALATED, location=closed.location),
    ):
        with pytest.raises(ValidationError):
            loop_area_tell(alert=alert, text=OUTCOME, by=users["analyst"])
    assert not Broadcast.objects.exists()
