"""GET /metrics: Prometheus text format, for operators' alerting before users notice trouble.

Two kinds of figures:
- what this web process sees itself: webhook answers by webhook and status code, and their
  latency. With gunicorn -w N each worker counts its own; set PROMETHEUS_MULTIPROC_DIR (an
  empty folder, wiped at each start) and every scrape adds up all workers' files. Without it a
  scrape shows the counters of the one worker that answered.
- what any process can read at scrape time: database and broker up, queue depths, the triage
  backlog and recent triage latency, SMS by status, the spool. Triage runs in the workers, so
  its latency is read from the alerts themselves (received_at → triaged_at), not counted.

Each dependency is read with a timeout (METRICS_TIMEOUT_SECONDS); one that is down or slow
shows as `kengele_up{dependency=…} 0` and its figures are left out: never a 500.
Access: `Authorization: Bearer $METRICS_TOKEN`, or, with no token set, callers from
METRICS_ALLOWED_IPS only.
"""

import datetime as dt
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import ChannelError
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric

from alerts.models import Alert, Message
from core.requests import client_ip
from triage.services import triage_backlog, worker_last_seen
from triage.services.watchdog import alerts_untriaged

from .celery import app as celery_app
from .health import database_ok

log = logging.getLogger(__name__)

# --- Counted in this process -------------------------------------------------------------------

# Own registry: the figures of a scrape are assembled per request (see `metrics`).
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
# Twilio gives up on a webhook after 15 s: the top buckets show answers near that edge.
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)
WEBHOOK_RESPONSES = Counter(
    "kengele_webhook_responses",
    "Webhook answers, by webhook (URL name) and HTTP status code.",
    ["webhook", "code"],
    registry=PROCESS_REGISTRY,
)
WEBHOOK_SECONDS = Histogram(
    "kengele_webhook_duration_seconds",
    "Time to answer a webhook, from the request reaching Django to the answer.",
    ["webhook"],
    buckets=WEBHOOK_BUCKETS,
    registry=PROCESS_REGISTRY,
)


