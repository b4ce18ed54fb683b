"""The Celery settings behind triage's queues: every queue declared, urgent first, and the
worker's database connection kept between tasks."""

from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings

from alerts.constants import TRIAGE_TASK_QUEUES, TRIAGE_URGENT_QUEUE
from config.celery import app


def declared() -> list[str]:
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def test_a_worker_without_q_consumes_every_queue_triage_and_the_routes_use():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert set(TRIAGE_TASK_QUEUES) | routed | {"outbound", "broadcast"} <= set(declared())
    assert [q.name for q in app.amqp.queues.consume_from.values()] == declared()


def test_the_urgent_queue_is_taken_first_then_triage():
    assert declared()[:2] == [TRIAGE_URGENT_QUEUE, "triage"]
    # kombu's Redis transport: "priority" serves the first non-empty queue in this order
    # ("sorted" would put triage before triage_urgent; round robin would alternate).
    assert app.conf.broker_transport_options["queue_order_strategy"] == "priority"


def test_the_worker_keeps_its_database_connection_between_tasks():
    assert DjangoWorkerFixup(app).db_reuse_max >= 100
