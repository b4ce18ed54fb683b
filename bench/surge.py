"""A surge of signed SMS against the whole stack: intake, the triage workers, the sweeper and an
analyst's queue, against intake alone (the baseline, same run).

Run from the repository root with the project's interpreter (``make bench`` runs it):

    .venv/bin/python bench/surge.py [--messages 10000] [--seconds 120] [--numbers 2000]

What it does, all on 127.0.0.1, bounded in time and count, touching nothing but its own
PostgreSQL database and Redis database:
1. creates a fresh PostgreSQL database, migrates it, adds 50 focal points (as webhook.py)
   and an analyst;
2. starts gunicorn (-w 2 --threads 4, DEBUG off, persistent connections) and an analyst's
   session (login, then the queue's rows every 3 s, as the dashboard polls);
3. phase "intake alone" (the baseline): the surge below with no worker running; then its alerts
   are set aside (marked triaged) and the broker emptied;
4. phase "surge": the worker processes as in docker-compose.yml (triage_urgent+triage,
   outbound, broadcast, default) and beat (the sweeper every 15 s), then the same surge;
   waits until every alert is triaged (or a bound passes);
5. prints the figures and, unless --no-record, writes them into bench/README.md.

The surge: --messages signed SMS from --numbers senders over --seconds, open loop (each
request due at its time, latency counted from it), with two bursts of a sixth of the run each
(10 s of 120 s) at twice the base rate, and 5% duplicates (the same MessageSid and signature
resent 0.5-5 s later, as Twilio retries). Texts are the webhook bench's (French and Swahili,
attacks, abductions, greetings...).

Checks (exit status 1 when one fails): every answer 200, every distinct MessageSid stored once,
no duplicate alert. Targets (reported, not failed): webhook p99 < 1 s, webhook-to-triaged p99
< 30 s for all alerts and < 10 s for priority 1, no task added by the sweeper for an alert
that was only waiting in line.
"""

import argparse
import asyncio
import datetime as dt
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from results import results_write

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook import (  # noqa: E402 - the project root is on the path only now
    ACCOUNT_SID,
    BIN,
    FOCAL_POINTS,
    OUR_NUMBER,
    PATH,
    PLACES,
    PY,
    README,
    REQUEST_TIMEOUT,
    TEXTS,
    TOKEN,
    Bench,
    Payload,
    _exchange,
    free_port,
    known_phone,
    log,
    percentile,
    port_open,
    raw_request,
)

RESULTS_MARKER = "<!-- results: bench/surge.py writes below this line -->"
ANALYST, ANALYST_PASSWORD = "surge-analyst", "surge-analyst-password-42"  # noqa: S105 - local
POLL_EVERY = 3.0
DUPLICATE_SHARE = 0.05
BURSTS = (0.25, 0.65)  # where the two bursts start, as a share of the run
# As in docker-compose.yml; the triage worker at Celery's default concurrency (one per core).
WORKERS = {
    "triage": ("triage_urgent,triage", os.cpu_count() or 2),
    "outbound": ("outbound", 1),
    "broadcast": ("broadcast", 1),
    "default": ("default", 1),
}
TRIAGE_LISTS = ("triage_urgent", "triage", "default")
PUBLISH_FAILED_AT = "2000-01-01"
TARGETS = {"webhook_p99_ms": 1000.0, "triaged_p99_s": 30.0, "triaged_p1_p99_s": 10.0}


@dataclass
class Send:
    due: float  # seconds from the phase's start
    payload: Payload
    duplicate: bool


@dataclass
class Phase:
    name: str
    sends: list[Send]
    started: float = 0.0  # wall clock
    ended: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    polls: list[float] = field(default_factory=list)
    poll_errors: int = 0
    backlog: list[tuple[float, int]] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def sids(self) -> list[str]:
        return sorted({s.payload.sid for s in self.sends})


