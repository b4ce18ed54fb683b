"""A worker that just started makes /healthz green within seconds, through the triage queue."""

import pytest
from celery.signals import worker_ready
from django.test import Client

from tests.outages import broker_down
from tests.realworker import Worker, wait_for
from triage import tasks  # noqa: F401 - connects the start-up heartbeat, as a worker does
from triage.models import WorkerHeartbeat
from triage.services import triage_watchdog_poke_reset


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_fresh_worker_turns_healthz_green_without_waiting_for_beat():
    triage_watchdog_poke_reset()
    assert Client().get("/healthz").status_code == 503  # no worker yet
    worker = Worker().start(purge=True)
    try:
        assert wait_for(WorkerHeartbeat.objects.exists, 15), f"see {worker.log_path}"
        assert Client().get("/healthz").status_code == 200
    finally:
        worker.stop()


@pytest.mark.django_db(transaction=True)
def test_a_worker_starting_while_the_broker_is_down_still_starts():
    with broker_down():
        answers = worker_ready.send(sender=None)  # what a worker does once it has started
    assert answers  # triage's start-up heartbeat listens
    # Logged, not raised (Celery would log a raised error too): beat's heartbeat follows later.
    assert not [answer for _receiver, answer in answers if isinstance(answer, Exception)]
    assert not WorkerHeartbeat.objects.exists()
