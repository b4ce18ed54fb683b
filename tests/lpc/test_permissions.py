"""Who may see and change committee records, on the pages and through the API."""

import datetime as dt

import pytest
from django.urls import reverse

from lpc import permissions as rules
from lpc import services
from lpc.models import LPC, LPCMember
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community_member(oicha):
    return services.lpc_member_create(
        lpc=oicha,
        by=None,
        name="Muhindo Vagheni",
        gender="male",
        group="community",
        community_name="Hunde",
    )


# --- Rules ------------------------------------------------------------------------------------


def test_a_cla_edits_committees_meeting_where_they_work_or_that_they_support(
    users, oicha, kitshanga
):
    assert rules.can_edit_lpc(users["cla"], oicha)  # Oicha lies in Beni, the CLA's territory
    assert not rules.can_edit_lpc(users["cla"], kitshanga)  # Masisi is not theirs
    assert not rules.can_edit_lpc(users["other_cla"], oicha)
    kitshanga.cla = users["other_cla"]
    kitshanga.save()
    assert rules.can_edit_lpc(users["other_cla"], kitshanga)  # supported
    assert set(rules.lpcs_editable_by(users["cla"])) == {oicha}
    assert set(rules.lpcs_editable_by(users["admin"])) == {oicha, kitshanga}
    assert not rules.lpcs_editable_by(users["analyst"]).exists()


@pytest.mark.parametrize("role", ["supervisor", "analyst", "viewer"])
def test_readers_edit_nothing(users, oicha, role):
    assert not rules.can_edit_lpc(users[role], oicha)
    assert not rules.can_create_lpc(users[role])


# --- Pages ------------------------------------------------------------------------------------


