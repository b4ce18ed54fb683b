"""The dashboard's town hall and deployment pages, the overdue commitments supervisors follow,
and the offer to tell a closed alert's reporter and place what was done."""

import datetime as dt

import pytest

from alerts.models import Alert, AlertEvent, Broadcast, Message
from engagement.models import Commitment, Deployment, TownHall
from engagement.services import commitment_add
from tests.factories import AlertFactory, DeploymentFactory, FocalPointFactory, TownHallFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_an_analyst_records_a_town_hall_with_a_concern_that_raises_an_alert(
    client, gazetteer, users, django_capture_on_commit_callbacks
):
    client.force_login(users["analyst"])
    data = {
        "place": gazetteer["oicha"].pk,
        "held_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "convener": users["analyst"].pk,
        "women": 20,
        "youth": 10,
        "authorities": 2,
        "civil_society": 4,
        "displaced": 7,
        "notes": "",
        "concern-TOTAL_FORMS": 1,
        "concern-INITIAL_FORMS": 0,
        "concern-0-text": "Des hommes armés ont été vus près de l'école",
        "concern-0-categories": ["armed_presence"],
        "concern-0-risk_factors": ["RF1", "RF7"],
        "concern-0-raise_alert": "on",
        "commitment-TOTAL_FORMS": 1,
        "commitment-INITIAL_FORMS": 0,
        "commitment-0-text": "Une patrouille la semaine prochaine",
        "commitment-0-owner": users["supervisor"].pk,
        "commitment-0-due_on": (TODAY + dt.timedelta(days=7)).isoformat(),
    }
    with django_capture_on_commit_callbacks():
        response = client.post("/dashboard/town-halls/new/", data)
    town_hall = TownHall.objects.get()
    assert response.status_code == 302 and response.url == f"/dashboard/town-halls/{town_hall.pk}/"
    assert (town_hall.participants, town_hall.created_by) == (43, users["analyst"])
    concern = town_hall.concerns.get()
    assert concern.risk_factors == ["RF1", "RF7"]
    assert concern.alert.source == Alert.Source.TOWN_HALL
    assert town_hall.commitments.get().owner == users["supervisor"]
    page = client.get(f"/dashboard/town-halls/{town_hall.pk}/").content.decode()
    assert concern.alert.reference in page and "Une patrouille la semaine prochaine" in page


def test_a_bad_town_hall_form_is_answered_with_its_errors_not_a_crash(client, gazetteer, users):
    client.force_login(users["analyst"])
    response = client.post(
        "/dashboard/town-halls/new/",
        {
            "place": gazetteer["kitshanga"].pk,  # not in the analyst's areas
            "held_on": "yesterday",
            "convener": users["analyst"].pk,
            "concern-TOTAL_FORMS": 0,
            "concern-INITIAL_FORMS": 0,
            "commitment-TOTAL_FORMS": 1,
            "commitment-INITIAL_FORMS": 0,
            "commitment-0-text": "Sans responsable",
        },
    )
    assert response.status_code == 400
    form, commitments = response.context["form"], response.context["commitments"]
    assert {"place", "held_on"} <= set(form.errors)
    assert "owner" in commitments.forms[0].errors
    assert not TownHall.objects.exists()


def test_a_commitment_is_answered_from_the_later_meeting_page(client, gazetteer, users):
    first = TownHallFactory(
        place=gazetteer["oicha"], convener=users["analyst"], held_on=TODAY - dt.timedelta(30)
    )
    commitment = commitment_add(
        town_hall=first, text="Pont", owner=users["analyst"], due_on=TODAY - dt.timedelta(3)
    )
    later = TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    client.force_login(users["cla"])
    response = client.post(
        f"/dashboard/town-halls/commitments/{commitment.pk}/answer/",
        {f"c{commitment.pk}-answer": "Le pont est réparé", f"c{commitment.pk}-at": later.pk},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.status, commitment.answered_at) == ("answered", later)


def test_supervisors_see_overdue_commitments_linked_from_their_queue(client, gazetteer, users):
    town_hall = TownHallFactory(
        place=gazetteer["oicha"], convener=users["analyst"], held_on=TODAY - dt.timedelta(30)
    )
    commitment_add(
        town_hall=town_hall,
        text="Réhabiliter le poste de police",
        owner=users["analyst"],
        due_on=TODAY - dt.timedelta(days=2),
    )
    client.force_login(users["supervisor"])
    queue = client.get("/dashboard/").content.decode()
    assert "/dashboard/town-halls/commitments/overdue/" in queue
    page = client.get("/dashboard/town-halls/commitments/overdue/")
    assert page.status_code == 200
    assert "Réhabiliter le poste de police" in page.content.decode()
    client.force_login(users["analyst"])
    assert client.get("/dashboard/town-halls/commitments/overdue/").status_code == 403
    assert "commitments/overdue" not in client.get("/dashboard/").content.decode()


