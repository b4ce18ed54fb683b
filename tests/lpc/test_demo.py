"""The demo committees: enough to show every page, and the same after any number of runs."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Alert
from lpc import demo
from lpc.models import LPC, ActionPoint, LPCMeeting, LPCMember, MeetingAlert
from lpc.representation import lpc_representation
from networks.demo import seed_places, seed_users

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (LPC, LPCMember, LPCMeeting, ActionPoint, MeetingAlert, Alert)
    )


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    seed_users()
    seed_places()
    with django_capture_on_commit_callbacks():
        demo.seed()


def test_the_demo_is_idempotent(seeded, django_capture_on_commit_callbacks):
    first = counts()
    with django_capture_on_commit_callbacks():
        demo.seed()
    assert counts() == first
    lpcs, members, meetings, points, links, alerts = first
    assert lpcs == 8 and members > 50 and meetings > 20 and points > meetings
    assert links == alerts == 2


def test_the_demo_has_meetings_action_points_and_lpc_alerts(seeded):
    assert set(Alert.objects.values_list("source", flat=True)) == {"lpc"}
    assert ActionPoint.objects.filter(status="open").exists()
    assert ActionPoint.objects.filter(status="done").exists()
    assert LPC.objects.filter(cla__username="cla").count() == 4
    assert LPC.objects.filter(status="dormant").count() == 1


def test_some_demo_groups_never_came(seeded):
    oicha = LPC.objects.get(name="CLP Oicha")
    never = {g.code: g.members for g in lpc_representation(lpc=oicha).never_present}
    assert never["disability"] >= 1  # a seat, never at a meeting


def test_the_demo_is_served_by_the_api(seeded):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=User.objects.get(username="admin"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for url in ("/api/v1/lpcs/", "/api/v1/lpc-meetings/"):
        response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] > 0