def schedule(messages: int, seconds: float, numbers: int, url: str, seed: int) -> list[Send]:
    """When each SMS is due: a base rate and two bursts at twice it; 5% resent later."""
    from twilio.request_validator import RequestValidator

    rng, validator = random.Random(seed), RequestValidator(TOKEN)
    burst = seconds / 12
    originals = round(messages / (1 + DUPLICATE_SHARE))
    # base * (seconds - 2 * burst) + 2 * base * 2 * burst = originals
    base = originals / (seconds + 2 * burst)
    senders = [known_phone(i) for i in range(FOCAL_POINTS)]
    senders += [f"+24381{n:07d}" for n in rng.sample(range(10_000_000), numbers - FOCAL_POINTS)]
    sends, t = [], 0.0
    while len(sends) < originals:
        in_burst = any(start * seconds <= t < start * seconds + burst for start in BURSTS)
        t += 1 / (2 * base if in_burst else base)
        sid = "SM" + uuid.uuid4().hex
        params = {
            "ToCountry": "US",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "FromCountry": "CD",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": rng.choice(TEXTS).format(
                place=rng.choice(PLACES), hour=rng.randrange(1, 12), n=rng.randrange(2, 15)
            ),
            "To": OUR_NUMBER,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": rng.choice(senders),
            "ApiVersion": "2010-04-01",
        }
        body = urllib.parse.urlencode(params).encode()
        sends.append(Send(t, Payload(sid, body, validator.compute_signature(url, params)), False))
    for original in rng.sample(sends, messages - originals):
        sends.append(Send(original.due + rng.uniform(0.5, 5.0), original.payload, True))
    sends.sort(key=lambda s: s.due)
    return sends


async def replay(port: int, phase: Phase) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2

    async def one(send: Send, due: float) -> None:
        try:
            status = await asyncio.wait_for(
                _exchange(port, raw_request(port, send.payload)), REQUEST_TIMEOUT
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            phase.errors[type(exc).__name__] = phase.errors.get(type(exc).__name__, 0) + 1
            return
        phase.latencies.append(loop.time() - due)
        if status != 200:
            phase.errors[f"http {status}"] = phase.errors.get(f"http {status}", 0) + 1

    tasks = []
    for send in phase.sends:
        due = start + send.due
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(send, due)))
    await asyncio.gather(*tasks)