def test_a_cla_cannot_edit_a_committee_outside_their_places(browser, kitshanga, gazetteer):
    client = browser("cla")
    for url in (
        reverse("lpc:edit", args=[kitshanga.pk]),
        reverse("lpc:meeting-create", args=[kitshanga.pk]),
        reverse("lpc:member-create", args=[kitshanga.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Pris"}).status_code == 403
    assert LPC.objects.get(pk=kitshanga.pk).name == "CLP Kitshanga"


def test_a_cla_cannot_move_their_committee_out_of_reach(browser, oicha, gazetteer):
    response = browser("cla").post(
        reverse("lpc:edit", args=[oicha.pk]),
        {
            "name": "CLP Oicha",
            "kind": "mission",
            "status": "active",
            "places": [gazetteer["kitshanga"].pk],
        },
    )
    assert response.status_code == 200
    assert "only in the places you work in" in response.content.decode()
    assert list(oicha.places.values_list("name", flat=True)) == ["Mbau", "Oicha"]


def test_a_cla_may_create_a_committee_where_they_work(browser, gazetteer, users):
    response = browser("cla").post(
        reverse("lpc:create"),
        {
            "name": "CLP Mbau",
            "kind": "community",
            "status": "active",
            "places": [gazetteer["mbau"].pk],
        },
    )
    assert response.status_code == 302
    assert LPC.objects.get(name="CLP Mbau").places.get() == gazetteer["mbau"]


def test_a_cla_may_not_create_a_committee_elsewhere(browser, gazetteer):
    response = browser("cla").post(
        reverse("lpc:create"),
        {
            "name": "CLP Ailleurs",
            "kind": "community",
            "status": "active",
            "places": [gazetteer["kitshanga"].pk],
        },
    )
    assert response.status_code == 200
    assert not LPC.objects.filter(name="CLP Ailleurs").exists()


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_analysts_and_supervisors_read_everything_but_change_nothing(
    browser, meeting, secretary, role
):
    client = browser(role)
    detail = client.get(reverse("lpc:detail", args=[meeting.lpc_id])).content.decode()
    assert "Kavira Masika" in detail
    page = client.get(reverse("lpc:meeting", args=[meeting.pk])).content.decode()
    assert "Des hommes armés" in page
    point = meeting.action_points.get()
    for url in (
        reverse("lpc:meeting-edit", args=[meeting.pk]),
        reverse("lpc:meeting-alert", args=[meeting.pk]),
        reverse("lpc:action-point", args=[point.pk]),
        reverse("lpc:member-edit", args=[secretary.pk]),
        reverse("lpc:create"),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403


def test_a_viewer_sees_figures_but_no_names_groups_or_minutes(
    browser, meeting, secretary, community_member
):
    client = browser("viewer")
    pages = [
        client.get(reverse("lpc:list")),
        client.get(reverse("lpc:detail", args=[meeting.lpc_id])),
        client.get(reverse("lpc:report", args=[meeting.lpc_id])),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        for secret in ("Kavira", "Muhindo", "Hunde", "hommes armés", "Informer le chef"):
            assert secret not in html
    assert "CLP Oicha" in pages[0].content.decode()
    assert client.get(reverse("lpc:meeting", args=[meeting.pk])).status_code == 403


def test_group_membership_shows_only_to_admins_and_the_committee_cla(browser, community_member):
    url = reverse("lpc:detail", args=[community_member.lpc_id])
    assert "Hunde" in browser("admin").get(url).content.decode()
    assert "Hunde" in browser("cla").get(url).content.decode()
    analyst_page = browser("analyst").get(url).content.decode()
    assert "Muhindo Vagheni" in analyst_page and "Hunde" not in analyst_page
    report = reverse("lpc:report", args=[community_member.lpc_id])
    assert "Hunde" not in browser("analyst").get(report).content.decode()


def test_anonymous_visitors_go_to_the_login_page(client, oicha):
    response = client.get(reverse("lpc:detail", args=[oicha.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_a_role_is_refused(client, oicha):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("lpc:list")).status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_a_viewer_gets_no_member_names_from_the_api(api, meeting, secretary, community_member):
    client = api("viewer")
    listing = client.get("/api/v1/lpcs/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    detail = client.get(f"/api/v1/lpcs/{meeting.lpc_id}/").json()
    assert detail["members"] is None and detail["member_count"] == 2
    report = client.get(f"/api/v1/lpcs/{meeting.lpc_id}/representation/")
    assert report.status_code == 200 and "communities_never_present" not in report.json()
    for body in (listing.content, client.get(f"/api/v1/lpcs/{meeting.lpc_id}/").content):
        assert b"Kavira" not in body and b"Hunde" not in body
    assert client.get("/api/v1/lpc-members/").status_code == 403
    assert client.get("/api/v1/lpc-meetings/").status_code == 403
    assert client.get(f"/api/v1/lpc-meetings/{meeting.pk}/").status_code == 403


def test_analysts_see_member_names_but_not_their_groups(api, community_member):
    members = api("analyst").get("/api/v1/lpc-members/").json()["results"]
    assert members[0]["name"] == "Muhindo Vagheni"
    assert "group" not in members[0] and "community_name" not in members[0]
    cla_view = api("cla").get("/api/v1/lpc-members/").json()["results"][0]
    assert (cla_view["group"], cla_view["community_name"]) == ("community", "Hunde")


@pytest.mark.parametrize("role", ["analyst", "supervisor", "viewer"])
def test_readers_cannot_write_through_the_api(api, meeting, role):
    client = api(role)
    assert client.post("/api/v1/lpcs/", {"name": "X"}, format="json").status_code == 403
    assert (
        client.patch(f"/api/v1/lpcs/{meeting.lpc_id}/", {"name": "X"}, format="json").status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/lpc-meetings/", {"lpc": meeting.lpc_id, "held_on": "2025-01-01"}, format="json"
        ).status_code
        == 403
    )
    assert LPC.objects.get(pk=meeting.lpc_id).name == "CLP Oicha"


def test_a_cla_cannot_write_for_a_committee_outside_their_places_through_the_api(api, kitshanga):
    client = api("cla")
    patch = client.patch(f"/api/v1/lpcs/{kitshanga.pk}/", {"name": "Pris"}, format="json")
    assert patch.status_code == 403
    meeting = client.post(
        "/api/v1/lpc-meetings/", {"lpc": kitshanga.pk, "held_on": "2025-01-01"}, format="json"
    )
    assert meeting.status_code == 403
    member = client.post(
        "/api/v1/lpc-members/", {"lpc": kitshanga.pk, "name": "Intrus"}, format="json"
    )
    assert member.status_code == 403
    assert not kitshanga.meetings.exists() and not LPCMember.objects.exists()


def test_a_cla_writes_for_their_committee_through_the_api(api, oicha):
    response = api("cla").post(
        "/api/v1/lpc-meetings/",
        {"lpc": oicha.pk, "held_on": str(dt.date(2025, 6, 2)), "women_adults": 4},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["recorded_by"] == "cla"
