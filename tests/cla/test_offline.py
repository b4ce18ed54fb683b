"""Visits kept on the phone and sent later: a fresh CSRF token, one visit per idempotency key
however often it is sent, the service worker's script and the pages it may keep."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cla.models import FieldVisit
from cla.services import RecruitData
from tests.cla.test_pages import visit_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DRAFT = {"X-Kengele-Draft": "1", "Accept": "application/json"}


@pytest.fixture
def phone(cla_user):
    """A browser that checks CSRF tokens, as a real one does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cla_user)
    return client


def fresh_token(client) -> str:
    response = client.get(reverse("cla:csrf"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    return response.json()["token"]


def test_a_queued_visit_sent_three_times_is_stored_once(phone, gazetteer):
    data = visit_post(gazetteer)
    answers = []
    for _attempt in range(3):  # the answer lost on the way back twice: the phone sends again
        token = fresh_token(phone)
        answers.append(
            phone.post(reverse("cla:visit-new"), data, headers={**DRAFT, "X-CSRFToken": token})
        )
    visit = FieldVisit.objects.get()
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert [a.json()["created"] for a in answers] == [True, False, False]
    assert {a.json()["url"] for a in answers} == {reverse("cla:visit", args=[visit.pk])}
    assert str(visit.idempotency_key) == data["idempotency_key"]


def test_the_phones_old_token_is_refused_and_a_fresh_one_sends_the_visit(
    phone, cla_user, gazetteer
):
    stale = fresh_token(phone)
    phone.logout()
    phone.force_login(cla_user)  # a new session since the form was kept: a new CSRF secret
    phone.cookies.pop("csrftoken", None)
    data = visit_post(gazetteer)
    refused = phone.post(reverse("cla:visit-new"), data, headers={**DRAFT, "X-CSRFToken": stale})
    assert refused.status_code == 403 and FieldVisit.objects.count() == 0
    sent = phone.post(
        reverse("cla:visit-new"), data, headers={**DRAFT, "X-CSRFToken": fresh_token(phone)}
    )
    assert sent.status_code == 201 and FieldVisit.objects.count() == 1


def test_the_same_key_sent_again_with_other_answers_keeps_the_first_visit(phone, gazetteer):
    key_data = visit_post(gazetteer, men_met="6")
    headers = {**DRAFT, "X-CSRFToken": fresh_token(phone)}
    phone.post(reverse("cla:visit-new"), key_data, headers=headers)
    changed = {**key_data, "men_met": "60", "places": [gazetteer["Oicha"].pk]}
    again = phone.post(reverse("cla:visit-new"), changed, headers=headers)
    visit = FieldVisit.objects.get()
    assert again.status_code == 200 and again.json()["created"] is False
    assert visit.men_met == 6
    assert list(visit.places.values_list("name", flat=True)) == ["Mbau"]


def test_another_clas_key_stores_nothing_and_says_why(client, phone, other_cla, gazetteer):
    data = visit_post(gazetteer)
    phone.post(reverse("cla:visit-new"), data, headers={**DRAFT, "X-CSRFToken": fresh_token(phone)})
    client.force_login(other_cla)
    response = client.post(reverse("cla:visit-new"), data, headers=DRAFT)
    assert response.status_code == 422 and response.json() == {"invalid": True}
    assert FieldVisit.objects.count() == 1
    shown = client.post(reverse("cla:visit-new"), data)  # sent the ordinary way: the error shows
    assert shown.status_code == 400
    assert "already used for another person" in shown.content.decode()
    assert FieldVisit.objects.count() == 1


def test_a_fresh_token_needs_a_login_and_the_capability_to_record(client, db):
    response = client.get(reverse("cla:csrf"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(UserFactory(username="vera", role="viewer"))  # reads nothing of CLAs
    assert client.get(reverse("cla:csrf")).status_code == 403


def test_the_service_worker_covers_the_field_pages_only(client, db):
    response = client.get(reverse("cla:service-worker"))
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/cla/"
    assert "no-cache" in response["Cache-Control"]
    assert "worker-src 'self'" in response["Content-Security-Policy"]
    assert 'var PAGES = ["/cla/visits/new/", "/cla/", "/cla/follow-ups/"];' in body
    assert "/static/cla/visit-form.js" in body and "htmx" not in body
    assert "{{" not in body and "{%" not in body


def test_the_pages_kept_on_the_phone_show_no_recruits_name_or_number(
    logged_in_cla, visit_factory, gazetteer
):
    visit_factory(
        recruits=[
            RecruitData(
                phone="+243991234321",
                name="Amani Kambale",
                consent=True,
                home_location=gazetteer["Mbau"],
            )
        ]
    )
    for name in ("cla:visit-new", "cla:visits", "cla:follow-ups"):
        page = logged_in_cla.get(reverse(name)).content.decode()
        assert "Amani" not in page and "991234321" not in page and "234 321" not in page, name


def test_the_field_pages_load_no_htmx_and_say_raise_an_alert_once(logged_in_cla):
    with translation.override("fr"):
        for name in ("cla:visit-new", "cla:visits", "cla:follow-ups", "cla:calendar"):
            page = logged_in_cla.get(reverse(name), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
            assert "htmx.min.js" not in page, name
            assert "cla/offline.js" in page and 'id="offline-bar"' in page, name
        form = logged_in_cla.get(reverse("cla:visit-new"), HTTP_ACCEPT_LANGUAGE="fr")
    assert form.content.decode().count("Lancer une alerte") == 1


@pytest.fixture
def logged_in_cla(client, cla_user):
    client.force_login(cla_user)
    return client
