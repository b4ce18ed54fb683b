"""The incident page: resolving and reopening an incident, its history, and once resolved,
telling its reporters (each once) and its area what was done; in French, for those who may act
on it, and refused to the others."""

import pytest
from django.utils import translation

from alerts.models import Alert, Broadcast, Message
from tests.browser import french_page_problems, html_visible_text
from tests.factories import AlertFactory, FocalPointFactory, IncidentFactory
from triage.models import IncidentEvent
from triage.services import incident_resolve

pytestmark = pytest.mark.django_db
OUTCOME = "la patrouille est arrivée à Oicha ; la situation est calme"


@pytest.fixture
def reporters(db):
    return [FocalPointFactory(language="fr"), FocalPointFactory(language="sw", discreet=True)]


@pytest.fixture
def incident(gazetteer, reporters):
    """At Oicha, open: the first reporter's two alerts (acknowledged, escalated), the second's
    one (verified)."""
    incident = IncidentFactory(location=gazetteer["oicha"])
    for reporter, status in (
        (reporters[0], Alert.Status.ACKNOWLEDGED),
        (reporters[0], Alert.Status.ESCALATED),
        (reporters[1], Alert.Status.VERIFIED),
    ):
        AlertFactory(
            reporter=reporter,
            status=status,
            location=gazetteer["oicha"],
            incident=incident,
            acknowledged_at="2026-01-01T00:00Z",
        )
    return incident


def seen(incident) -> str:
    return ",".join(str(pk) for pk in incident.alerts.values_list("pk", flat=True))


def page(client, incident, language: str = "en") -> str:
    response = client.get(f"/dashboard/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_an_analyst_resolves_the_incident_then_tells_its_reporters_once_each(
    client, incident, reporters, users
):
    client.force_login(users["analyst"])
    html = page(client, incident)
    assert f"/dashboard/incidents/{incident.pk}/resolve/" in html
    assert "tell-reporters" not in html  # not before it is resolved
    response = client.post(
        f"/dashboard/incidents/{incident.pk}/resolve/",
        {"note": "Patrouille sur place", "seen": seen(incident)},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.is_resolved and incident.resolved_by == users["analyst"]
    assert set(incident.alerts.values_list("status", flat=True)) == {"closed"}

    html = page(client, incident)
    assert "Patrouille sur place" in html and f"/incidents/{incident.pk}/reopen/" in html
    assert "2 reporters can be told, each once" in html
    assert "1 is in discreet mode" in html
    client.post(f"/dashboard/incidents/{incident.pk}/tell-reporters/", {"outcome": OUTCOME})
    sent = Message.objects.filter(direction="outbound")
    assert sorted(m.focal_point_id for m in sent) == sorted(r.pk for r in reporters)
    assert "Every reporter has already been told." in page(client, incident)

    client.post(f"/dashboard/incidents/{incident.pk}/tell-area/", {"text": OUTCOME})
    assert Broadcast.objects.get().status == Broadcast.Status.DRAFT
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds == ["resolved", "reporters_told", "area_told"]


def test_an_alert_that_joined_since_the_page_was_drawn_stops_the_resolution(
    client, incident, gazetteer, users
):
    client.force_login(users["analyst"])
    drawn = seen(incident)
    late = AlertFactory(
        status=Alert.Status.ACKNOWLEDGED, location=gazetteer["oicha"], incident=incident
    )
    response = client.post(
        f"/dashboard/incidents/{incident.pk}/resolve/", {"seen": drawn}, follow=True
    )
    incident.refresh_from_db()
    assert not incident.is_resolved
    assert late.reference in response.content.decode()


def test_an_alert_still_waiting_is_named_instead_of_the_resolve_button(
    client, incident, gazetteer, users
):
    waiting = AlertFactory(triaged=True, location=gazetteer["oicha"], incident=incident)
    client.force_login(users["analyst"])
    html = page(client, incident)
    assert waiting.reference in html.split("incident-resolution")[1]
    assert f"/dashboard/incidents/{incident.pk}/resolve/" not in html


def test_a_supervisor_reopens_it_and_the_history_says_who_and_why(client, incident, users):
    incident_resolve(incident=incident, by=users["analyst"], note="Calme")
    client.force_login(users["supervisor"])
    client.post(f"/dashboard/incidents/{incident.pk}/reopen/", {"note": "Nouveaux tirs"})
    incident.refresh_from_db()
    assert not incident.is_resolved
    html = page(client, incident)
    assert "Nouveaux tirs" in html.split('id="incident-history"')[1]
    assert f"/dashboard/incidents/{incident.pk}/resolve/" in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [("masisi_analyst", 404), ("viewer", 403), ("cla", 403)],
)
def test_who_may_not_act_on_it_is_refused(client, incident, users, role, expected):
    client.force_login(users[role])
    for action, data in (
        ("resolve", {"seen": seen(incident)}),
        ("tell-reporters", {"outcome": OUTCOME}),
        ("tell-area", {"text": OUTCOME}),
    ):
        response = client.post(f"/dashboard/incidents/{incident.pk}/{action}/", data)
        assert response.status_code == expected, action
    incident.refresh_from_db()
    assert not incident.is_resolved and not IncidentEvent.objects.exists()
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_viewer_reads_the_resolution_without_the_forms(client, incident, users):
    incident_resolve(incident=incident, by=users["analyst"], note="Calme")
    client.force_login(users["viewer"])
    html = page(client, incident)
    assert "Calme" in html and "Resolved" in html
    assert "reopen/" not in html and "tell-reporters" not in html


def test_the_resolved_incident_page_reads_in_french(client, incident, users):
    client.force_login(users["analyst"])
    client.cookies["django_language"] = "fr"
    open_page = page(client, incident, "fr")
    incident_resolve(incident=incident, by=users["analyst"], note="Calme")
    resolved_page = page(client, incident, "fr")
    with translation.override("fr"):
        for html in (open_page, resolved_page):
            assert french_page_problems(html_visible_text(html)) == []
    assert "Résoudre l’incident" in open_page
    assert "Résolu" in resolved_page and "Prévenir les auteurs par SMS" in resolved_page


def test_a_resolved_incident_with_nobody_to_tell_says_so(client, gazetteer, users):
    incident = IncidentFactory(location=gazetteer["oicha"])
    AlertFactory(status=Alert.Status.CLOSED, location=gazetteer["oicha"], incident=incident)
    incident_resolve(incident=incident, by=users["analyst"])
    client.force_login(users["analyst"])
    html = page(client, incident)
    assert "No reporter of this incident can be told" in html
    assert "tell-reporters" not in html and "tell-area" in html
