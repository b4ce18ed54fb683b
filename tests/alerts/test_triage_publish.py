"""Intake queues triage through Celery's own publish: a real message on the queue its route
names, and a broker that fails costs one publish a short timeout, then nothing for a while."""

import time

import pytest
from kombu.exceptions import OperationalError as BrokerError

from alerts.services import enqueue_triage, queueing
from config.celery import app
from tests.outages import broker_down

from .broker_support import needs_redis, queued


@pytest.fixture(autouse=True)
def _no_pause():
    queueing.triage_publish_resume()
    yield
    queueing.triage_publish_resume()


@needs_redis
def test_the_task_reaches_the_queue_its_route_names(redis_broker):
    route = app.amqp.router.route({}, queueing.TASK_NAME)["queue"].name
    assert route == "triage"

    queueing.triage_publish(7, queue=route)

    [message] = queued(route)
    assert message.headers["task"] == "triage.tasks.triage_alert"
    args, kwargs, _embed = message.decode()
    assert (args, kwargs) == ([7], {})
    assert message.content_type == "application/json"
    assert queued("default") == []


@needs_redis
def test_a_flooding_senders_alert_goes_to_the_housekeeping_queue(redis_broker):
    assert enqueue_triage(8, flooded=True) is True
    assert enqueue_triage(9) is True

    assert [m.decode()[0] for m in queued("default")] == [[8]]
    assert [m.decode()[0] for m in queued("triage")] == [[9]]


@needs_redis
def test_each_publish_is_its_own_task(redis_broker):
    for alert_id in (1, 2, 3):
        queueing.triage_publish(alert_id, queue="triage")

    messages = queued("triage")
    assert sorted(m.decode()[0][0] for m in messages) == [1, 2, 3]
    assert len({m.headers["id"] for m in messages}) == 3


def test_a_broker_that_refuses_fails_the_publish_and_pauses_the_next_ones(settings, db):
    settings.TRIAGE_PUBLISH_PAUSE = 60
    with broker_down():
        started = time.monotonic()
        with pytest.raises(BrokerError):
            queueing.triage_publish(1, queue="triage")
        assert time.monotonic() - started < settings.TRIAGE_PUBLISH_TIMEOUT + 1

        started = time.monotonic()
        with pytest.raises(queueing.PublishPaused):
            queueing.triage_publish(2, queue="triage")
        assert time.monotonic() - started < 0.05
        # the caller logs and leaves the alert to the sweeper
        assert enqueue_triage(3) is False


def test_after_the_pause_the_broker_is_tried_again(settings):
    settings.TRIAGE_PUBLISH_PAUSE = 0.2
    with broker_down():
        with pytest.raises(BrokerError):
            queueing.triage_publish(1, queue="triage")
        with pytest.raises(queueing.PublishPaused):
            queueing.triage_publish(2, queue="triage")
        time.sleep(0.25)
        with pytest.raises(BrokerError):  # tried, not paused
            queueing.triage_publish(3, queue="triage")


@needs_redis
def test_a_pause_on_one_broker_does_not_hold_publishes_to_another(redis_broker, settings):
    settings.TRIAGE_PUBLISH_PAUSE = 60
    with broker_down():
        with pytest.raises(BrokerError):
            queueing.triage_publish(1, queue="triage")
    # broker_down restored the Redis broker of the fixture
    queueing.triage_publish(2, queue="triage")
    assert [m.decode()[0] for m in queued("triage")] == [[2]]
