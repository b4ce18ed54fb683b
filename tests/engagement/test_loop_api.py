"""Closing the loop, and resolving incidents, through the API: who may do what, by role and
area, written out by hand; what comes back; what is refused and why.

The analyst covers Beni (Oicha is in it), the Masisi analyst Masisi, the CLA works in Beni;
conduct staff read complaints only."""

import pytest
from rest_framework.test import APIClient

from alerts.models import Alert, AlertEvent, Broadcast, Message
from networks.models import FocalPoint
from tests.factories import AlertFactory, FocalPointFactory, IncidentFactory, UserFactory
from triage.models import Incident, IncidentEvent
from triage.services import incident_resolve

pytestmark = pytest.mark.django_db
OUTCOME = "la patrouille est arrivée ; la situation est calme"
ROLES = ("admin", "supervisor", "analyst", "masisi_analyst", "viewer", "cla", "conduct")

# role -> status, for a closed alert (or a resolved incident) at Oicha.
PREVIEW = {
    "admin": 200,
    "supervisor": 200,
    "analyst": 200,
    "masisi_analyst": 404,  # outside their areas: no such alert for them
    "viewer": 403,
    "cla": 403,
    "conduct": 403,
}
TELL = {
    "admin": 201,
    "supervisor": 201,
    "analyst": 201,
    "masisi_analyst": 404,
    "viewer": 403,
    "cla": 403,
    "conduct": 403,
}
# role -> status, resolving (or reopening) an incident at Oicha.
RESOLVE = {
    "admin": 200,
    "supervisor": 200,
    "analyst": 200,
    "masisi_analyst": 404,
    "viewer": 403,
    "cla": 403,
    "conduct": 403,
}
# role -> status, reading an incident's history at Oicha (everyone who sees the incident).
HISTORY = {
    "admin": 200,
    "supervisor": 200,
    "analyst": 200,
    "masisi_analyst": 404,
    "viewer": 200,
    "cla": 200,  # works in Beni
    "conduct": 404,
}


@pytest.fixture
def everyone(users):
    return {**users, "conduct": UserFactory.with_role("conduct")}


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # reasons asserted in English
    client.force_authenticate(user)
    return client


@pytest.fixture
def reporter(db):
    return FocalPointFactory(language="fr")


@pytest.fixture
def closed(gazetteer, reporter):
    return AlertFactory(reporter=reporter, status=Alert.Status.CLOSED, location=gazetteer["oicha"])


@pytest.fixture
def incident(gazetteer, reporter, users):
    """Resolved, at Oicha: the same reporter's two closed alerts."""
    incident = IncidentFactory(location=gazetteer["oicha"])
    for _ in range(2):
        AlertFactory(
            reporter=reporter,
            status=Alert.Status.CLOSED,
            location=gazetteer["oicha"],
            incident=incident,
        )
    incident_resolve(incident=incident, by=users["supervisor"], note="Calme")
    incident.refresh_from_db()
    return incident


@pytest.fixture
def open_incident(gazetteer, users):
    incident = IncidentFactory(location=gazetteer["oicha"])
    AlertFactory(status=Alert.Status.ACKNOWLEDGED, location=gazetteer["oicha"], incident=incident)
    return incident


def outbound() -> list[Message]:
    return list(Message.objects.filter(direction="outbound"))


