"""Drills: the database or the broker stops or freezes while signed SMS keep coming in through
the real webhook (gunicorn, two workers). Every text answered 200 must end up stored exactly once
(the spool imported after recovery), no answer may take longer than 5 s (Twilio gives up at 15),
and after a broker fault a real worker triages every alert once the sweeper has queued again
what could not be queued."""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from alerts.models import Alert, Message
from alerts.services import alerts_requeue_stale, queueing, spool_import
from tests.outages import broker_at
from tests.realworker import Worker, database_url, wait_for

from .intake import SmsStream, WebServer
from .servers import RedisServer, TcpProxy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql"
        or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
        reason="runs on PostgreSQL and Redis (set DATABASE_URL and CELERY_BROKER_URL)",
    ),
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server"),
]

RATE = 10  # SMS per second, throughout
BEFORE, FAULT, AFTER = 2, 8, 3  # seconds of traffic before, during and after the fault
SLOWEST_ANSWER = 5.0


@dataclass
class Drill:
    redis: RedisServer
    proxy: TcpProxy
    web: WebServer
    spool: Path
    folder: Path

    def stream_through(self, fault, recover) -> list:
        """SMS at RATE per second; `fault` after BEFORE seconds, `recover` FAULT seconds later."""
        stream = SmsStream(self.web, rate=RATE).start()
        time.sleep(BEFORE)
        fault()
        time.sleep(FAULT)
        recover()
        time.sleep(AFTER)
        return stream.finish()


@pytest.fixture
def drill(transactional_db, tmp_path, settings):
    spool = tmp_path / "spool"
    settings.SPOOL_DIR = spool
    redis = RedisServer(tmp_path / "redis").start()
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    through_proxy = database_url().replace(f":{db['PORT'] or 5432}/", f":{proxy.port}/")
    web = WebServer(
        database_url=through_proxy, broker_url=redis.url, spool=spool, log=tmp_path / "web.log"
    )
    try:
        web.start()
        # This process (the sweeper, when called) publishes to the drill's broker too.
        with broker_at(redis.url):
            yield Drill(redis, proxy, web, spool, tmp_path)
    finally:
        web.stop()
        proxy.stop()
        redis.stop()
        queueing.triage_publish_resume()


def assert_all_answered_in_time_and_stored_once(drill: Drill, answers) -> int:
    """...and give the number of texts that went through the spool."""
    late = [a for a in answers if a.status is None or a.seconds > SLOWEST_ANSWER]
    assert not late, f"{len(late)} late or missing, e.g. {late[:3]}; see {drill.web.log_path}"
    refused = [a for a in answers if a.status != 200]
    assert not refused, f"answers other than 200: {refused[:3]}; see {drill.web.log_path}"
    spooled = spool_import()
    assert not list(drill.spool.glob("*.spool")) and not list(drill.spool.glob("*.bad"))
    sids = [a.sid for a in answers]
    stored = dict(
        Message.objects.filter(provider_sid__in=sids)
        .values_list("provider_sid")
        .annotate(n=Count("id"))
    )
    wrong = {sid: stored.get(sid, 0) for sid in sids if stored.get(sid, 0) != 1}
    assert not wrong, f"{len(wrong)} of {len(sids)} texts not stored exactly once"
    print(
        f"{len(answers)} SMS, slowest answer {max(a.seconds for a in answers):.2f} s, "
        f"{sum(a.seconds > 1 for a in answers)} over 1 s, {spooled} spooled"
    )
    return spooled


def assert_every_alert_triaged(drill: Drill, settings) -> None:
    # The fault did stop publishes: the sweeper has something to do.
    assert "could not queue triage" in drill.web.log_path.read_text()
    worker = Worker(
        concurrency=2, env={"CELERY_BROKER_URL": drill.redis.url}, log=drill.folder / "worker.log"
    ).start()
    try:
        settings.TRIAGE_STALE_SECONDS = 0  # the sweeper, without waiting its usual minute
        queueing.triage_publish_resume()
        sweeps = []

        def triaged() -> bool:
            # Beat runs the sweeper every 15 s; here every 5 s. A failed publish is due 10 s
            # after its alert came in, and a stale alert only once its queue has drained.
            if not sweeps or time.monotonic() - sweeps[-1] >= 5:
                with broker_at(drill.redis.url):  # the sweeper reads and feeds the drill's broker
                    alerts_requeue_stale()
                sweeps.append(time.monotonic())
            return not Alert.objects.filter(triaged_at__isnull=True).exists()

        done = wait_for(triaged, 90)
        left = Alert.objects.filter(triaged_at__isnull=True).count()
        assert done, (
            f"{left} alerts left untriaged after {len(sweeps)} sweeps; see {worker.log_path}"
        )
    finally:
        worker.stop()


def test_the_broker_stopped(drill, settings):
    answers = drill.stream_through(drill.redis.stop, drill.redis.start)
    assert_all_answered_in_time_and_stored_once(drill, answers)
    assert_every_alert_triaged(drill, settings)


def test_the_broker_frozen(drill, settings):
    answers = drill.stream_through(drill.redis.freeze, drill.redis.thaw)
    assert_all_answered_in_time_and_stored_once(drill, answers)
    assert_every_alert_triaged(drill, settings)


def test_the_database_stopped(drill):
    answers = drill.stream_through(drill.proxy.stop, drill.proxy.start)
    assert assert_all_answered_in_time_and_stored_once(drill, answers) > 0


def test_the_database_frozen(drill):
    answers = drill.stream_through(drill.proxy.freeze, drill.proxy.thaw)
    assert assert_all_answered_in_time_and_stored_once(drill, answers) > 0


def test_the_database_restarted(drill):
    """Every session cut at once and the server taking connections again at once, as a quick
    restart: each web process's kept intake connection is found broken by its next text, which
    is stored on a new one within the webhook. Nothing goes through the spool."""
    answers = drill.stream_through(drill.proxy.cut, lambda: None)
    assert assert_all_answered_in_time_and_stored_once(drill, answers) == 0
    assert "kept database connection had broken" in drill.web.log_path.read_text()
