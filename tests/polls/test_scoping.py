"""Who sees which poll answers (access.polls), through the API, expectations written by hand:
supervisors, admins and viewers every answer; an analyst of Beni Beni's; an analyst without
areas every answer; a CLA of Lubero Lubero's and the interviews she recorded."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import AnalystProfileFactory, CLAProfileFactory, UserFactory
from tests.polls.conftest import build_poll, send_to
from tests.twilio_support import post_signed, sms_params

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def world(client, roster, supervisor):
    poll = build_poll(supervisor)
    send_to(poll, supervisor, networks=[roster.can_mbau, roster.can_butembo])
    for name in ("amani", "bahati", "chance"):  # Mbau and Oicha (Beni), Butembo (Lubero)
        post_signed(client, "/webhooks/twilio/sms/", sms_params("1", roster.people[name].phone))
    users = {
        "admin": UserFactory(username="adm", role="admin"),
        "supervisor": supervisor,
        "viewer": UserFactory(username="view", role="viewer"),
        "analyst_beni": AnalystProfileFactory(
            user=UserFactory(username="ana", role="analyst"), areas=[roster.beni]
        ).user,
        "analyst_anywhere": AnalystProfileFactory(
            user=UserFactory(username="roam", role="analyst")
        ).user,
        "cla_lubero": CLAProfileFactory(
            user=UserFactory(username="kav", role="cla"), assigned_places=[roster.lubero]
        ).user,
        "nobody": UserFactory(username="norole"),
    }
    return poll, users


# role -> (status of the results, SMS answers to question 1 counted, asked counted)
EXPECTED = {
    "admin": (200, 3, 3),
    "supervisor": (200, 3, 3),
    "viewer": (200, 3, 3),
    "analyst_beni": (200, 2, 2),
    "analyst_anywhere": (200, 3, 3),
    "cla_lubero": (200, 1, 1),
    "nobody": (403, None, None),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_the_answers_of_its_areas(world, role):
    poll, users = world
    response = api(users[role]).get(f"/api/v1/polls/{poll.pk}/results/")
    status, answered, sent = EXPECTED[role]
    assert response.status_code == status
    if status == 200:
        q1 = response.json()["questions"][0]
        assert (q1["answered"], q1["sent"]) == (answered, sent)


def test_the_territories_an_analyst_sees_are_hers_only(world):
    poll, users = world
    q1 = api(users["analyst_beni"]).get(f"/api/v1/polls/{poll.pk}/results/").json()["questions"][0]
    assert [row["name"] for row in q1["by_territory"]] == ["Beni"]


def test_results_never_carry_a_phone_number(world, roster):
    poll, users = world
    body = api(users["admin"]).get(f"/api/v1/polls/{poll.pk}/results/").content.decode()
    for person in roster.people.values():
        assert person.phone not in body and person.phone[4:] not in body


def test_anonymous_gets_nothing(world):
    poll, _users = world
    assert APIClient().get(f"/api/v1/polls/{poll.pk}/results/").status_code in (401, 403)
