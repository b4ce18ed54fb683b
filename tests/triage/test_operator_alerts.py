"""An alert received by HF radio, a phone call or in person, typed in on the dashboard."""

import pytest
from django.db import connection

from alerts.models import Alert
from networks.models import AuditEntry, Location
from tests.factories import FocalPointFactory, UserFactory
from triage.models import AnalystProfile

pytestmark = pytest.mark.django_db
URL = "/dashboard/alerts/new/"


@pytest.fixture
def places():
    beni = Location.objects.create(name="Beni", kind="territory")
    uvira = Location.objects.create(name="Uvira", kind="territory")
    return {
        "beni": beni,
        "mbau": Location.objects.create(name="Mbau", kind="village", parent=beni),
        "uvira": uvira,
        "kiliba": Location.objects.create(name="Kiliba", kind="village", parent=uvira),
    }


# Who may type in an alert, written out: those who act on alerts.
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("supervisor", 200), ("analyst", 200), ("cla", 403), ("viewer", 403)],
)
def test_who_may_type_in_an_alert(client, role, status):
    client.force_login(UserFactory(username=f"{role}-user", role=role))
    assert client.get(URL).status_code == status
    posted = client.post(URL, {"source": "radio", "text": "Hommes armés à Mbau"})
    assert posted.status_code == (302 if status == 200 else 403)
    assert Alert.objects.count() == (1 if status == 200 else 0)


def test_a_visitor_is_sent_to_the_login_page(client):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_it_creates_the_alert_from_a_focal_point_queued_for_triage_after_commit(
    client, places, django_capture_on_commit_callbacks
):
    reporter = FocalPointFactory(name="Kavira Masika", home_location=places["mbau"])
    analyst = UserFactory(username="alf", role="analyst")
    client.force_login(analyst)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            URL,
            {
                "source": "radio",
                "reporter": reporter.pk,
                "location": places["mbau"].pk,
                "text": "  Coups de feu à Mbau depuis ce matin  ",
            },
        )
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/alerts/{alert.pk}/"
    assert (alert.source, alert.reporter, alert.location) == ("radio", reporter, places["mbau"])
    assert alert.created_by == analyst and alert.sender_known is True
    assert alert.text == "Coups de feu à Mbau depuis ce matin" and alert.reporter_name == ""
    assert (alert.status, alert.triaged_at) == ("new", None)
    assert len(callbacks) == 1  # triage is queued once the alert is committed
    page = client.get(response["Location"])
    assert page.status_code == 200 and alert.reference in page.content.decode()


@pytest.mark.parametrize("source", ["phone", "in_person"])
def test_a_free_text_reporter_is_stored_encrypted(client, source):
    client.force_login(UserFactory(username="sam", role="supervisor"))
    response = client.post(
        URL, {"source": source, "reporter_name": "Chef Mumbere, groupement Bapere", "text": "Tirs"}
    )
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert (alert.source, alert.reporter, alert.location) == (source, None, None)
    assert alert.reporter_name == "Chef Mumbere, groupement Bapere"
    assert alert.sender_known is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name FROM alerts_alert WHERE id = %s", [alert.pk])
        (raw,) = cursor.fetchone()
    assert raw and "Mumbere" not in raw and "Bapere" not in raw


def test_it_refuses_a_focal_point_and_a_typed_name_together(client, in_english):
    reporter = FocalPointFactory()
    client.force_login(UserFactory(username="sam", role="supervisor"))
    response = client.post(
        URL, {"source": "radio", "reporter": reporter.pk, "reporter_name": "Chef", "text": "Tirs"}
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"source": "sms", "text": "Tirs"},  # an SMS comes through the webhook, not this form
        {"source": "radio", "text": "   "},
        {"source": "radio", "text": "x" * 4001},
        {"source": "radio", "text": "Tirs", "location": "999999"},
        {"source": "radio", "text": "Tirs", "reporter": "999999"},
    ],
)
def test_it_refuses_what_is_not_an_operator_alert(client, data):
    client.force_login(UserFactory(username="sam", role="supervisor"))
    assert client.post(URL, data).status_code == 200
    assert not Alert.objects.exists()


def test_an_analyst_with_areas_picks_among_their_places_and_focal_points(client, places):
    ours = FocalPointFactory(name="Kavira Masika", home_location=places["mbau"])
    theirs = FocalPointFactory(name="Bahati Furaha", home_location=places["kiliba"])
    analyst = UserFactory(username="alf", role="analyst")
    AnalystProfile.objects.create(user=analyst).areas.set([places["beni"]])
    client.force_login(analyst)
    html = client.get(URL).content.decode()
    assert "Kavira Masika" in html and "Bahati Furaha" not in html
    assert "Mbau (Beni)" in html and "Kiliba" not in html
    refused = client.post(URL, {"source": "radio", "text": "Tirs", "location": places["kiliba"].pk})
    assert refused.status_code == 200 and not Alert.objects.exists()
    refused = client.post(URL, {"source": "radio", "text": "Tirs", "reporter": theirs.pk})
    assert refused.status_code == 200 and not Alert.objects.exists()
    shown = AuditEntry.objects.filter(action="identity_viewed").last()
    assert shown is not None and shown.target_id_list == [str(ours.pk)]


def test_a_supervisor_picks_among_every_active_focal_point(client, places):
    FocalPointFactory(name="Kavira Masika", home_location=places["mbau"])
    FocalPointFactory(name="Bahati Furaha", home_location=places["kiliba"])
    FocalPointFactory(name="Parti Ailleurs", active=False)
    client.force_login(UserFactory(username="sam", role="supervisor"))
    html = client.get(URL).content.decode()
    assert "Kavira Masika" in html and "Bahati Furaha" in html
    assert "Parti Ailleurs" not in html


def test_the_form_speaks_french(client):
    client.force_login(UserFactory(username="sam", role="supervisor"))
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Saisir une alerte" in html and "Radio HF (saisie par un opérateur)" in html
    assert "Ce qui a été signalé" in html


def test_the_queue_links_to_the_form_for_those_who_may_use_it(client):
    client.force_login(UserFactory(username="alf", role="analyst"))
    assert URL in client.get("/dashboard/").content.decode()
    client.force_login(UserFactory(username="vic", role="viewer"))
    assert URL not in client.get("/dashboard/").content.decode()
