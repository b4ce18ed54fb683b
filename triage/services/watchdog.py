"""The triage watchdog: is anything triaging alerts, and who must know when nothing is.

Three signs, all read from the database so that any process can read them:
- the worker heartbeat: a task on the triage queue, sent by beat every 20 s and once when a
  worker starts, records when a worker last ran it (Celery's ping needs a broadcast the embedded
  broker does not have);
- the backlog: alerts still untriaged (the `alert_untriaged` index), and how old the oldest is;
- outages: a period with alerts waiting past TRIAGE_STALE_SECONDS. Supervisors get one SMS per
  outage once it has lasted TRIAGE_ALARM_MINUTES, and one more when it ends.

When no worker runs at all, no task runs either, so the check also runs from the web processes
(/healthz and the dashboard's queue, at most once per WATCHDOG_POKE_SECONDS per process) and its
SMS go to the provider at once from there instead of through the outbound queue.
"""

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.constants import RECORDING_GRACE
from alerts.models import Alert, Message
from alerts.services import SendRefused, message_deliver, sms_send

from ..models import TriageOutage, WorkerHeartbeat
from ..selectors import supervisors_to_notify

log = logging.getLogger(__name__)

WATCHDOG_POKE_SECONDS = 30  # web processes check at most this often each
# Seconds a web request may spend handing the outage SMS to the provider; the rest of them are
# delivered through the outbound queue once a worker runs again.
ALARM_SEND_BUDGET_SECONDS = 5


@dataclass(frozen=True)
class Backlog:
    """Alerts triage has not reached: how many have waited past TRIAGE_STALE_SECONDS, and when
    the oldest untriaged one came in (stale or not)."""

    stale: int
    oldest_received_at: dt.datetime | None
    now: dt.datetime

    @property
    def oldest_seconds(self) -> int | None:
        if self.oldest_received_at is None:
            return None
        return max(0, int((self.now - self.oldest_received_at).total_seconds()))

    @property
    def oldest_minutes(self) -> int:
        return (self.oldest_seconds or 0) // 60


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TRIAGE_STALE_SECONDS)


def alerts_untriaged(*, now: dt.datetime) -> QuerySet[Alert]:
    """Alerts triage has not reached, leaving out voice calls that may still be recording
    (they are triaged once the recording is in)."""
    return Alert.objects.filter(triaged_at__isnull=True).exclude(
        source=Alert.Source.VOICE, received_at__gte=now - RECORDING_GRACE
    )


def stale_backlog(*, now: dt.datetime | None = None) -> Backlog:
    """The alerts waiting past TRIAGE_STALE_SECONDS: how many, and the oldest (one read of the
    `alert_untriaged` index)."""
    now = now or timezone.now()
    stale = (
        alerts_untriaged(now=now)
        .order_by()
        .filter(received_at__lt=now - stale_after())
        .aggregate(n=Count("pk"), oldest=Min("received_at"))
    )
    return Backlog(stale=stale["n"], oldest_received_at=stale["oldest"], now=now)


def triage_backlog(*, now: dt.datetime | None = None) -> Backlog:
    """The stale ones counted, and the oldest untriaged alert even when it is not stale yet."""
    backlog = stale_backlog(now=now)
    if backlog.oldest_received_at is not None:
        return backlog
    oldest = alerts_untriaged(now=backlog.now).order_by().aggregate(oldest=Min("received_at"))
    return Backlog(stale=0, oldest_received_at=oldest["oldest"], now=backlog.now)


# --- Worker heartbeat ----------------------------------------------------------------------------


def worker_heartbeat_record(*, hostname: str = "", at: dt.datetime | None = None) -> None:
    """A worker on the triage queue is alive now (one row, overwritten)."""
    WorkerHeartbeat.objects.update_or_create(
        pk=WorkerHeartbeat.SINGLETON,
        defaults={"beat_at": at or timezone.now(), "hostname": (hostname or "")[:200]},
    )


def worker_last_seen() -> dt.datetime | None:
    return (
        WorkerHeartbeat.objects.filter(pk=WorkerHeartbeat.SINGLETON)
        .values_list("beat_at", flat=True)
        .first()
    )


def worker_alive(*, now: dt.datetime | None = None) -> bool:
    """Whether a worker ran the heartbeat within TRIAGE_WORKER_SILENCE_SECONDS."""
    seen = worker_last_seen()
    now = now or timezone.now()
    return seen is not None and now - seen <= dt.timedelta(
        seconds=settings.TRIAGE_WORKER_SILENCE_SECONDS
    )


# --- Outages and the supervisors' SMS ------------------------------------------------------------


