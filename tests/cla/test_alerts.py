"""Raising an alert from a field visit: it reaches the analysts' queue like an SMS."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts.models import Alert
from cla.models import VisitAlert
from cla.services import visit_alert_raise
from triage.services import alert_triage_by_id

pytestmark = pytest.mark.django_db


def test_an_alert_raised_from_a_visit_is_triaged_like_an_sms(
    visit_factory, cla_user, django_capture_on_commit_callbacks
):
    visit = visit_factory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert = visit_alert_raise(
            visit=visit,
            text="Des hommes armés ont tiré sur des civils à Mbau ce matin",
            by=cla_user,
        )
    assert callbacks, "triage is queued once the alert is committed"
    assert alert.source == Alert.Source.CLA
    assert alert.status == Alert.Status.NEW
    assert alert.created_by == cla_user
    assert VisitAlert.objects.get(alert=alert).visit == visit

    triaged = alert_triage_by_id(alert_id=alert.pk)
    assert triaged.status == Alert.Status.TRIAGED
    assert "attack" in triaged.categories
    assert triaged.priority == 1
    assert triaged.location.name == "Mbau"  # the one place visited
    assert list(visit.alert_links.values_list("alert_id", flat=True)) == [alert.pk]


def test_a_visit_to_several_places_leaves_the_place_to_triage(visit_factory, gazetteer, cla_user):
    visit = visit_factory(places=[gazetteer["Mbau"], gazetteer["Kamango"]])
    alert = visit_alert_raise(visit=visit, text="Des gens fuient Kamango", by=cla_user)
    assert alert.location is None
    assert alert_triage_by_id(alert_id=alert.pk).location == gazetteer["Kamango"]


def test_a_given_place_wins(visit_factory, gazetteer, cla_user):
    visit = visit_factory()
    alert = visit_alert_raise(
        visit=visit, text="Tension foncière", by=cla_user, location=gazetteer["Oicha"]
    )
    assert alert.location == gazetteer["Oicha"]


def test_an_empty_alert_is_refused(visit_factory, cla_user):
    with pytest.raises(ValidationError) as caught:
        visit_alert_raise(visit=visit_factory(), text="   ", by=cla_user)
    assert "text" in caught.value.message_dict
    assert not Alert.objects.exists()


def test_the_visit_form_can_raise_the_alert_in_the_same_submission(client, cla_user, gazetteer):
    from tests.cla.conftest import new_key

    client.force_login(cla_user)
    response = client.post(
        reverse("cla:visit-new"),
        {
            "idempotency_key": new_key(),
            "visited_on": "2026-01-10",
            "places": [gazetteer["Mbau"].pk],
            "purpose": "network_support",
            "women_met": "3",
            "men_met": "2",
            "others_met": "0",
            "alert_text": "Rumeur : des hommes armés près de Mbau",
            "recruits-TOTAL_FORMS": "0",
            "recruits-INITIAL_FORMS": "0",
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    alert = Alert.objects.get()
    assert alert.source == "cla" and alert.text == "Rumeur : des hommes armés près de Mbau"
    assert response.status_code == 200
    assert reverse("dashboard:alert", args=[alert.pk]) in response.content.decode()


def test_the_raise_alert_page_links_to_the_alert_in_the_queue(client, visit_factory, cla_user):
    visit = visit_factory()
    client.force_login(cla_user)
    url = reverse("cla:visit-alert", args=[visit.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": ""}).status_code == 400
    response = client.post(url, {"text": "Enlèvement de deux femmes à Mbau"}, follow=True)
    alert = Alert.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cla:visit", args=[visit.pk])
    page = response.content.decode()
    assert reverse("dashboard:alert", args=[alert.pk]) in page
    assert alert.reference in page
    # The CLA can open it: the alert page is readable by every role.
    assert client.get(reverse("dashboard:alert", args=[alert.pk])).status_code == 200


def test_another_cla_cannot_raise_an_alert_from_my_visit(client, visit_factory, other_cla):
    visit = visit_factory()
    client.force_login(other_cla)
    response = client.post(reverse("cla:visit-alert", args=[visit.pk]), {"text": "Faux"})
    assert response.status_code == 404
    assert not Alert.objects.exists()