# --- One alert --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_previewing_an_alerts_loop_by_role_and_area(role, everyone, closed):
    response = api(everyone[role]).get(f"/api/v1/alerts/{closed.pk}/loop/?outcome=Calme")
    assert response.status_code == PREVIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_telling_an_alerts_reporter_by_role_and_area(role, everyone, closed):
    response = api(everyone[role]).post(
        f"/api/v1/alerts/{closed.pk}/loop/reporter/", {"outcome": OUTCOME}, format="json"
    )
    assert response.status_code == TELL[role]
    assert len(outbound()) == (1 if TELL[role] == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_preparing_an_alerts_area_draft_by_role_and_area(role, everyone, closed):
    response = api(everyone[role]).post(
        f"/api/v1/alerts/{closed.pk}/loop/area/", {"text": OUTCOME}, format="json"
    )
    assert response.status_code == TELL[role]
    assert Broadcast.objects.count() == (1 if TELL[role] == 201 else 0)


def test_the_preview_gives_the_text_language_and_discreet_mode(users, closed, reporter):
    body = api(users["analyst"]).get(f"/api/v1/alerts/{closed.pk}/loop/?outcome=Tout+est+calme")
    assert body.json() == {
        "alert": closed.pk,
        "reference": closed.reference,
        "closed": True,
        "reachable": True,
        "discreet": False,
        "language": "fr",
        "offered": True,
        "told": False,
        "text": f"Kengele : suite à votre alerte {closed.reference} : Tout est calme. Merci. "
        "Restez en sécurité.",
        "length": len(
            f"Kengele : suite à votre alerte {closed.reference} : Tout est calme. Merci. "
            "Restez en sécurité."
        ),
        "revealing_words": [],
        "max_length": 306,
        "area_offered": True,
        "area_networks": [],
    }
    FocalPoint.objects.filter(pk=reporter.pk).update(discreet=True, language="sw")
    body = api(users["analyst"]).get(
        f"/api/v1/alerts/{closed.pk}/loop/?outcome=Casques+bleus+passés"
    )
    number = f"{closed.pk % 10000:04d}"
    assert (body.json()["discreet"], body.json()["language"]) == (True, "sw")
    assert body.json()["text"] == f"Asante kwa ujumbe wako {number}. Casques bleus passés."
    assert body.json()["revealing_words"] == ["Casques bleus"]


def test_an_opted_out_reporter_is_shown_unreachable_and_sent_nothing(users, closed, reporter):
    FocalPoint.objects.filter(pk=reporter.pk).update(opted_out_at="2026-01-01T00:00Z")
    body = api(users["analyst"]).get(f"/api/v1/alerts/{closed.pk}/loop/").json()
    assert (body["reachable"], body["offered"], body["text"]) == (False, False, None)
    response = api(users["analyst"]).post(
        f"/api/v1/alerts/{closed.pk}/loop/reporter/", {"outcome": OUTCOME}, format="json"
    )
    assert response.status_code == 400 and "nobody to tell" in response.json()["detail"]
    assert outbound() == []


def test_an_edited_text_is_sent_as_written_and_the_limit_holds(users, closed):
    client = api(users["analyst"])
    url = f"/api/v1/alerts/{closed.pk}/loop/reporter/"
    too_long = client.post(url, {"text": "Calme. " * 50}, format="json")
    assert too_long.status_code == 400 and "text" in too_long.json()
    both = client.post(url, {"text": "Calme.", "outcome": "Calme"}, format="json")
    neither = client.post(url, {}, format="json")
    assert both.status_code == neither.status_code == 400
    sent = client.post(url, {"text": "Merci, la route est calme."}, format="json")
    assert sent.status_code == 201 and sent.json()["body"] == "Merci, la route est calme."
    assert closed.events.filter(kind=AlertEvent.Kind.REPORTER_TOLD).count() == 1


def test_revealing_words_to_a_discreet_reporter_are_refused_with_the_words(users, closed, reporter):
    FocalPoint.objects.filter(pk=reporter.pk).update(discreet=True)
    response = api(users["analyst"]).post(
        f"/api/v1/alerts/{closed.pk}/loop/reporter/",
        {"outcome": "La MONUSCO est passée"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["revealing_words"] == ["MONUSCO"]
    assert outbound() == []


def test_an_open_alert_has_no_loop_to_close(users, gazetteer, reporter):
    escalated = AlertFactory(
        reporter=reporter, status=Alert.Status.ESCALATED, location=gazetteer["oicha"]
    )
    client = api(users["analyst"])
    assert client.get(f"/api/v1/alerts/{escalated.pk}/loop/").json()["offered"] is False
    for path, data in (("reporter", {"outcome": OUTCOME}), ("area", {"text": OUTCOME})):
        response = client.post(f"/api/v1/alerts/{escalated.pk}/loop/{path}/", data, format="json")
        assert response.status_code == 400 and response.json()["detail"]
    assert outbound() == [] and not Broadcast.objects.exists()


# --- A resolved incident ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_previewing_an_incidents_loop_by_role_and_area(role, everyone, incident):
    response = api(everyone[role]).get(f"/api/v1/incidents/{incident.pk}/loop/")
    assert response.status_code == PREVIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_telling_an_incidents_reporters_by_role_and_area(role, everyone, incident, reporter):
    response = api(everyone[role]).post(
        f"/api/v1/incidents/{incident.pk}/loop/reporters/", {"outcome": OUTCOME}, format="json"
    )
    assert response.status_code == TELL[role]
    if TELL[role] == 201:
        # Two alerts, one reporter: one SMS.
        assert [m["id"] for m in response.json()["messages"]] == [m.pk for m in outbound()]
        assert [m.focal_point for m in outbound()] == [reporter]
    else:
        assert outbound() == []


@pytest.mark.parametrize("role", ROLES)
def test_preparing_an_incidents_area_draft_by_role_and_area(role, everyone, incident):
    response = api(everyone[role]).post(
        f"/api/v1/incidents/{incident.pk}/loop/area/", {"text": OUTCOME}, format="json"
    )
    assert response.status_code == TELL[role]
    assert Broadcast.objects.count() == (1 if TELL[role] == 201 else 0)


def test_the_incident_preview_names_each_reporter_once(users, incident):
    body = api(users["analyst"]).get(f"/api/v1/incidents/{incident.pk}/loop/?outcome=Calme")
    first, second = incident.alerts.order_by("received_at", "pk")
    data = body.json()
    assert (data["resolved"], data["workable"], data["offered"]) == (True, True, True)
    assert data["unreachable_alerts"] == []
    assert data["reporters"] == [
        {
            "alert": first.pk,
            "reference": first.reference,
            "alerts": [first.pk, second.pk],
            "discreet": False,
            "language": "fr",
            "told": False,
            "text": f"Kengele : suite à votre alerte {first.reference} : Calme. Merci. "
            "Restez en sécurité.",
            "length": len(
                f"Kengele : suite à votre alerte {first.reference} : Calme. Merci. "
                "Restez en sécurité."
            ),
            "revealing_words": [],
        }
    ]
    client = api(users["analyst"])
    url = f"/api/v1/incidents/{incident.pk}/loop/reporters/"
    assert client.post(url, {"outcome": OUTCOME}, format="json").status_code == 201
    again = client.post(url, {"outcome": OUTCOME}, format="json")
    assert again.status_code == 400 and "already been told" in again.json()["detail"]
    assert client.get(f"/api/v1/incidents/{incident.pk}/loop/").json()["reporters"][0]["told"]


def test_an_incident_partly_outside_the_analysts_areas_is_previewed_not_told(
    users, incident, gazetteer
):
    elsewhere = AlertFactory(
        reporter=FocalPointFactory(),
        status=Alert.Status.CLOSED,
        location=gazetteer["kitshanga"],
        incident=incident,
    )
    client = api(users["analyst"])
    data = client.get(f"/api/v1/incidents/{incident.pk}/loop/").json()
    assert data["workable"] is False
    assert elsewhere.pk not in [pk for r in data["reporters"] for pk in r["alerts"]]
    for path, body in (("reporters", {"outcome": OUTCOME}), ("area", {"text": OUTCOME})):
        response = client.post(f"/api/v1/incidents/{incident.pk}/loop/{path}/", body, format="json")
        assert response.status_code == 403
    assert outbound() == [] and not Broadcast.objects.exists()


def test_an_open_incident_has_no_loop_to_close(users, open_incident):
    client = api(users["analyst"])
    assert client.get(f"/api/v1/incidents/{open_incident.pk}/loop/").json()["offered"] is False
    response = client.post(
        f"/api/v1/incidents/{open_incident.pk}/loop/reporters/",
        {"outcome": OUTCOME},
        format="json",
    )
    assert response.status_code == 400 and "resolved" in response.json()["detail"]


# --- Resolving and reopening ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_resolving_an_incident_by_role_and_area(role, everyone, open_incident):
    response = api(everyone[role]).post(
        f"/api/v1/incidents/{open_incident.pk}/resolve/", {"note": "Calme"}, format="json"
    )
    assert response.status_code == RESOLVE[role]
    open_incident.refresh_from_db()
    assert open_incident.is_resolved == (RESOLVE[role] == 200)
    if RESOLVE[role] == 200:
        body = response.json()
        assert (body["resolved_by"], body["resolution_note"]) == (everyone[role].username, "Calme")
        assert body["resolved_at"] is not None
        assert set(open_incident.alerts.values_list("status", flat=True)) == {"closed"}


@pytest.mark.parametrize("role", ROLES)
def test_reopening_an_incident_by_role_and_area(role, everyone, incident):
    response = api(everyone[role]).post(
        f"/api/v1/incidents/{incident.pk}/reopen/", {"note": "Nouveaux tirs"}, format="json"
    )
    assert response.status_code == RESOLVE[role]
    incident.refresh_from_db()
    assert incident.is_resolved == (RESOLVE[role] != 200)


@pytest.mark.parametrize("role", ROLES)
def test_reading_an_incidents_history_by_role_and_area(role, everyone, incident):
    response = api(everyone[role]).get(f"/api/v1/incidents/{incident.pk}/history/")
    assert response.status_code == HISTORY[role]
    if response.status_code == 200:
        [line] = response.json()["results"]
        assert (line["kind"], line["by"], line["note"]) == ("resolved", "supervisor", "Calme")


def test_resolving_is_refused_with_a_reason(users, open_incident, gazetteer):
    client = api(users["analyst"])
    url = f"/api/v1/incidents/{open_incident.pk}/resolve/"
    [seen] = open_incident.alerts.values_list("pk", flat=True)
    late = AlertFactory(
        status=Alert.Status.ACKNOWLEDGED, location=gazetteer["oicha"], incident=open_incident
    )
    response = client.post(url, {"alerts": [seen]}, format="json")
    assert response.status_code == 400 and late.reference in response.json()["detail"]
    waiting = AlertFactory(triaged=True, location=gazetteer["oicha"], incident=open_incident)
    response = client.post(url, {}, format="json")
    assert response.status_code == 400 and waiting.reference in response.json()["detail"]
    assert client.post(url, {"note": "x" * 2001}, format="json").status_code == 400
    open_incident.refresh_from_db()
    assert not open_incident.is_resolved and not IncidentEvent.objects.exists()


def test_the_list_filters_resolved_and_open_incidents(users, incident, open_incident):
    client = api(users["analyst"])

    def listed(query: str) -> set[int]:
        rows = client.get(f"/api/v1/incidents/?{query}").json()["results"]
        return {row["id"] for row in rows}

    assert listed("resolved=true") == {incident.pk}
    assert listed("resolved=false") == {open_incident.pk}
    assert Incident.objects.count() == 2