def triage_watchdog_check(*, now: dt.datetime | None = None) -> TriageOutage | None:
    """Open, update or end the current outage from the backlog, and text the supervisors once
    when it has lasted TRIAGE_ALARM_MINUTES (and once when it ends, if they were texted).
    Safe to run from several processes at once. Returns the open outage, if any."""
    now = now or timezone.now()
    backlog = stale_backlog(now=now)
    current = TriageOutage.objects.filter(is_open=True).first()
    if not backlog.stale:
        if current is not None:
            _outage_end(current, now=now)
        return None
    if current is None:
        try:
            with transaction.atomic():
                current = TriageOutage.objects.create(started_at=now)
        except IntegrityError:  # another process opened it a moment ago
            current = TriageOutage.objects.filter(is_open=True).first()
            if current is None:
                return None
    current.alerts_waiting = backlog.stale
    current.peak_waiting = max(current.peak_waiting, backlog.stale)
    current.oldest_received_at = backlog.oldest_received_at
    TriageOutage.objects.filter(pk=current.pk, is_open=True).update(
        alerts_waiting=current.alerts_waiting,
        peak_waiting=current.peak_waiting,
        oldest_received_at=current.oldest_received_at,
    )
    alarm_due = backlog.oldest_received_at <= now - dt.timedelta(
        minutes=settings.TRIAGE_ALARM_MINUTES
    )
    if alarm_due and current.alarmed_at is None:
        # A conditional update claims the alarm: one SMS per outage, whoever checks first.
        if TriageOutage.objects.filter(pk=current.pk, is_open=True, alarmed_at__isnull=True).update(
            alarmed_at=now
        ):
            current.alarmed_at = now
            sent = _text_supervisors(lambda: outage_alarm_text(backlog))
            log.error(
                "triage stuck: %s alerts waiting, the oldest for %s s; %s supervisors texted",
                backlog.stale,
                backlog.oldest_seconds,
                sent,
            )
    return current


def _outage_end(outage: TriageOutage, *, now: dt.datetime) -> None:
    ended = TriageOutage.objects.filter(pk=outage.pk, is_open=True).update(
        is_open=None, ended_at=now, alerts_waiting=0
    )
    if ended and outage.alarmed_at is not None:
        minutes = max(1, math.ceil((now - outage.started_at).total_seconds() / 60))
        _text_supervisors(lambda: outage_end_text(minutes))
        log.warning("triage running again after %s min", minutes)


def outage_alarm_text(backlog: Backlog) -> str:
    """The SMS to supervisors: counts only, nothing about who reported what."""
    return ngettext(
        "Kengele: triage has stopped. %(n)s alert is waiting, for %(m)s min. Check the Celery "
        "worker; read the waiting alerts on the dashboard.",
        "Kengele: triage has stopped. %(n)s alerts are waiting, the oldest for %(m)s min. "
        "Check the Celery worker; read the waiting alerts on the dashboard.",
        backlog.stale,
    ) % {"n": backlog.stale, "m": backlog.oldest_minutes}


def outage_end_text(minutes: int) -> str:
    return _("Kengele: triage is running again (it had stopped for %(m)s min).") % {"m": minutes}


def _text_supervisors(make_body: Callable[[], str]) -> int:
    """One notice to each supervisor with a number, recorded like every SMS and handed to the
    provider now, from this process: the outbound queue may be down with the rest."""
    sent = 0
    budget_ends = time.monotonic() + ALARM_SEND_BUDGET_SECONDS
    for profile in supervisors_to_notify():
        with translation.override(profile.language):
            body = make_body()
        try:
            message = sms_send(to=profile.phone, body=body, kind=Message.Kind.NOTICE)
        except SendRefused as exc:
            log.warning("triage notice to supervisor %s not sent: %s", profile.user_id, exc)
            continue
        sent += 1
        if time.monotonic() < budget_ends:
            try:
                message_deliver(message_id=message.pk)
            except Exception:  # transient: the outbound queue retries it when a worker runs
                log.exception("triage notice %s not delivered now; left queued", message.pk)
    return sent


# --- From the web processes --------------------------------------------------------------------

_poke_lock = threading.Lock()
_next_poke = 0.0


def triage_watchdog_poke() -> None:
    """Run the check at most once per WATCHDOG_POKE_SECONDS in this process, and never fail
    the request that pokes it."""
    global _next_poke
    with _poke_lock:
        if time.monotonic() < _next_poke:
            return
        _next_poke = time.monotonic() + WATCHDOG_POKE_SECONDS
    try:
        triage_watchdog_check()
    except Exception:  # the page or health answer matters more; the next poke tries again
        log.exception("triage watchdog check failed")


def triage_watchdog_poke_reset() -> None:
    """Let the next poke check at once (tests)."""
    global _next_poke
    with _poke_lock:
        _next_poke = 0.0
