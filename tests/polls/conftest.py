import pytest

from alerts.services import broadcast_fan_out, broadcast_recipient_send
from polls.models import Poll
from polls.services import open_flag_reset, poll_create, poll_send, question_add
from tests.alerts.broadcast_support import make_roster
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_open_flag():
    open_flag_reset()
    yield
    open_flag_reset()


@pytest.fixture
def roster(db):
    return make_roster()


@pytest.fixture
def supervisor(db):
    return UserFactory(username="sup", role="supervisor")


def build_poll(by, *, title="Perception Q1", previous_round=None) -> Poll:
    """Three questions: yes or no, three numbered answers, free text."""
    poll = poll_create(title=title, created_by=by, previous_round=previous_round)
    question_add(
        poll=poll,
        kind="yes_no",
        texts={"fr": "Vous sentez-vous en sécurité ?", "sw": "Mnajisikia salama?"},
    )
    question_add(
        poll=poll,
        kind="choice",
        texts={"fr": "La situation depuis 3 mois ?", "sw": "Hali tangu miezi 3?"},
        choices=[
            {"fr": "Meilleure", "sw": "Bora"},
            {"fr": "Pareille", "sw": "Sawa"},
            {"fr": "Pire", "sw": "Mbaya"},
        ],
    )
    question_add(poll=poll, kind="text", texts={"fr": "Que faudrait-il ?"})
    return poll


def send_to(poll, by, *, networks=(), places=(), people=()) -> dict:
    """Send as the workers would; the broadcast recipients by first name."""
    poll_send(
        poll=poll,
        by=by,
        network_ids=[n.pk for n in networks],
        location_ids=[p.pk for p in places],
        focal_point_ids=[p.pk for p in people],
    )
    return deliver(poll)


def deliver(poll) -> dict:
    """Do the workers' part of a sent poll's broadcast; its recipients by first name."""
    poll.refresh_from_db()
    broadcast_fan_out(broadcast_id=poll.broadcast_id)
    for recipient in poll.broadcast.recipients.filter(state="waiting"):
        broadcast_recipient_send(recipient_id=recipient.pk)
    recipients = poll.broadcast.recipients.select_related("message", "focal_point")
    return {r.focal_point.name.split()[0].lower(): r for r in recipients}