def test_a_deployment_sent_from_an_escalated_alert_is_recorded_in_its_history(
    client, gazetteer, users
):
    alert = AlertFactory(status=Alert.Status.ESCALATED, location=gazetteer["mbau"])
    client.force_login(users["analyst"])
    alert_page = client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert f"/dashboard/deployments/new/?alert={alert.pk}" in alert_page
    form = client.get(f"/dashboard/deployments/new/?alert={alert.pk}")
    assert form.context["form"].initial["alerts"] == [alert.pk]
    response = client.post(
        "/dashboard/deployments/new/",
        {
            "kind": "jpt",
            "area": gazetteer["mbau"].pk,
            "started_on": TODAY.isoformat(),
            "military": 8,
            "police": 2,
            "civilians": 3,
            "investigators": 1,
            "alerts": [alert.pk],
            "recommendations": "Renforcer les patrouilles\nOuvrir une base temporaire",
        },
    )
    deployment = Deployment.objects.get()
    assert response.url == f"/dashboard/deployments/{deployment.pk}/"
    assert deployment.team_size == 14
    assert deployment.recommendations.count() == 2
    sent = alert.events.get(kind=AlertEvent.Kind.DEPLOYMENT_SENT)
    assert sent.after == {"deployment": deployment.pk, "kind": "jpt"}

    client.post(
        f"/dashboard/deployments/{deployment.pk}/findings/",
        {"findings": "Village calme, 3 maisons brûlées", "ended_on": TODAY.isoformat()},
    )
    assert alert.events.filter(kind=AlertEvent.Kind.DEPLOYMENT_FINDINGS).count() == 1
    recommendation = deployment.recommendations.first()
    client.post(
        f"/dashboard/deployments/recommendations/{recommendation.pk}/",
        {f"r{recommendation.pk}-status": "done", f"r{recommendation.pk}-follow_up": "Fait"},
    )
    recommendation.refresh_from_db()
    assert recommendation.status == "done"
    page = client.get(f"/dashboard/deployments/{deployment.pk}/").content.decode()
    assert "Village calme, 3 maisons brûlées" in page and alert.reference in page


def test_a_closed_alerts_reporter_is_offered_a_message_and_told(client, gazetteer, users):
    reporter = FocalPointFactory(language="fr")
    alert = AlertFactory(reporter=reporter, status=Alert.Status.CLOSED, location=gazetteer["oicha"])
    client.force_login(users["analyst"])
    page = client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
    assert f"/dashboard/alerts/{alert.pk}/tell-reporter/" in page
    client.post(
        f"/dashboard/alerts/{alert.pk}/tell-reporter/",
        {"outcome": "la patrouille est arrivée à Oicha ; la situation est calme"},
    )
    message = Message.objects.get(direction="outbound")
    assert message.focal_point == reporter and "la situation est calme" in message.body
    assert alert.events.filter(kind=AlertEvent.Kind.REPORTER_TOLD).exists()

    client.post(f"/dashboard/alerts/{alert.pk}/tell-area/", {"text": "La situation est calme."})
    assert Broadcast.objects.get().status == Broadcast.Status.DRAFT


def test_no_offer_for_an_open_alert_nor_for_an_unknown_sender(client, gazetteer, users):
    reporter = FocalPointFactory()
    escalated = AlertFactory(reporter=reporter, status=Alert.Status.ESCALATED)
    unknown = AlertFactory(status=Alert.Status.CLOSED)
    client.force_login(users["supervisor"])
    for alert in (escalated, unknown):
        page = client.get(f"/dashboard/alerts/{alert.pk}/").content.decode()
        assert "tell-reporter" not in page
        client.post(f"/dashboard/alerts/{alert.pk}/tell-reporter/", {"outcome": "Calme."})
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_viewer_may_read_town_halls_but_not_record_them_nor_see_deployments(
    client, gazetteer, users
):
    TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    DeploymentFactory(area=gazetteer["oicha"])
    client.force_login(users["viewer"])
    assert client.get("/dashboard/town-halls/").status_code == 200
    assert client.get("/dashboard/town-halls/new/").status_code == 403
    assert client.get("/dashboard/deployments/").status_code == 403
    assert Commitment.objects.count() == 0


def test_the_admin_site_lists_them_with_french_names(client, gazetteer, users):
    TownHallFactory(place=gazetteer["oicha"], convener=users["analyst"])
    DeploymentFactory(area=gazetteer["oicha"])
    users["admin"].is_staff = True
    users["admin"].save()
    client.force_login(users["admin"])
    for url in ("/admin/engagement/townhall/", "/admin/engagement/deployment/"):
        assert client.get(url).status_code == 200
    page = client.get("/admin/engagement/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réunions communautaires" in page and "Déploiements" in page
