"""A broadcast sent end to end by a real Celery worker on the real broker: the fan-out on the
broadcast queue, each recipient at their turn, each SMS through the outbound queue."""

import pytest

from alerts.models import Broadcast, Message
from alerts.services import broadcast_send
from tests.alerts.broadcast_support import draft, make_roster
from tests.factories import UserFactory
from tests.realworker import Worker, wait_for

RATE = 0.5  # SMS a second: four recipients take six seconds, so a late start still spreads them


@pytest.fixture
def worker(transactional_db):
    running = Worker(env={"BROADCAST_RATE_PER_SECOND": str(RATE)}).start(purge=True)
    yield running
    running.stop()


@pytest.mark.slow
def test_a_real_worker_sends_a_small_broadcast_at_the_rate(worker, db):
    roster = make_roster()
    supervisor = UserFactory(username="sup", role="supervisor")
    broadcast = draft(supervisor, places=[roster.beni, roster.lubero])
    broadcast_send(broadcast=broadcast, by=supervisor)

    def handed_over() -> bool:
        statuses = list(Message.objects.filter(kind="broadcast").values_list("status", flat=True))
        return len(statuses) == 4 and all(status == "queued" for status in statuses)

    assert wait_for(handed_over, 60), f"see {worker.log_path}"
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DONE and broadcast.recipient_count == 4
    turns = list(broadcast.recipients.order_by("due_at").values_list("due_at", "sent_at"))
    # Nobody before their turn, a second apart: the rate holds (the embedded broker is polled
    # every second, so turns that fell due meanwhile may run together, never early).
    assert all((sent - due).total_seconds() > -0.05 for due, sent in turns)
    assert (turns[-1][0] - turns[0][0]).total_seconds() == pytest.approx(3 / RATE)
    assert (turns[-1][1] - turns[0][1]).total_seconds() >= 1
    assert Message.objects.filter(kind="broadcast").values("focal_point").distinct().count() == 4