class WebhookMetricsMiddleware:
    """Count and time every answer under WEBHOOK_PATH_PREFIX, whatever answered it (the view,
    a refusal, a 404). Put it first, so the fast path's short-cut is inside what it times."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.WEBHOOK_PATH_PREFIX

    def __call__(self, request: HttpRequest):
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The URL's name, never the path: label values must stay few.
        webhook = (match.url_name if match else None) or "unknown"
        WEBHOOK_RESPONSES.labels(webhook, str(response.status_code)).inc()
        WEBHOOK_SECONDS.labels(webhook).observe(time.perf_counter() - started)
        return response


# --- Read at scrape time --------------------------------------------------------------------------

# Triage latency buckets (seconds from received to triaged).
TRIAGE_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)
# An alert counts in the recent triage latency only if it was triaged within this time of its
# arrival, which keeps the query on the received_at index; a longer wait shows meanwhile as the
# oldest untriaged alert's age.
TRIAGE_LOOKBACK = dt.timedelta(hours=1)


def database_figures() -> list[Metric] | None:
    """The triage backlog, recent triage latency and SMS by status; None when the database is
    down or a query ran past METRICS_TIMEOUT_SECONDS."""
    if not database_ok():
        return None
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                timeout_ms = int(settings.METRICS_TIMEOUT_SECONDS * 1000)
                with connection.cursor() as cursor:  # for this transaction only
                    cursor.execute(f"SET LOCAL statement_timeout = {timeout_ms}")
            return [*triage_figures(now=timezone.now()), message_figures()]
    except Exception:  # a slow or failing query: the figures are missing, never the scrape
        log.exception("metrics: database figures unreadable")
        return None


def triage_figures(*, now: dt.datetime) -> list[Metric]:
    backlog = triage_backlog(now=now)
    untriaged = alerts_untriaged(now=now).order_by().count()
    seen = worker_last_seen()
    window = settings.METRICS_TRIAGE_WINDOW_SECONDS
    latency = F("triaged_at") - F("received_at")
    figures = (
        Alert.objects.order_by()
        .filter(
            received_at__gte=now - dt.timedelta(seconds=window) - TRIAGE_LOOKBACK,
            triaged_at__gte=now - dt.timedelta(seconds=window),
        )
        .aggregate(
            n=Count("pk"),
            average=Avg(latency),
            longest=Max(latency),
            **{
                f"le{bucket}": Count(
                    "pk", filter=Q(triaged_at__lte=F("received_at") + dt.timedelta(seconds=bucket))
                )
                for bucket in TRIAGE_BUCKETS
            },
        )
    )
    n = figures["n"]
    return [
        GaugeMetricFamily(
            "kengele_alerts_untriaged", "Alerts triage has not reached yet.", value=untriaged
        ),
        GaugeMetricFamily(
            "kengele_alerts_untriaged_stale",
            "Untriaged alerts older than TRIAGE_STALE_SECONDS.",
            value=backlog.stale,
        ),
        GaugeMetricFamily(
            "kengele_alerts_untriaged_oldest_seconds",
            "Age of the oldest untriaged alert (0 when none is waiting).",
            value=backlog.oldest_seconds or 0,
        ),
        GaugeMetricFamily(
            "kengele_triage_worker_last_seen_seconds",
            "Seconds since a worker last ran the triage heartbeat (-1: never).",
            value=(now - seen).total_seconds() if seen else -1,
        ),
        GaugeHistogramMetricFamily(
            "kengele_triage_recent_latency_seconds",
            f"Seconds from received to triaged, for the alerts triaged in the last {window} s.",
            buckets=[*((str(float(b)), figures[f"le{b}"]) for b in TRIAGE_BUCKETS), ("+Inf", n)],
            gsum_value=_seconds(figures["average"]) * n,
        ),
        GaugeMetricFamily(
            "kengele_triage_recent_latency_max_seconds",
            f"Longest received-to-triaged time of the alerts triaged in the last {window} s.",
            value=_seconds(figures["longest"]),
        ),
    ]


def _seconds(value) -> float:
    """An aggregated duration: a timedelta (PostgreSQL) or microseconds (SQLite)."""
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000


def message_figures() -> Metric:
    family = GaugeMetricFamily(
        "kengele_sms_messages",
        "Messages in the database by direction and status (outbound: pending, queued, sent, "
        "delivered, undelivered, failed); delta() over a period gives the rate.",
        labels=["direction", "status"],
    )
    rows = (
        Message.objects.order_by("direction", "status")
        .values_list("direction", "status")
        .annotate(n=Count("pk"))
    )
    for direction, status, n in rows:
        family.add_metric([direction, status], n)
    return family


def broker_figures() -> list[Metric] | None:
    depths = queue_depths()
    if depths is None:
        return None
    family = GaugeMetricFamily(
        "kengele_queue_messages", "Tasks waiting in each Celery queue.", labels=["queue"]
    )
    for name, depth in depths.items():
        family.add_metric([name], depth)
    return [family]


def queue_depths() -> dict[str, int] | None:
    """{queue: tasks waiting}, through kombu's public API (a passive declare answers with the
    queue's message count; an empty Redis queue has no key, hence "not found": 0), or None when
    the broker does not answer within METRICS_TIMEOUT_SECONDS."""
    timeout = settings.METRICS_TIMEOUT_SECONDS
    options = {
        **celery_app.conf.broker_transport_options,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    try:
        with celery_app.connection_for_read(
            connect_timeout=timeout, transport_options=options
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, timeout=timeout
            )
            channel = conn.default_channel
            depths = {}
            for queue in settings.CELERY_TASK_QUEUES:
                try:
                    depths[queue.name] = channel.queue_declare(
                        queue=queue.name, passive=True
                    ).message_count
                except ChannelError:
                    depths[queue.name] = 0
            return depths
    except Exception:
        log.exception("metrics: broker unreachable")
        return None


def spool_figures() -> list[Metric] | None:
    """Requests kept on disk while the database was down, and files set aside as unreadable."""
    try:
        waiting, set_aside, oldest = spool_state(Path(settings.SPOOL_DIR))
    except OSError:
        log.exception("metrics: spool folder unreadable")
        return None
    files = GaugeMetricFamily(
        "kengele_spool_files",
        "Files in the spool: waiting for import, or set aside for a person to look at.",
        labels=["state"],
    )
    files.add_metric(["waiting"], waiting)
    files.add_metric(["set_aside"], set_aside)
    return [
        files,
        GaugeMetricFamily(
            "kengele_spool_oldest_seconds",
            "Age of the oldest request waiting in the spool (0 when none).",
            value=oldest,
        ),
    ]


def spool_state(folder: Path) -> tuple[int, int, float]:
    """(files waiting, files set aside, age in seconds of the oldest waiting one)."""
    if not folder.exists():
        return 0, 0, 0.0
    waiting = set_aside = 0
    oldest = None
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".spool"):
                waiting += 1
                mtime = entry.stat().st_mtime
                oldest = mtime if oldest is None else min(oldest, mtime)
            elif entry.name.endswith(".bad"):
                set_aside += 1
    return waiting, set_aside, max(0.0, time.time() - oldest) if oldest else 0.0


SCRAPE_PARTS: dict[str, Callable[[], list[Metric] | None]] = {
    "database": database_figures,
    "broker": broker_figures,
    "spool": spool_figures,
}


class ScrapeCollector:
    """Reads each dependency in turn, timed, then says which answered."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "kengele_up",
            "1 when the dependency answered this scrape, 0 when it was down or too slow.",
            labels=["dependency"],
        )
        durations = GaugeMetricFamily(
            "kengele_scrape_duration_seconds",
            "Seconds each part of the scrape took.",
            labels=["part"],
        )
        for name, read in SCRAPE_PARTS.items():
            started = time.perf_counter()
            families = read()
            durations.add_metric([name], time.perf_counter() - started)
            up.add_metric([name], 0 if families is None else 1)
            yield from families or ()
        yield up
        yield durations


def scrape_registry() -> CollectorRegistry:
    """This scrape's figures: the webhook counters (every gunicorn worker's, in multiprocess
    mode; else this process's) and what is read from the dependencies now."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(PROCESS_REGISTRY)
    registry.register(ScrapeCollector())
    return registry


# --- The view ---------------------------------------------------------------------------------


def scrape_allowed(request: HttpRequest) -> bool | None:
    """True: allowed. False: a token is set and was not given (403). None: no token is set and
    the caller is not on the allow-list (404: nothing to see here)."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if settings.TRUSTED_PROXY_COUNT == 0 and "x-forwarded-for" in request.headers:
        # Through a proxy we were not told about, the address is the proxy's: anyone's.
        return None
    address = client_ip(request)
    if address is None:
        return None
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in allowed_networks()) or None


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.METRICS_ALLOWED_IPS]


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    allowed = scrape_allowed(request)
    if allowed is None:
        raise Http404
    if not allowed:
        return HttpResponseForbidden("A valid Authorization: Bearer token is required.\n")
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4)
