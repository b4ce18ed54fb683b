"""Drills on real worker processes split as in docker-compose.yml: a large broadcast never
delays triage, and a text naming a threat to life is triaged before a line of others."""

import statistics
import time

import pytest

from alerts.models import Alert, Broadcast, BroadcastRecipient
from alerts.services import alert_create, broadcast_send, enqueue_triage
from networks.models import FocalPoint, Location
from networks.services import focal_point_set_phones
from tests.alerts.broadcast_support import draft
from tests.factories import UserFactory, next_phone
from tests.outages import broker_at
from tests.realworker import Worker, wait_for

from .servers import RedisServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server"),
]

RECIPIENTS = 5000
ALERTS = 20
ALERT_EVERY = 0.5  # seconds between two alerts while the broadcast fans out
TRIAGE_WITHIN = 5.0  # seconds from an alert's arrival to its triage, each one
LINE = 300  # greetings waiting before the urgent alert


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    try:
        with broker_at(server.url):  # this process publishes there too
            yield server
    finally:
        server.stop()


def workers(tmp_path, redis, *groups: tuple[str, int], **env: str) -> list[Worker]:
    env = {"CELERY_BROKER_URL": redis.url, "SMS_BACKEND": "locmem", **env}
    started = []
    try:
        for queues, concurrency in groups:
            log = tmp_path / f"worker-{queues.split(',')[0]}.log"
            started.append(Worker(queues=queues, concurrency=concurrency, env=env, log=log).start())
    except Exception:
        for worker in started:
            worker.stop()
        raise
    return started


def roster(size: int) -> Location:
    place = Location.objects.create(name="Beni", kind="territory")
    people = []
    for n in range(size):
        person = FocalPoint(name=f"Kavira {n}", language="fr", home_location=place)
        focal_point_set_phones(focal_point=person, phone=next_phone(), check_taken=False)
        people.append(person)
    FocalPoint.objects.bulk_create(people, batch_size=500)
    return place


def test_a_5000_recipient_broadcast_never_delays_triage(transactional_db, tmp_path, redis):
    place = roster(RECIPIENTS)
    supervisor = UserFactory(username="sup", role="supervisor")
    running = workers(
        tmp_path,
        redis,
        ("triage_urgent,triage", 1),
        ("broadcast", 1),
        BROADCAST_RATE_PER_SECOND="200",
    )
    try:
        broadcast_send(broadcast=draft(supervisor, places=[place]), by=supervisor)
        assert wait_for(lambda: BroadcastRecipient.objects.exists(), 60), "fan-out never began"
        alerts = []
        for n in range(ALERTS):
            alerts.append(alert_create(source="web", text=f"Hommes armés vus près de Beni {n}"))
            time.sleep(ALERT_EVERY)
        done = wait_for(lambda: not Alert.objects.filter(triaged_at__isnull=True).exists(), 60)
        assert done, f"alerts left untriaged; see {running[0].log_path}"
        waits = [
            (a.triaged_at - a.received_at).total_seconds()
            for a in Alert.objects.filter(pk__in=[a.pk for a in alerts])
        ]
        # The broadcast was under way all along: recipients still due after the last alert.
        broadcast = Broadcast.objects.get()
        assert broadcast.recipients.count() == RECIPIENTS
        assert broadcast.recipients.filter(sent_at__isnull=True).exists()
        assert max(waits) < TRIAGE_WITHIN, (
            f"triage waited up to {max(waits):.1f} s (median {statistics.median(waits):.2f} s)"
        )
    finally:
        for worker in running:
            worker.stop()


def test_an_urgent_alert_is_triaged_before_a_line_of_greetings(transactional_db, tmp_path, redis):
    greetings = [Alert(source="web", text=f"Bonjour, merci {n}") for n in range(LINE)]
    greetings = Alert.objects.bulk_create(greetings)
    for alert in greetings:
        assert enqueue_triage(alert.pk, text=alert.text)
    urgent = alert_create(source="web", text="Ils tirent sur la population, trois morts")
    # One process serving both queues, as worker-triage does, started after the line formed.
    running = workers(tmp_path, redis, ("triage_urgent,triage", 1))
    try:
        assert wait_for(lambda: not Alert.objects.filter(triaged_at__isnull=True).exists(), 120), (
            f"see {running[0].log_path}"
        )
        urgent.refresh_from_db()
        before = Alert.objects.filter(triaged_at__lt=urgent.triaged_at).count()
        # The worker holds one message ahead when it starts (prefetch): at most a couple first.
        assert before <= 2, f"{before} greetings were triaged before the urgent alert"
    finally:
        for worker in running:
            worker.stop()
