"""Intake writes the triage task straight to Redis: the very message Celery would send."""

import base64
import json

import pytest
from kombu import Connection

from alerts.services import queueing
from config.celery import app

REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def direct_redis(settings, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS_URL)
    monkeypatch.setattr(app.conf, "broker_url", REDIS_URL)
    settings.TRIAGE_DIRECT_PUBLISH = True
    client = queueing._redis()
    client.flushdb()
    yield client
    client.flushdb()


def test_the_message_has_the_headers_and_body_celery_writes():
    ours = queueing.triage_message(42, queue="triage")
    celery = app.amqp.as_task_v2("some-id", queueing.TASK_NAME, args=(42,), kwargs={})
    assert set(ours["headers"]) == set(celery.headers)
    assert json.loads(base64.b64decode(ours["body"])) == json.loads(json.dumps(celery.body))
    assert ours["headers"]["argsrepr"] == celery.headers["argsrepr"]
    assert ours["properties"]["delivery_info"] == {"exchange": "", "routing_key": "triage"}


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_kombu_reads_the_published_task_from_the_queue(direct_redis):
    queueing.triage_publish(7, queue="triage")
    queueing.triage_publish(8, queue="default")
    with Connection(REDIS_URL) as connection:
        for queue, alert_id in (("triage", 7), ("default", 8)):
            message = connection.SimpleQueue(queue, no_ack=True).get(timeout=2)
            assert message.headers["task"] == "triage.tasks.triage_alert"
            args, kwargs, _embed = message.decode()
            assert (args, kwargs) == ([alert_id], {})
            assert message.content_type == "application/json"


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_the_published_message_is_the_one_triage_message_describes(direct_redis):
    queueing.triage_publish(123, queue="triage")
    queueing.triage_publish(124, queue="triage")
    pushed = [json.loads(raw) for raw in direct_redis.lrange("triage", 0, -1)]
    assert len(pushed) == 2
    for message, alert_id in zip(pushed, (124, 123), strict=True):
        expected = queueing.triage_message(alert_id, queue="triage")
        task_id = message["headers"]["id"]
        for ids in (expected["headers"], message["headers"]):
            assert ids.pop("id") and ids.pop("root_id")
        assert message["properties"].pop("correlation_id") == task_id
        expected["properties"].pop("correlation_id")
        tag = message["properties"].pop("delivery_tag")
        assert tag and tag != expected["properties"].pop("delivery_tag")
        assert message == expected
    # each message its own task id
    assert pushed[0]["headers"] != pushed[1]["headers"]


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_an_error_reply_hands_the_task_to_celery(direct_redis, monkeypatch):
    direct_redis.set("triage", "not a list")  # LPUSH on a string: WRONGTYPE
    sent = []
    from triage.tasks import triage_alert

    monkeypatch.setattr(triage_alert, "apply_async", lambda args, queue: sent.append((args, queue)))
    queueing.triage_publish(11, queue="triage")
    assert sent == [((11,), "triage")]
    direct_redis.delete("triage")
    queueing.triage_publish(12, queue="triage")  # the connection still works after the error
    assert direct_redis.llen("triage") == 1


def test_without_redis_the_task_goes_through_celery(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    monkeypatch.setattr(app.conf, "broker_url", "filesystem://")
    sent = []
    from triage.tasks import triage_alert

    monkeypatch.setattr(triage_alert, "apply_async", lambda args, queue: sent.append((args, queue)))
    queueing.triage_publish(9, queue="triage")
    assert sent == [((9,), "triage")]


def test_an_unreachable_redis_hands_the_task_to_celery(monkeypatch, settings):
    url = "redis://127.0.0.1:1/0"  # nothing listens there
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setattr(app.conf, "broker_url", url)
    settings.TRIAGE_DIRECT_PUBLISH = True
    sent = []
    from triage.tasks import triage_alert

    monkeypatch.setattr(triage_alert, "apply_async", lambda args, queue: sent.append((args, queue)))
    queueing.triage_publish(10, queue="triage")
    assert sent == [((10,), "triage")]
