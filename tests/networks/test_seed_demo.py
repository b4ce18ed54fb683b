import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from alerts.models import Alert, AlertEvent, Broadcast, Message
from core.crypto import lookup_hash
from engagement.models import Commitment, Concern, Deployment, Recommendation, TownHall
from networks.demo import RESERVED_NUMBERS, seed_focal_points, seed_networks, seed_places
from networks.models import Equipment, FocalPoint, Location, Membership, Network
from polls.models import Conversation, Interview, Poll, Question, Response

pytestmark = pytest.mark.django_db

MODELS = (
    *(User, Location, Network, FocalPoint, Membership, Equipment, Alert, AlertEvent, Message),
    *(TownHall, Concern, Commitment, Deployment, Recommendation, Broadcast),
    *(Poll, Question, Conversation, Response, Interview),
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_data(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    first_phones = set(FocalPoint.objects.values_list("phone_hash", flat=True))
    call_command("seed_demo")
    assert counts() == first
    assert set(FocalPoint.objects.values_list("phone_hash", flat=True)) == first_phones
    assert first["Network"] >= 10
    assert first["FocalPoint"] >= 200  # the networks demo, plus the CLAs' recruits
    assert "Demo data ready" in capsys.readouterr().out
    assert_town_hall_demo()
    assert_deployment_demo()
    assert_poll_demo()


def assert_town_hall_demo() -> None:
    """A meeting with its participants, two concerns (one an alert of source town_hall), one
    promise answered at a later meeting and one open past its date."""
    meeting = TownHall.objects.filter(concerns__isnull=False).distinct().get()
    assert meeting.participants > 0 and meeting.women > 0
    concerns = list(meeting.concerns.select_related("alert"))
    assert len(concerns) == 2
    raised = [c.alert for c in concerns if c.alert_id]
    assert len(raised) == 1 and raised[0].source == Alert.Source.TOWN_HALL
    assert raised[0].triaged_at is not None  # in the queue as triaged, like the demo's SMS
    answered = meeting.commitments.get(status=Commitment.Status.ANSWERED)
    assert answered.answer and answered.answered_at.held_on > meeting.held_on
    overdue = meeting.commitments.get(status=Commitment.Status.OPEN)
    assert overdue.due_on < timezone.localdate()


def assert_deployment_demo() -> None:
    """A joint protection team sent after an escalated alert, linked to it and its incident,
    with findings and two recommendations followed up."""
    deployment = Deployment.objects.get()
    assert deployment.kind == Deployment.Kind.JPT and deployment.findings
    alert = deployment.alerts.get()
    assert alert.status == Alert.Status.ESCALATED
    assert alert.incident_id is not None
    assert list(deployment.incidents.values_list("pk", flat=True)) == [alert.incident_id]
    assert alert.events.filter(kind=AlertEvent.Kind.DEPLOYMENT_SENT).exists()
    follow_ups = list(deployment.recommendations.values_list("status", "follow_up"))
    assert [status for status, _text in follow_ups] == ["done", "in_progress"]
    assert all(text for _status, text in follow_ups)


def assert_poll_demo() -> None:
    """A closed poll sent to a demo network, with a numbered and a yes-or-no question, a dozen
    answers by SMS (each an answer message through intake) and two field interviews."""
    poll = Poll.objects.get()
    assert poll.status == Poll.Status.CLOSED and poll.broadcast is not None
    assert poll.network_ids == [Network.objects.get(code="can-oicha").pk]
    assert list(poll.questions.values_list("kind", flat=True)) == ["choice", "yes_no"]
    sms = Response.objects.filter(poll=poll, source=Response.Source.SMS)
    assert sms.count() == 12
    assert Message.objects.filter(kind=Message.Kind.ANSWER).count() == 12
    assert Response.objects.filter(poll=poll, source=Response.Source.FIELD).count() == 4
    assert Interview.objects.filter(poll=poll).count() == 2
    assert poll.conversations.count() > 7  # sent to more people than answered
    assert not poll.conversations.filter(state=Conversation.State.OPEN).exists()


def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()


def test_demo_users_log_in_with_the_demo_password_and_have_their_roles(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")
    call_command("seed_demo")
    for role in ("admin", "supervisor", "analyst", "cla", "viewer", "conduct"):
        user = authenticate(username=role, password="another-demo-pass")
        assert user is not None, role
        assert list(user.groups.values_list("name", flat=True)) == [role]
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"admin", "supervisor"}
    assert User.objects.get(username="admin").is_superuser


def test_demo_focal_points_are_plausible(settings):
    seed_places()
    seed_networks()
    seed_focal_points()
    people = list(FocalPoint.objects.select_related("home_location"))
    women = sum(p.gender == "female" for p in people)
    assert 0.3 < women / len(people) < 0.5
    assert {p.language for p in people} == {"fr", "sw", "ln", "en"}
    assert not {lookup_hash(n) for n in RESERVED_NUMBERS} & {p.phone_hash for p in people}
    assert all(p.phone[:6] in ("+24397", "+24399", "+24381") for p in people)
    statuses = set(Network.objects.values_list("status", flat=True))
    assert statuses == {"active", "dormant", "closed"}
    for membership in Membership.objects.select_related("focal_point", "network"):
        if membership.network.status != "closed":
            continue
        assert membership.left_on == membership.network.closed_on
    assert any(p.opted_out for p in people)
    assert Equipment.objects.filter(kind="airtime").exists()
    for person in FocalPoint.objects.prefetch_related("memberships__network__area"):
        areas = {loc.pk for m in person.memberships.all() for loc in m.network.area.all()}
        assert person.home_location_id in areas