class Analyst:
    """A logged-in browser session polling the queue's rows every 3 s (as htmx does)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        self.stop = threading.Event()
        self.samples: list[tuple[float, float]] = []  # (wall clock, seconds)
        self.errors = 0

    def request(self, method: str, path: str, body: str = "", **headers) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **headers,
        }
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.read().decode(errors="replace")
        finally:
            conn.close()

    def login(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page: {status}")
        form = urllib.parse.urlencode(
            {"username": ANALYST, "password": ANALYST_PASSWORD, "csrfmiddlewaretoken": token[1]}
        )
        origin = f"https://127.0.0.1:{self.port}"
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            **{"Content-Type": "application/x-www-form-urlencoded", "Origin": origin},
            Referer=origin + "/accounts/login/",
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login refused: {status}")

    def poll(self) -> None:
        while not self.stop.wait(POLL_EVERY):
            started = time.monotonic()
            try:
                status, _ = self.request("GET", "/dashboard/rows/", **{"HX-Request": "true"})
            except OSError:
                status = 0
            if status == 200:
                self.samples.append((time.time(), time.monotonic() - started))
            else:
                self.errors += 1


class Surge(Bench):
    def __init__(self, args):
        args.workers, args.client = 2, "python"  # what Bench reads; gunicorn's are set below
        super().__init__(args)
        self.port = 0
        self.gunicorn: subprocess.Popen | None = None
        self.processes: list[subprocess.Popen] = []
        self.phases: list[Phase] = []

    # --- processes -----------------------------------------------------------------------------
    def env(self, settings_module: str = "config.settings") -> dict[str, str]:
        env = super().env(settings_module)
        if self.args.db_reuse_max is not None:
            env["CELERY_DB_REUSE_MAX"] = str(self.args.db_reuse_max)
        return env

    def spawn(self, name: str, cmd: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env(),
            stdout=(self.workdir / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        self.processes.append(process)
        return process

    def start_web(self) -> None:
        self.port = free_port()
        cmd = [str(BIN / "gunicorn"), "config.wsgi:application", "-w", "2", "--threads", "4"]
        self.gunicorn = self.spawn("gunicorn", [*cmd, "-b", f"127.0.0.1:{self.port}"])
        deadline = time.monotonic() + 30
        while not port_open(self.port):
            if self.gunicorn.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start; see its log")
            time.sleep(0.2)

    def start_workers(self) -> None:
        celery = [PY, "-m", "celery", "-A", "config"]
        for name, (queues, concurrency) in WORKERS.items():
            self.spawn(
                f"worker-{name}",
                [*celery, "worker", "-l", "warning", "-Q", queues, "--hostname", f"{name}@%h"]
                + ["--concurrency", str(concurrency), "--without-gossip", "--without-mingle"],
            )
        self.spawn("beat", [*celery, "beat", "-l", "warning"])
        deadline = time.monotonic() + 60
        while not self.workers_ready():
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not answer a ping within 60 s")
            time.sleep(1)

    def workers_ready(self) -> bool:
        out = subprocess.run(
            [PY, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "2"],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout.count("pong") >= len(WORKERS)

    def stop_processes(self, processes: list[subprocess.Popen]) -> None:
        for p in processes:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in processes:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)

    def stop(self) -> None:
        self.stop_processes(self.processes)
        self.targets = []
        super().stop()

    # --- the run -------------------------------------------------------------------------------
    def run(self) -> int:
        a = self.args
        self.collect_facts()
        self.setup()
        seed = [PY, str(Path(__file__).resolve()), "_seed"]
        done = subprocess.run(
            seed, cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=300
        )
        if done.returncode:
            raise RuntimeError("seeding the analyst failed: " + done.stderr[-800:])
        self.start_web()
        url = f"https://127.0.0.1:{self.port}{PATH}"
        log(f"{a.messages} SMS from {a.numbers} numbers over {a.seconds} s, per phase")
        for name, workers in (("intake alone", False), ("surge", True)):
            phase = Phase(name, schedule(a.messages, a.seconds, a.numbers, url, len(self.phases)))
            if workers:
                log("starting the workers (as in docker-compose.yml) and beat")
                self.start_workers()
            self.measure(phase, workers)
            self.phases.append(phase)
            if not workers:
                self.set_aside(phase)
        report = self.report()
        print(report)
        if not a.no_record:
            record(report)
            log(f"recorded in {README.relative_to(ROOT)}")
        return 0 if all(p.figures["verified"] for p in self.phases) else 1

    def measure(self, phase: Phase, workers: bool) -> None:
        import redis

        broker = redis.Redis(host="127.0.0.1", port=6379, db=self.args.redis_db)
        analyst = Analyst(self.port)
        analyst.login()
        poller = threading.Thread(target=analyst.poll, daemon=True)
        stop_sampling = threading.Event()

        def sample() -> None:
            while not stop_sampling.wait(1.0):
                depth = sum(broker.llen(name) for name in TRIAGE_LISTS)
                phase.backlog.append((time.time(), depth))

        sampler = threading.Thread(target=sample, daemon=True)
        poller.start()
        sampler.start()
        phase.started = time.time()
        log(f"{phase.name}: replaying {len(phase.sends)} webhooks")
        asyncio.run(replay(self.port, phase))
        phase.ended = time.time()
        analyst.stop.set()
        poller.join(REQUEST_TIMEOUT + 1)
        phase.polls = sorted(s for at, s in analyst.samples if at <= phase.ended)
        phase.poll_errors = analyst.errors
        if workers:
            bound = time.monotonic() + max(180, 2 * self.args.seconds)
            while self.untriaged(phase) and time.monotonic() < bound:
                time.sleep(1)
            time.sleep(16)  # one more sweep: would it add tasks for alerts already triaged?
        stop_sampling.set()
        sampler.join(2)
        self.figures(phase, workers)

    def untriaged(self, phase: Phase) -> int:
        with self.conn.cursor() as c:
            c.execute(
                "SELECT count(*) FROM alerts_alert a JOIN alerts_message m ON m.alert_id = a.id "
                "WHERE m.provider_sid = ANY(%s) AND a.triaged_at IS NULL",
                [phase.sids],
            )
            return c.fetchone()[0]

    def set_aside(self, phase: Phase) -> None:
        """The baseline's alerts leave the way (as if triaged) and its tasks the broker."""
        import redis

        with self.conn.cursor() as c:
            c.execute(
                "UPDATE alerts_alert SET triaged_at = now(), status = 'dismissed' WHERE id IN "
                "(SELECT alert_id FROM alerts_message WHERE provider_sid = ANY(%s))",
                [phase.sids],
            )
        redis.Redis(host="127.0.0.1", port=6379, db=self.args.redis_db).flushdb()

    def figures(self, phase: Phase, workers: bool) -> None:
        f = phase.figures
        with self.conn.cursor() as c:
            c.execute(
                "SELECT count(*), count(DISTINCT provider_sid), count(DISTINCT alert_id) "
                "FROM alerts_message WHERE provider_sid = ANY(%s)",
                [phase.sids],
            )
            rows, distinct, alerts = c.fetchone()
            c.execute(
                "SELECT extract(epoch FROM a.triaged_at - a.received_at)::float8, a.priority, "
                "a.queued_at > %s, extract(epoch FROM a.triaged_at)::float8 "
                "FROM alerts_alert a WHERE a.id IN "
                "(SELECT alert_id FROM alerts_message WHERE provider_sid = ANY(%s))",
                [PUBLISH_FAILED_AT, phase.sids],
            )
            triage_rows = c.fetchall()
        lat = sorted(phase.latencies)
        f.update(
            sent=len(phase.sends),
            distinct_sent=len(phase.sids),
            duplicates_sent=sum(s.duplicate for s in phase.sends),
            stored=distinct,
            duplicated=rows - distinct,
            alerts=alerts,
            errors=sum(phase.errors.values()),
            error_kinds=dict(phase.errors),
            webhook_p50_ms=percentile(lat, 50) * 1e3,
            webhook_p99_ms=percentile(lat, 99) * 1e3,
            poll_p95_ms=percentile(phase.polls, 95) * 1e3,
            polls=len(phase.polls),
            poll_errors=phase.poll_errors,
            backlog_peak=max((d for _, d in phase.backlog), default=0),
            duration=phase.ended - phase.started,
        )
        f["verified"] = not f["errors"] and not f["duplicated"] and distinct == len(phase.sids)
        if not workers:
            return
        waits = sorted(w for w, _, _, _ in triage_rows if w is not None)
        urgent = sorted(w for w, p, _, _ in triage_rows if w is not None and p == 1)
        done_during = sum(1 for *_, at in triage_rows if at and at <= phase.ended)
        last = max((at for *_, at in triage_rows if at), default=phase.ended)
        f.update(
            untriaged=sum(1 for w, *_ in triage_rows if w is None),
            triaged_p50_s=percentile(waits, 50),
            triaged_p99_s=percentile(waits, 99),
            priority1=len(urgent),
            triaged_p1_p50_s=percentile(urgent, 50),
            triaged_p1_p99_s=percentile(urgent, 99),
            drain_during=done_during / max(phase.ended - phase.started, 1e-9),
            drain_overall=len(waits) / max(last - phase.started, 1e-9),
            drained_after_s=last - phase.ended,
            swept=sum(1 for _, _, swept, _ in triage_rows if swept),
        )

    # --- report --------------------------------------------------------------------------------
    def report(self) -> str:
        a = self.args
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"#### {now}", ""]
        lines += [f"- {k}: {v}" for k, v in self.facts.items()]
        lines += [
            f"- surge: {a.messages} signed SMS ({DUPLICATE_SHARE:.0%} resent MessageSids) from "
            f"{a.numbers} numbers over {a.seconds} s, two bursts at twice the base rate; an "
            f"analyst polling the queue every {POLL_EVERY:g} s",
            "- stack: gunicorn -w 2 --threads 4, DEBUG=false, PostgreSQL, Redis "
            f"{self.broker}, SMS_BACKEND=locmem; workers "
            + ", ".join(f"-Q {q} (concurrency {n})" for q, n in WORKERS.values())
            + ", beat"
            + (f"; CELERY_DB_REUSE_MAX={a.db_reuse_max}" if a.db_reuse_max is not None else ""),
            "",
            "| phase | sent | stored | duplicated | errors | webhook p50 ms | webhook p99 ms "
            "| poll p95 ms | backlog peak |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in self.phases:
            f = p.figures
            lines.append(
                f"| {p.name} | {f['sent']} ({f['distinct_sent']} distinct) | {f['stored']} | "
                f"{f['duplicated']} | {f['errors']} | {f['webhook_p50_ms']:.0f} | "
                f"{f['webhook_p99_ms']:.0f} | {f['poll_p95_ms']:.0f} | {f['backlog_peak']} |"
            )
        base, surge = (p.figures for p in self.phases)
        lines += [
            "",
            f"- webhook to triaged: all alerts p50 **{surge['triaged_p50_s']:.2f} s**, p99 "
            f"**{surge['triaged_p99_s']:.2f} s**; priority 1 ({surge['priority1']} alerts) p50 "
            f"**{surge['triaged_p1_p50_s']:.2f} s**, p99 **{surge['triaged_p1_p99_s']:.2f} s**; "
            f"left untriaged: {surge['untriaged']}",
            f"- drain: {surge['drain_during']:.0f} alerts/s triaged while intake ran, "
            f"{surge['drain_overall']:.0f} alerts/s overall, "
            + (
                f"backlog gone {surge['drained_after_s']:.0f} s after the last webhook"
                if surge["drained_after_s"] > 0
                else "no backlog left when the last webhook was answered"
            ),
            f"- tasks added by the sweeper: {surge['swept']}",
            f"- webhook p99 against intake alone: {surge['webhook_p99_ms']:.0f} ms vs "
            f"{base['webhook_p99_ms']:.0f} ms (ratio "
            f"{surge['webhook_p99_ms'] / max(base['webhook_p99_ms'], 1e-9):.2f}); queue poll p95 "
            f"{surge['poll_p95_ms']:.0f} ms vs {base['poll_p95_ms']:.0f} ms",
        ]
        checks = [
            ("webhook p99", surge["webhook_p99_ms"], TARGETS["webhook_p99_ms"], "ms"),
            ("webhook to triaged p99", surge["triaged_p99_s"], TARGETS["triaged_p99_s"], "s"),
            ("priority 1 p99", surge["triaged_p1_p99_s"], TARGETS["triaged_p1_p99_s"], "s"),
        ]
        for name, value, target, unit in checks:
            met = value < target
            lines.append(
                f"- {name} {value:.1f} {unit}, target < {target:g} {unit}: "
                + ("met" if met else "**NOT met**")
            )
        lines.append(
            "- every answer 200, every distinct MessageSid stored once, none twice: "
            + ("yes" if all(p.figures["verified"] for p in self.phases) else "**NO**")
        )
        return "\n".join(lines) + "\n"


def record(report: str) -> None:
    results_write(README, RESULTS_MARKER, report)


def seed_analyst() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(ANALYST, password=ANALYST_PASSWORD)
    user.groups.add(Group.objects.get(name="analyst"))


def parse_args(argv):
    def env_int(name, default):
        return int(os.environ.get(name, default))

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=env_int("BENCH_SURGE_MESSAGES", 10_000))
    p.add_argument("--seconds", type=int, default=env_int("BENCH_SURGE_SECONDS", 120))
    p.add_argument("--numbers", type=int, default=env_int("BENCH_SURGE_NUMBERS", 2000))
    p.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "kengele_bench_surge"))
    p.add_argument("--redis-db", type=int, default=env_int("BENCH_SURGE_REDIS_DB", 12))
    p.add_argument(
        "--db-reuse-max",
        type=int,
        default=None,
        help="CELERY_DB_REUSE_MAX for the workers (0: a new database session per task)",
    )
    p.add_argument("--keep-db", action="store_true", help="leave the bench database behind")
    p.add_argument("--no-record", action="store_true", help="do not write into bench/README.md")
    args, _ = p.parse_known_args(argv)  # make bench passes every bench the same arguments
    if not (10 <= args.seconds <= 600 and 100 <= args.messages <= 50_000):
        p.error("keep --seconds in 10..600 and --messages in 100..50000")
    if not FOCAL_POINTS < args.numbers <= args.messages:
        p.error(f"--numbers must lie between {FOCAL_POINTS + 1} and --messages")
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["_seed"]:
        seed_analyst()
        return 0
    args = parse_args(argv)
    for port in (5432, 6379):
        if not port_open(port):
            log(f"nothing listens on 127.0.0.1:{port}: start PostgreSQL and Redis first")
            return 1

    def interrupted(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, interrupted)
    signal.alarm(600 + 4 * args.seconds + 360)  # a hard bound on the whole run
    bench = Surge(args)
    try:
        return bench.run()
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc or 'SIGINT'}), stopping")
        return 130
    except RuntimeError as exc:
        log(f"failed: {exc}")
        return 1
    finally:
        signal.alarm(0)
        bench.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
