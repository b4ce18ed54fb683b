"""Alerts raised by people (a committee, a CLA, an operator) say who raised them and where,
not "Unknown sender", and offer whom to contact and a note instead of an SMS reply."""

import pytest

from alerts.models import Alert
from cla.services import visit_alert_raise
from lpc.services import meeting_alert_raise
from tests.factories import (
    AlertFactory,
    FieldVisitFactory,
    LPCFactory,
    LPCMeetingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NO_SMS = "on ne peut pas y répondre par SMS"


@pytest.fixture
def people():
    return {
        "ana": UserFactory(username="ana", first_name="Ana", role="analyst"),
        "vee": UserFactory(username="vee", first_name="Vee", role="viewer"),
        "clara": UserFactory(
            username="clara", first_name="Clara", role="cla", email="clara@example.org"
        ),
        "opal": UserFactory(username="opal", first_name="Opal", role="analyst"),
    }


def html_of(client, user, alert: Alert) -> str:
    client.force_login(user)
    response = client.get(f"/dashboard/alerts/{alert.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_alert_from_a_meeting_names_who_raised_it_and_links_the_meeting(people, client):
    meeting = LPCMeetingFactory(lpc=LPCFactory(name="CLP Mavivi", cla=people["clara"]))
    alert = meeting_alert_raise(meeting=meeting, text="Menaces au marché", by=people["clara"])
    html = html_of(client, people["ana"], alert)
    assert "Levée par" in html and "<strong>Clara</strong>" in html
    assert f'href="/lpc/meetings/{meeting.pk}/"' in html and "CLP Mavivi" in html
    assert "Expéditeur inconnu" not in html
    assert f'action="/dashboard/alerts/{alert.pk}/reply/"' not in html
    assert NO_SMS in html
    assert "Pour en savoir plus, contactez Clara" in html and "mailto:clara@example.org" in html
    assert 'href="#note-form"' in html and 'id="note-form"' in html


def test_a_viewer_sees_the_meeting_named_but_not_linked(people, client):
    meeting = LPCMeetingFactory(lpc=LPCFactory(name="CLP Mavivi"))
    alert = meeting_alert_raise(meeting=meeting, text="Menaces au marché", by=people["clara"])
    html = html_of(client, people["vee"], alert)
    assert "CLP Mavivi" in html and "/lpc/meetings/" not in html
    assert "Expéditeur inconnu" not in html


def test_an_alert_from_a_field_visit_links_the_visit(people, client):
    visit = FieldVisitFactory(cla=people["clara"])
    alert = visit_alert_raise(visit=visit, text="Enlèvement signalé", by=people["clara"])
    assert alert.source == Alert.Source.CLA
    html = html_of(client, people["ana"], alert)
    assert "<strong>Clara</strong>" in html
    assert f'href="/cla/visits/{visit.pk}/"' in html
    assert NO_SMS in html and "Expéditeur inconnu" not in html


@pytest.mark.parametrize(
    "source", ["web", "phone", "radio", "in_person", "town_hall", "lpc", "cla"]
)
def test_an_alert_typed_in_by_an_operator_names_the_operator(people, client, source):
    alert = AlertFactory(source=source, created_by=people["opal"], text="Tirs entendus")
    html = html_of(client, people["ana"], alert)
    assert "Levée par" in html and "<strong>Opal</strong>" in html
    assert "Expéditeur inconnu" not in html
    assert f'action="/dashboard/alerts/{alert.pk}/reply/"' not in html
    assert "Pour en savoir plus, contactez Opal" in html


@pytest.mark.parametrize("source", ["sms", "voice", "missed_call"])
def test_an_alert_from_a_phone_keeps_the_sms_reply(people, client, source):
    alert = AlertFactory(source=source, text="Tirs entendus")
    html = html_of(client, people["ana"], alert)
    assert f'action="/dashboard/alerts/{alert.pk}/reply/"' in html
    assert "Levée par" not in html and NO_SMS not in html
