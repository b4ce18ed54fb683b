"""The field pages: recording a visit on a phone, drafts sent twice, who may see and change what."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from cla.models import FieldVisit, FollowUp
from cla.services import FollowUpData, RecruitData
from networks.models import FocalPoint
from tests.cla.conftest import new_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def visit_post(gazetteer, **overrides) -> dict:
    data = {
        "idempotency_key": new_key(),
        "visited_on": "2026-01-10",
        "places": [gazetteer["Mbau"].pk],
        "purpose": "network_support",
        "women_met": "4",
        "men_met": "6",
        "others_met": "0",
        "organisations_met": "Chefferie",
        "observations": "Calme relatif",
        "categories": ["armed_presence"],
        "risk_factors": ["RF1"],
        "recruits-TOTAL_FORMS": "2",
        "recruits-INITIAL_FORMS": "0",
        "recruits-0-phone": "0991 234 321",
        "recruits-0-name": "Amani Kambale",
        "recruits-0-consent": "on",
        "recruits-0-gender": "male",
        "recruits-0-age_band": "25-34",
        "recruits-0-role": "teacher",
        "recruits-0-language": "sw",
        "recruits-0-home_location": str(gazetteer["Mbau"].pk),
        "recruits-0-kit": ["sim"],
        "recruits-0-airtime": "5",
        # An untouched extra row is ignored.
        "recruits-1-phone": "",
        "recruits-1-gender": "undisclosed",
        "recruits-1-age_band": "unknown",
        "recruits-1-role": "other",
        "recruits-1-language": "fr",
        "follow_ups-TOTAL_FORMS": "1",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-0-description": "Bring airtime",
        "follow_ups-0-due_on": "2026-01-20",
    }
    data.update(overrides)
    return data


@pytest.fixture
def logged_in(client, cla_user):
    client.force_login(cla_user)
    return client


def test_the_visit_form_carries_a_draft_key_and_its_script(logged_in):
    page = logged_in.get(reverse("cla:visit-new")).content.decode()
    assert 'name="idempotency_key"' in page
    assert "cla/visit-form.js" in page
    assert 'data-draft="cla-visit-new"' in page
    assert "<script>" not in page and "style=" not in page  # nothing inline for the CSP


def test_date_fields_keep_the_format_a_phone_date_picker_reads_in_french(logged_in, today):
    with translation.override("fr"):
        page = logged_in.get(reverse("cla:visit-new"), HTTP_ACCEPT_LANGUAGE="fr").content
    assert f'type="date" name="visited_on" value="{today.isoformat()}"' in page.decode()


def test_a_cla_records_a_visit_with_a_recruit_and_a_follow_up(logged_in, gazetteer, cla_user):
    response = logged_in.post(reverse("cla:visit-new"), visit_post(gazetteer))
    visit = FieldVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cla:visit", args=[visit.pk])
    assert visit.cla == cla_user
    assert visit.visited_on == dt.date(2026, 1, 10)
    assert (visit.women_met, visit.men_met) == (4, 6)
    recruit = visit.recruitments.get().focal_point
    assert recruit.phone == "+243991234321" and recruit.consent_at == visit.visited_on
    assert sorted(recruit.equipment.values_list("kind", flat=True)) == ["airtime", "sim"]
    assert visit.follow_ups.get().description == "Bring airtime"
    page = logged_in.get(response["Location"]).content.decode()
    assert "Amani Kambale" in page and "+243991234321" in page


def test_sending_the_same_draft_twice_stores_one_visit(logged_in, gazetteer):
    data = visit_post(gazetteer)
    first = logged_in.post(reverse("cla:visit-new"), data)
    second = logged_in.post(reverse("cla:visit-new"), data, follow=True)
    assert FieldVisit.objects.count() == 1
    assert FocalPoint.objects.count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already recorded" in second.content.decode()


def test_the_draft_script_gets_json_and_the_same_answer_when_it_resends(logged_in, gazetteer):
    data = visit_post(gazetteer)
    headers = {"X-Kengele-Draft": "1"}
    first = logged_in.post(reverse("cla:visit-new"), data, headers=headers)
    again = logged_in.post(reverse("cla:visit-new"), data, headers=headers)
    visit = FieldVisit.objects.get()
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {"url": reverse("cla:visit", args=[visit.pk]), "created": True}
    assert again.json()["url"] == first.json()["url"]
    invalid = logged_in.post(
        reverse("cla:visit-new"), visit_post(gazetteer, places=[]), headers=headers
    )
    assert invalid.status_code == 422


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"women_met": "-2"}, "greater than or equal to 0"),
        ({"places": []}, "This field is required"),
        ({"visited_on": "2999-01-01"}, "cannot be in the future"),
        ({"categories": ["gossip"]}, "Select a valid choice"),
        ({"risk_factors": ["RF15"]}, "Select a valid choice"),
        ({"recruits-0-consent": ""}, "must have agreed to be registered"),
        ({"recruits-0-phone": "123"}, "not a"),
        ({"follow_ups-0-due_on": "2026-01-01"}, "cannot be due before the visit"),
        ({"idempotency_key": "not-a-uuid"}, "valid UUID"),
        ({"places": ["99999999999999999999"]}, "Select a valid choice"),
        ({"recruits-TOTAL_FORMS": "5000"}, ""),
    ],
)
def test_bad_input_is_shown_on_the_form_and_stores_nothing(
    logged_in, gazetteer, overrides, message
):
    data = visit_post(gazetteer)
    for key, value in overrides.items():
        if value == "":
            data.pop(key, None)
        else:
            data[key] = value
    response = logged_in.post(reverse("cla:visit-new"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FieldVisit.objects.exists()
    assert not FocalPoint.objects.exists()


def test_a_cla_cannot_open_or_edit_another_clas_visit(client, other_cla, visit_factory, gazetteer):
    visit = visit_factory()
    client.force_login(other_cla)
    assert client.get(reverse("cla:visit", args=[visit.pk])).status_code == 404
    assert client.get(reverse("cla:visit-edit", args=[visit.pk])).status_code == 404
    data = visit_post(gazetteer, observations="Changed by someone else")
    assert client.post(reverse("cla:visit-edit", args=[visit.pk]), data).status_code == 404
    visit.refresh_from_db()
    assert visit.observations == ""
    assert (
        reverse("cla:visit", args=[visit.pk])
        not in client.get(reverse("cla:visits")).content.decode()
    )


def test_analysts_read_every_visit_but_change_none(client, visit_factory, gazetteer):
    visit = visit_factory(
        recruits=[RecruitData(phone="0991234321", name="Amani Kambale", consent=True)]
    )
    client.force_login(UserFactory(username="ana", role="analyst"))
    page = client.get(reverse("cla:visit", args=[visit.pk]))
    assert page.status_code == 200 and "Amani Kambale" in page.content.decode()
    assert reverse("cla:visit-edit", args=[visit.pk]) not in page.content.decode()
    assert client.get(reverse("cla:visit-edit", args=[visit.pk])).status_code == 403
    assert client.get(reverse("cla:visit-new")).status_code == 403
    assert "kavira" in client.get(reverse("cla:visits")).content.decode()


def test_an_admin_may_edit_any_visit(client, visit_factory, gazetteer):
    visit = visit_factory()
    client.force_login(UserFactory(username="root", role="admin"))
    data = visit_post(gazetteer, observations="Corrigé")
    response = client.post(reverse("cla:visit-edit", args=[visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.observations == "Corrigé"


def test_a_viewer_sees_no_visit_and_no_name(client, visit_factory):
    visit = visit_factory(
        recruits=[RecruitData(phone="0991234321", name="Amani Kambale", consent=True)]
    )
    client.force_login(UserFactory(username="vera", role="viewer"))
    for url in (
        reverse("cla:visits"),
        reverse("cla:visit", args=[visit.pk]),
        reverse("cla:calendar"),
        reverse("cla:follow-ups"),
        reverse("cla:visit-new"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Amani" not in response.content.decode()


def test_the_owner_edits_a_visit_and_adds_follow_ups(logged_in, visit_factory, gazetteer):
    visit = visit_factory(visited_on=dt.date(2026, 1, 10))
    page = logged_in.get(reverse("cla:visit-edit", args=[visit.pk]))
    assert page.status_code == 200
    data = visit_post(gazetteer, observations="Plus de détails", men_met="9")
    data["recruits-TOTAL_FORMS"] = "0"
    response = logged_in.post(reverse("cla:visit-edit", args=[visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.observations, visit.men_met) == ("Plus de détails", 9)
    assert visit.follow_ups.count() == 1
    assert FieldVisit.objects.count() == 1


def test_my_follow_ups_due_and_marking_one_done(client, cla_user, other_cla, visit_factory, today):
    visit_factory(
        visited_on=today - dt.timedelta(days=5),
        follow_ups=[
            FollowUpData(description="Late one", due_on=today - dt.timedelta(days=1)),
            FollowUpData(description="Next week", due_on=today + dt.timedelta(days=7)),
        ],
    )
    visit_factory(cla=other_cla, follow_ups=[FollowUpData(description="Not mine", due_on=today)])
    client.force_login(cla_user)
    page = client.get(reverse("cla:follow-ups")).content.decode()
    assert "Late one" in page and "Next week" in page and "Not mine" not in page
    assert page.index("Overdue") < page.index("Late one") < page.index("Coming up")

    late = FollowUp.objects.get(description="Late one")
    response = client.post(reverse("cla:follow-up-done", args=[late.pk]))
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.done_at is not None and late.done_by == cla_user
    assert "Late one" not in client.get(reverse("cla:follow-ups")).content.decode()

    theirs = FollowUp.objects.get(description="Not mine")
    assert client.post(reverse("cla:follow-up-done", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("cla:follow-up-done", args=[late.pk])).status_code == 405
    assert (
        client.post(reverse("cla:follow-up-done", args=[99999999999999999999])).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.done_at is None


def test_the_calendar_shows_my_visits_in_their_month(
    client, cla_user, other_cla, visit_factory, gazetteer
):
    visit_factory(visited_on=dt.date(2026, 1, 10), places=[gazetteer["Kamango"]])
    visit_factory(cla=other_cla, visited_on=dt.date(2026, 1, 12), places=[gazetteer["Butembo"]])
    client.force_login(cla_user)
    page = client.get(reverse("cla:calendar"), {"month": "2026-01"}).content.decode()
    assert "Kamango" in page and "Butembo" not in page
    assert "month=2025-12" in page and "month=2026-02" in page


def test_managers_see_every_clas_visits_on_the_calendar(
    client, other_cla, visit_factory, gazetteer
):
    visit_factory(visited_on=dt.date(2026, 1, 10), places=[gazetteer["Kamango"]])
    visit_factory(cla=other_cla, visited_on=dt.date(2026, 1, 12), places=[gazetteer["Butembo"]])
    client.force_login(UserFactory(username="sup", role="supervisor"))
    page = client.get(reverse("cla:calendar"), {"month": "2026-01"}).content.decode()
    assert "Kamango" in page and "Butembo" in page


@pytest.mark.parametrize("month", ["2026-13", "january", "0001-01", "9999-12", "2026-01\x00"])
def test_a_bad_month_is_a_400_with_the_current_month_shown(logged_in, month):
    response = logged_in.get(reverse("cla:calendar"), {"month": month})
    assert response.status_code == 400
    assert "errors" in response.content.decode()


def test_the_visit_list_filters_and_refuses_nothing_with_a_500(logged_in, visit_factory, gazetteer):
    january = visit_factory(visited_on=dt.date(2026, 1, 10), places=[gazetteer["Kamango"]])
    february = visit_factory(visited_on=dt.date(2026, 2, 10), places=[gazetteer["Oicha"]])
    page = logged_in.get(reverse("cla:visits"), {"date_after": "2026-02-01"}).content.decode()
    assert reverse("cla:visit", args=[february.pk]) in page
    assert reverse("cla:visit", args=[january.pk]) not in page
    page = logged_in.get(reverse("cla:visits"), {"place": gazetteer["Beni"].pk}).content.decode()
    assert reverse("cla:visit", args=[january.pk]) in page
    for bad in ({"date_after": "yesterday"}, {"place": "x"}, {"page": "999"}, {"cla": "1\x00"}):
        response = logged_in.get(reverse("cla:visits"), bad)
        assert response.status_code == 200


def test_pages_need_a_login(client, db):
    response = client.get(reverse("cla:visit-new"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
