"""The committee admin: everything for admins, read-only with groups hidden for supervisors."""

import pytest
from django.urls import reverse

from lpc import services
from lpc.models import LPCMeeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(users):
    users["supervisor"].is_staff = True
    users["supervisor"].save()
    users["admin"].is_staff = True
    users["admin"].save()
    return users


@pytest.fixture
def community_member(oicha):
    return services.lpc_member_create(
        lpc=oicha, by=None, name="Muhindo Vagheni", group="community", community_name="Hunde"
    )


def test_admins_open_every_committee_list_and_page(client, staff, meeting, community_member):
    client.force_login(staff["admin"])
    for model in ("lpc", "lpcmember", "lpcmeeting", "meetingalert"):
        assert client.get(reverse(f"admin:lpc_{model}_changelist")).status_code == 200
    page = client.get(reverse("admin:lpc_lpcmember_change", args=[community_member.pk]))
    assert page.status_code == 200 and "Hunde" in page.content.decode()
    assert client.get(reverse("admin:lpc_lpcmeeting_change", args=[meeting.pk])).status_code == 200


def test_supervisors_read_members_without_their_group_and_change_nothing(
    client, staff, community_member
):
    client.force_login(staff["supervisor"])
    listing = client.get(reverse("admin:lpc_lpcmember_changelist")).content.decode()
    assert "Muhindo Vagheni" in listing
    url = reverse("admin:lpc_lpcmember_change", args=[community_member.pk])
    page = client.get(url).content.decode()
    assert "Hunde" not in page and "group represented" not in page
    assert client.post(url, {"name": "Changé"}).status_code == 403


def admin_meeting(oicha, **extra) -> dict:
    return {
        "lpc": oicha.pk,
        "held_on": "2025-05-03",
        "women_youth": "1",
        "women_adults": "0",
        "women_elders": "0",
        "men_youth": "0",
        "men_adults": "2",
        "men_elders": "0",
        "categories": '["looting"]',
        "risk_factors": "[]",
        "minutes": "",
        "decisions": "",
        "action_points-TOTAL_FORMS": "1",
        "action_points-INITIAL_FORMS": "0",
        "action_points-MIN_NUM_FORMS": "0",
        "action_points-MAX_NUM_FORMS": "1000",
        "action_points-0-description": "Prévenir la police",
        "action_points-0-due_on": "2025-05-10",
        "action_points-0-status": "done",
        **extra,
    }


def test_a_meeting_saved_in_the_admin_gives_its_action_points_the_meeting_date(
    client, staff, oicha
):
    client.force_login(staff["admin"])
    response = client.post(reverse("admin:lpc_lpcmeeting_add"), admin_meeting(oicha))
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset],
    )
    meeting = LPCMeeting.objects.get(lpc=oicha)
    point = meeting.action_points.get()
    assert point.opened_on == meeting.held_on and point.done_on is not None
    assert meeting.recorded_by == staff["admin"]


def test_the_admin_refuses_an_action_point_due_before_a_new_meeting(client, staff, oicha):
    client.force_login(staff["admin"])
    response = client.post(
        reverse("admin:lpc_lpcmeeting_add"),
        admin_meeting(oicha, **{"action_points-0-due_on": "2025-05-01"}),
    )
    assert response.status_code == 200
    assert "The due date cannot be before the meeting." in response.content.decode()
    assert not LPCMeeting.objects.exists()
