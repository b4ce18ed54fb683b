import datetime as dt
import os
import uuid

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from alerts.models import Alert, Message
from config.celery import app as celery_app
from tests.factories import AlertFactory
from tests.outages import broker_down, database_down
from tests.twilio_support import post_signed, sms_params
from triage.services import worker_heartbeat_record

pytestmark = pytest.mark.django_db
SMS = "/webhooks/twilio/sms/"


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """GET /metrics, parsed as Prometheus parses it: {(sample name, sorted labels): value}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


# --- Who may scrape ---------------------------------------------------------------------------


def test_it_answers_localhost_without_a_token(client):
    samples = scrape(client)
    assert value(samples, "kengele_up", dependency="database") == 1


def test_without_a_token_it_hides_itself_from_other_addresses(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_the_allow_list_takes_networks(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_caller_behind_an_undeclared_proxy_is_refused(client, settings):
    # Through a proxy nobody declared, REMOTE_ADDR is the proxy's, whoever the client is.
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 404


def test_behind_a_declared_proxy_it_judges_the_forwarded_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    outside = client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7")
    inside = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert (outside.status_code, inside.status_code) == (404, 200)


def test_with_a_token_it_requires_that_bearer_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "scrape-token-for-tests"
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer another-token")
    assert wrong.status_code == 403
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-token-for-tests"
    )
    assert right.status_code == 200


def test_a_plain_http_scrape_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production; Prometheus scrapes the app directly
    assert client.get("/dashboard/").status_code == 301
    assert client.get("/metrics").status_code == 200


# --- Webhooks, counted by the web process --------------------------------------------------------


def test_it_counts_webhook_answers_by_webhook_and_code_and_times_them(client):
    before = scrape(client)
    assert post_signed(client, SMS, sms_params("Tirs à Beni")).status_code == 200
    forged = sms_params("forged")
    refused = post_signed(client, SMS, forged, url="http://testserver/elsewhere/")
    assert refused.status_code == 403
    after = scrape(client)

    def grew(name: str, **labels) -> float:
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert grew("kengele_webhook_responses_total", webhook="twilio-sms", code="200") == 1
    assert grew("kengele_webhook_responses_total", webhook="twilio-sms", code="403") == 1
    assert grew("kengele_webhook_duration_seconds_count", webhook="twilio-sms") == 2
    assert grew("kengele_webhook_duration_seconds_bucket", webhook="twilio-sms", le="+Inf") == 2


def test_an_unknown_webhook_path_is_counted_without_its_path(client):
    before = scrape(client)
    client.post("/webhooks/twilio/nowhere-12345/")
    after = scrape(client)
    key = ("kengele_webhook_responses_total", (("code", "404"), ("webhook", "unknown")))
    assert after[key] - before.get(key, 0) == 1
    assert not any("nowhere" in str(labels) for _, labels in after)


def test_pages_other_than_webhooks_are_not_counted(client):
    before = scrape(client)
    client.get("/healthz")
    after = scrape(client)
    counted = {k: v for k, v in after.items() if k[0] == "kengele_webhook_responses_total"}
    assert counted == {k: v for k, v in before.items() if k[0] == "kengele_webhook_responses_total"}


# --- Read from the database at scrape time --------------------------------------------------------


def _alert(*, received_ago: float, triage_took: float | None = None) -> Alert:
    received = timezone.now() - dt.timedelta(seconds=received_ago)
    if triage_took is None:
        return AlertFactory(received_at=received)
    triaged = received + dt.timedelta(seconds=triage_took)
    return AlertFactory(triaged=True, received_at=received, triaged_at=triaged)


def test_it_reports_the_triage_backlog_and_the_recent_triage_latency(client, settings):
    settings.METRICS_TRIAGE_WINDOW_SECONDS = 300
    worker_heartbeat_record(hostname="celery@test")
    _alert(received_ago=100, triage_took=3)
    _alert(received_ago=100, triage_took=40)
    _alert(received_ago=3000, triage_took=20)  # triaged long before the window
    _alert(received_ago=90)  # waiting, past TRIAGE_STALE_SECONDS (60)
    _alert(received_ago=5)  # waiting, not stale yet
    samples = scrape(client)

    assert value(samples, "kengele_alerts_untriaged") == 2
    assert value(samples, "kengele_alerts_untriaged_stale") == 1
    assert 89 <= value(samples, "kengele_alerts_untriaged_oldest_seconds") <= 95
    assert 0 <= value(samples, "kengele_triage_worker_last_seen_seconds") < 30
    bucket = "kengele_triage_recent_latency_seconds_bucket"
    assert value(samples, bucket, le="2.0") == 0
    assert value(samples, bucket, le="5.0") == 1
    assert value(samples, bucket, le="30.0") == 1
    assert value(samples, bucket, le="60.0") == 2
    assert value(samples, bucket, le="+Inf") == 2
    assert value(samples, "kengele_triage_recent_latency_seconds_gcount") == 2
    assert value(samples, "kengele_triage_recent_latency_seconds_gsum") == pytest.approx(43)
    assert value(samples, "kengele_triage_recent_latency_max_seconds") == pytest.approx(40)


def test_with_nothing_triaged_lately_the_latency_is_empty_not_missing(client):
    samples = scrape(client)
    assert value(samples, "kengele_triage_recent_latency_seconds_bucket", le="+Inf") == 0
    assert value(samples, "kengele_alerts_untriaged_oldest_seconds") == 0
    assert value(samples, "kengele_triage_worker_last_seen_seconds") == -1


def test_it_counts_messages_by_direction_and_status(client):
    for status, n in (("failed", 2), ("delivered", 3), ("queued", 1)):
        for _ in range(n):
            Message.objects.create(direction="outbound", status=status, body="x")
    Message.objects.create(direction="inbound", status="received", body="y")
    samples = scrape(client)
    by = {"outbound": {"failed": 2, "delivered": 3, "queued": 1}, "inbound": {"received": 1}}
    for direction, statuses in by.items():
        for status, n in statuses.items():
            assert value(samples, "kengele_sms_messages", direction=direction, status=status) == n


def test_a_database_down_is_a_zero_not_an_error(client, transactional_db):
    with database_down():
        samples = scrape(client)
    assert value(samples, "kengele_up", dependency="database") == 0
    assert value(samples, "kengele_up", dependency="spool") == 1
    assert value(samples, "kengele_alerts_untriaged") is None


# --- The broker's queues and the spool -----------------------------------------------------------


def test_it_reports_every_queues_depth(client, settings):
    from kombu import Queue

    probe = f"metrics-probe-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_QUEUES = [*settings.CELERY_TASK_QUEUES, Queue(probe)]
    empty = scrape(client)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_declare(queue=probe)
        for _ in range(2):
            celery_app.send_task("metrics.probe", queue=probe, connection=conn)
    try:
        samples = scrape(client)
    finally:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(probe)
        # Sending to it made Celery add the probe to the queues a worker consumes: forget it.
        celery_app.amqp.queues.pop(probe, None)
        celery_app.amqp.queues.consume_from.pop(probe, None)
    assert value(empty, "kengele_queue_messages", queue=probe) == 0
    assert value(samples, "kengele_queue_messages", queue=probe) == 2
    for name in ("triage", "outbound", "broadcast", "default"):
        assert value(samples, "kengele_queue_messages", queue=name) is not None
    assert value(samples, "kengele_up", dependency="broker") == 1


def test_a_broker_down_is_a_zero_not_an_error(client):
    with broker_down():
        samples = scrape(client)
    assert value(samples, "kengele_up", dependency="broker") == 0
    assert not [k for k in samples if k[0] == "kengele_queue_messages"]
    assert value(samples, "kengele_up", dependency="database") == 1


def test_it_counts_spooled_and_set_aside_files(client, settings, tmp_path):
    settings.SPOOL_DIR = tmp_path
    for name in ("a.spool", "b.spool", "c.bad", ".d.tmp"):
        (tmp_path / name).write_text("encrypted")
    an_hour_ago = timezone.now().timestamp() - 3600
    os.utime(tmp_path / "a.spool", (an_hour_ago, an_hour_ago))
    samples = scrape(client)
    assert value(samples, "kengele_spool_files", state="waiting") == 2
    assert value(samples, "kengele_spool_files", state="set_aside") == 1
    assert 3590 <= value(samples, "kengele_spool_oldest_seconds") <= 3700


def test_each_part_of_the_scrape_is_timed(client):
    samples = scrape(client)
    for part in ("database", "broker", "spool"):
        assert value(samples, "kengele_scrape_duration_seconds", part=part) >= 0
