"""Signed SMS webhook under gunicorn + PostgreSQL, against a bare-Django baseline (same run).

Run from the repository root with the project's interpreter (``make bench`` does):

    .venv/bin/python bench/webhook.py [--seconds 20] [--rate 100] [--concurrency 16] [--rounds 2]

What it does, all on 127.0.0.1 and bounded in time and count:
1. creates a fresh PostgreSQL database, migrates it, adds the baseline's table with raw SQL and
   ~50 focal points (known senders) through networks.services.focal_point_create;
2. starts two gunicorns (2 sync workers each, production settings, persistent database
   connections, a spare Redis database as the Celery broker): the project
   (config.wsgi) and the baseline (bench.baseline.wsgi, a bare view inserting one row);
3. phase "max": closed loop at a fixed concurrency for N seconds (wrk when installed, else the
   Python client below), alternating baseline and webhook for --rounds rounds;
   phase "rate": open loop at --rate requests/s for N seconds (Python client; latency counted
   from each request's scheduled time, so a stalled server cannot hide its queueing);
4. after each phase checks that no answer was other than 200 and that every answered request
   was stored exactly once (rows vs answers, distinct MessageSids);
5. prints a table and, unless --no-record, writes it in bench/README.md in place of the
   previous run's.

Every request carries a distinct MessageSid and a valid X-Twilio-Signature (twilio's
RequestValidator, the URL being the https one the TLS proxy would show, with
X-Forwarded-Proto: https). Exit status: 0 measured and verified, 1 a verification failed or the
run broke. Missed performance targets are reported, not turned into a failure.
"""

import argparse
import asyncio
import base64
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from results import results_write

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
RESULTS_MARKER = "<!-- results: bench/webhook.py writes below this line -->"
PY = sys.executable
BIN = Path(PY).parent

TOKEN = "bench-twilio-auth-token-0123456789abcdef"  # noqa: S105 - a throwaway local value
ACCOUNT_SID = "AC" + "b" * 32
OUR_NUMBER = "+15005550006"
PATH = "/webhooks/twilio/sms/"
BASELINE_TABLE = "bench_baseline_inbound"
FOCAL_POINTS = 50
KNOWN_SHARE = 0.05  # share of webhooks sent by a known focal point (acknowledged in TwiML)
MAX_POOL_RPS = 3000  # signed payloads generated per second of a "max" phase
REQUEST_TIMEOUT = 10.0
# settings inherited from the caller's shell are dropped: the bench sets its own
INHERITED_PREFIXES_DROPPED = (
    "DJANGO_",
    "DATABASE_",
    "DB_",
    "CELERY_",
    "TWILIO_",
    "SMS_",
    "SECURE_",
)
INHERITED_DROPPED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "FIELD_ENCRYPTION_KEY",
    "PUBLIC_BASE_URL",
)

TARGET_RATIO = 0.50
TARGET_P99_MS = 100.0

PLACES = [
    "Kalehe",
    "Minova",
    "Bunagana",
    "Rutshuru",
    "Kiwanja",
    "Masisi",
    "Walikale",
    "Beni",
    "Oicha",
    "Kamango",
    "Djugu",
    "Fataki",
    "Mambasa",
    "Uvira",
    "Fizi",
    "Minembwe",
    "Shabunda",
    "Mwenga",
]
TEXTS = [
    # French
    "Hommes armés signalés à {place} ce matin, la population a peur",
    "Attaque en cours à {place}, on entend des tirs depuis {hour}h",
    "{n} personnes enlevées hier soir près de {place} par des hommes en tenue",
    "Les gens fuient {place} vers la paroisse, plusieurs maisons brûlées",
    "Pillage de chèvres et de récoltes à {place} cette nuit",
    "Tracts menaçants contre une communauté affichés au marché de {place}",
    "Conflit de champs entre deux villages vers {place}, tension forte",
    "Une femme violée sur la route de {place} en allant au champ",
    "Bonjour, la réunion du comité de {place} est reportée à jeudi",
    "Des militaires réclament de l'argent aux passants à la barrière de {place}",
    # Swahili
    "Watu wenye silaha wameingia {place} asubuhi hii",
    "Risasi zinasikika {place} tangu saa {hour}, watu wanakimbia",
    "Watu {n} wametekwa nyara karibu na {place} usiku wa jana",
    "Wakimbizi wengi wamefika {place} wakitoka vijiji vya jirani",
    "Ng'ombe wameibiwa {place} usiku, wachungaji wamepigwa",
    "Maneno ya chuki dhidi ya kabila fulani yanasemwa sokoni {place}",
    "Mgogoro wa ardhi kati ya jamii mbili huko {place}",
    "Habari, mkutano wa kamati ya {place} umeahirishwa",
]
FIRST_NAMES = ["Amani", "Furaha", "Baraka", "Neema", "Jean-Pierre", "Espérance", "Mapendo"]
LAST_NAMES = ["Kabila", "Mushagalusa", "Bahati", "Kasereka", "Muhindo", "Ngoy", "Bisimwa"]
UNKNOWN_PREFIXES = ["81", "82", "84", "85", "89", "97"]


def known_phone(i: int) -> str:
    return f"+24399{1_000_000 + i:07d}"


# --- Small helpers -----------------------------------------------------------------------------
def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (nan when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def pg_connect(dbname: str):
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname)
    conn.autocommit = True
    return conn


def admin_sql(statement: str):
    """One statement on the maintenance database, outside any transaction; the first row."""
    conn = pg_connect("postgres")
    try:
        with conn.cursor() as c:
            c.execute(statement)
            return c.fetchone() if c.description else None
    finally:
        conn.close()


# --- Payloads ----------------------------------------------------------------------------------
@dataclass
class Payload:
    sid: str
    body: bytes
    signature: str


class PayloadFactory:
    """Distinct, validly signed Twilio SMS posts: mostly unknown senders, a few focal points."""

    def __init__(self, signed_url: str, seed: int):
        from twilio.request_validator import RequestValidator

        self.url = signed_url
        self.validator = RequestValidator(TOKEN)
        self.rng = random.Random(seed)

    def sender(self) -> str:
        if self.rng.random() < KNOWN_SHARE:
            return known_phone(self.rng.randrange(FOCAL_POINTS))
        prefix = self.rng.choice(UNKNOWN_PREFIXES)
        return f"+243{prefix}{self.rng.randrange(10_000_000):07d}"

    def text(self) -> str:
        return self.rng.choice(TEXTS).format(
            place=self.rng.choice(PLACES),
            hour=self.rng.randrange(1, 12),
            n=self.rng.randrange(2, 15),
        )

    def make(self, n: int) -> list[Payload]:
        out = []
        for _ in range(n):
            sid = "SM" + uuid.uuid4().hex
            params = {
                "ToCountry": "US",
                "SmsMessageSid": sid,
                "NumMedia": "0",
                "FromCountry": "CD",
                "SmsSid": sid,
                "SmsStatus": "received",
                "Body": self.text(),
                "To": OUR_NUMBER,
                "NumSegments": "1",
                "MessageSid": sid,
                "AccountSid": ACCOUNT_SID,
                "From": self.sender(),
                "ApiVersion": "2010-04-01",
            }
            body = urllib.parse.urlencode(params).encode()
            out.append(Payload(sid, body, self.validator.compute_signature(self.url, params)))
        return out


def raw_request(port: int, payload: Payload) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(payload.body)}\r\n"
        f"X-Twilio-Signature: {payload.signature}\r\n"
        "X-Forwarded-Proto: https\r\n"
        "User-Agent: TwilioProxy/1.1\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + payload.body


# --- Load generators ---------------------------------------------------------------------------
@dataclass
class PhaseResult:
    target: str
    phase: str
    round: int
    tool: str
    seconds: float = 0.0
    answered: int = 0  # responses received (any status)
    ok_sids: list[str] | None = None  # answered 200, when the client knows which (Python client)
    ok_count: int = 0
    requested: int = 0  # requests started (>= answered; the rest were in flight at the end)
    errors: int = 0  # non-200 answers + socket errors + timeouts
    error_kinds: dict[str, int] = field(default_factory=dict)
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    max_ms: float = math.nan
    stored: int = 0
    verified: bool = False
    note: str = ""

    @property
    def rps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


async def _exchange(port: int, data: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        if match:
            await reader.readexactly(int(match.group(1)))
        else:
            await reader.read()
        return status
    finally:
        writer.close()


class _Tally:
    def __init__(self):
        self.latencies: list[float] = []
        self.ok_sids: list[str] = []
        self.answered = 0
        self.requested = 0
        self.errors: dict[str, int] = {}

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def one(self, port: int, payload: Payload, started: float) -> None:
        loop = asyncio.get_running_loop()
        self.requested += 1
        try:
            status = await asyncio.wait_for(
                _exchange(port, raw_request(port, payload)), REQUEST_TIMEOUT
            )
        except TimeoutError:
            self.error("timeout")
            return
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.error(type(exc).__name__)
            return
        self.latencies.append(loop.time() - started)
        self.answered += 1
        if status == 200:
            self.ok_sids.append(payload.sid)
        else:
            self.error(f"http {status}")

    def into(self, result: PhaseResult, seconds: float) -> PhaseResult:
        lat = sorted(self.latencies)
        result.seconds = seconds
        result.answered, result.requested = self.answered, self.requested
        result.ok_sids, result.ok_count = self.ok_sids, len(self.ok_sids)
        result.error_kinds = dict(self.errors)
        result.errors = sum(self.errors.values())
        result.p50_ms, result.p99_ms = percentile(lat, 50) * 1e3, percentile(lat, 99) * 1e3
        result.max_ms = (lat[-1] if lat else math.nan) * 1e3
        return result


async def _closed_loop(port, payloads, concurrency, seconds, result) -> PhaseResult:
    tally, loop = _Tally(), asyncio.get_running_loop()
    source = iter(payloads)
    start = loop.time()
    deadline = start + seconds

    async def worker():
        while loop.time() < deadline:
            payload = next(source, None)
            if payload is None:
                result.note = "payload pool exhausted"
                return
            await tally.one(port, payload, loop.time())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return tally.into(result, loop.time() - start)


async def _open_loop(port, payloads, rate, seconds, result) -> PhaseResult:
    """Request i is due at start + i/rate whatever happened to the others (open loop)."""
    tally, loop = _Tally(), asyncio.get_running_loop()
    n = min(len(payloads), int(rate * seconds))
    start = loop.time() + 0.1
    tasks = []
    for i in range(n):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(tally.one(port, payloads[i], due)))
    await asyncio.gather(*tasks)
    result = tally.into(result, n / rate)  # offered duration: answered/seconds = achieved rate
    late = loop.time() - (start + n / rate)
    if late > 1.0:
        result.note = f"last answers {late:.1f} s after the schedule ended"
    return result


def python_closed_loop(port, payloads, concurrency, seconds, result) -> PhaseResult:
    return asyncio.run(_closed_loop(port, payloads, concurrency, seconds, result))


def python_open_loop(port, payloads, rate, seconds, result) -> PhaseResult:
    return asyncio.run(_open_loop(port, payloads, rate, seconds, result))


WRK_LUA = r"""
-- Cycles through pre-signed Twilio webhooks (one disjoint slice per wrk thread) and counts
-- every answer that is not 200.
local pool_file, n_threads, route, count = "%(pool)s", %(threads)d, "%(route)s", 0
local all_threads = {}
function setup(thread)
  thread:set("tid", count)
  count = count + 1
  table.insert(all_threads, thread)
end
local R, i = {}, 0
requested, non200, wrapped = 0, 0, 0
function init(args)
  local k = 0
  for line in io.lines(pool_file) do
    if k %% n_threads == tid then
      local tab = string.find(line, "\t", 1, true)
      R[#R + 1] = {string.sub(line, 1, tab - 1), string.sub(line, tab + 1)}
    end
    k = k + 1
  end
end
function request()
  i = i + 1
  requested = i
  if i > #R then wrapped = 1 end
  local r = R[((i - 1) %% #R) + 1]
  return wrk.format("POST", route, {["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r[1], ["X-Forwarded-Proto"] = "https",
    ["User-Agent"] = "TwilioProxy/1.1"}, r[2])
end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local req, bad, wrap = 0, 0, 0
  for _, t in ipairs(all_threads) do
    req = req + t:get("requested")
    bad = bad + t:get("non200")
    wrap = wrap + t:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format('WRKRESULT {"answered": %%d, "duration_us": %%d, "requested": %%d, ' ..
    '"non200": %%d, "wrapped": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d, "max_us": %%d}\n', summary.requests, summary.duration, req,
    bad, wrap, e.connect, e.read, e.write, e.timeout, latency:percentile(50),
    latency:percentile(99), latency.max))
end
"""


def wrk_closed_loop(port, payloads, concurrency, seconds, result, workdir: Path) -> PhaseResult:
    threads = 2
    pool = workdir / f"pool-{result.target}-{result.round}.tsv"
    with pool.open("w") as f:
        for p in payloads:
            f.write(f"{p.signature}\t{p.body.decode()}\n")
    script = workdir / "webhook.lua"
    script.write_text(WRK_LUA % {"pool": pool, "threads": threads, "route": PATH})
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        f"{int(REQUEST_TIMEOUT)}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    pool.unlink()
    match = re.search(r"WRKRESULT (\{.*\})", out.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-300:]} {out.stderr[-300:]}")
    r = json.loads(match.group(1))
    result.seconds = r["duration_us"] / 1e6
    result.answered, result.requested = r["answered"], r["requested"]
    result.ok_count = r["answered"] - r["non200"]
    kinds = {k: r[k] for k in ("non200", "connect", "read", "write", "timeout") if r[k]}
    result.error_kinds, result.errors = kinds, sum(kinds.values())
    result.p50_ms, result.p99_ms, result.max_ms = (
        r["p50_us"] / 1e3,
        r["p99_us"] / 1e3,
        r["max_us"] / 1e3,
    )
    if r["wrapped"]:
        result.note = "payload pool exhausted (MessageSids repeated)"
    return result


# --- Targets: servers and their stored rows ----------------------------------------------------
@dataclass
class Target:
    name: str
    app: str
    settings: str
    table: str  # where one answered request leaves exactly one row
    sid_column: str
    where: str
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def count(self, conn) -> tuple[int, int]:
        with conn.cursor() as c:
            c.execute(
                f"SELECT count(*), count(DISTINCT {self.sid_column}) "  # noqa: S608 - constants
                f"FROM {self.table} WHERE {self.where}"
            )
            total, distinct = c.fetchone()
        return total, distinct

    def stored_once(self, conn, sids: list[str]) -> int:
        """How many of these sids are stored exactly once."""
        with conn.cursor() as c:
            c.execute(
                f"SELECT count(*) FROM (SELECT {self.sid_column} FROM {self.table} "  # noqa: S608
                f"WHERE {self.where} AND {self.sid_column} = ANY(%s) "
                f"GROUP BY {self.sid_column} HAVING count(*) = 1) once",
                [sids],
            )
            return c.fetchone()[0]


WEBHOOK = Target(
    "webhook", "config.wsgi:application", "config.settings", "alerts_message", "provider_sid",
    "direction = 'inbound'",
)  # fmt: skip
BASELINE = Target(
    "baseline", "bench.baseline.wsgi:application", "bench.baseline.settings", BASELINE_TABLE,
    "sid", "true",
)  # fmt: skip


class Bench:
    def __init__(self, args):
        self.args = args
        self.db = args.database
        self.broker = f"redis://127.0.0.1:6379/{args.redis_db}"
        self.workdir = Path(tempfile.mkdtemp(prefix="kengele-bench-"))
        self.targets = [BASELINE, WEBHOOK]
        self.results: list[PhaseResult] = []
        self.facts: dict[str, str] = {}
        self.conn = None
        self.field_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        self.use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))

    # environment shared by migrate, the seeding step and both gunicorns
    def env(self, settings_module: str = "config.settings") -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(INHERITED_PREFIXES_DROPPED) and k not in INHERITED_DROPPED
        }
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module,
            DEBUG="false",
            SECRET_KEY="bench-" + "s" * 58,
            FIELD_ENCRYPTION_KEY=self.field_key,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{self.db}",
            DB_CONN_MAX_AGE="600",
            CELERY_BROKER_URL=self.broker,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=TOKEN,
            TWILIO_FROM_NUMBER=OUR_NUMBER,
            SMS_BACKEND="locmem",
            KENGELE_VAR_DIR=str(self.workdir / "var"),
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    # --- setup / teardown ----------------------------------------------------------------------
    def flush_broker(self) -> None:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=self.args.redis_db).flushdb()

    def setup(self) -> None:
        log(f"fresh database {self.db}, migrations, {FOCAL_POINTS} focal points")
        admin_sql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{self.db}"')
        self.facts["PostgreSQL"] = admin_sql("SHOW server_version")[0].split()[0]
        self.flush_broker()
        env = self.env()
        run = [PY, "manage.py", "migrate", "--noinput"]
        done = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError("migrate failed: " + (done.stderr or done.stdout)[-800:])
        self.conn = pg_connect(self.db)
        with self.conn.cursor() as c:
            c.execute(
                f"CREATE TABLE {BASELINE_TABLE} (id bigserial PRIMARY KEY, "
                "sid varchar(64) NOT NULL UNIQUE, body text NOT NULL, raw jsonb NOT NULL, "
                "received_at timestamptz NOT NULL DEFAULT now())"
            )
        seed = [PY, str(Path(__file__).resolve()), "_seed", str(FOCAL_POINTS)]
        done = subprocess.run(seed, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError("seeding focal points failed: " + done.stderr[-800:])

    def start(self, target: Target) -> None:
        target.port = free_port()
        target.log_path = self.workdir / f"gunicorn-{target.name}.log"
        cmd = [
            str(BIN / "gunicorn"),
            target.app,
            "-w",
            str(self.args.workers),
            "-b",
            f"127.0.0.1:{target.port}",
            "--log-level",
            "warning",
        ]
        target.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env(target.settings),
            stdout=target.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
        deadline = time.monotonic() + 30
        while not port_open(target.port):
            if target.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({target.name}) did not start: {self.tail(target)}")
            time.sleep(0.2)

    def tail(self, target: Target) -> str:
        try:
            return target.log_path.read_text()[-800:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        for target in self.targets:
            p = target.process
            if p is None or p.poll() is not None:
                continue
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        try:
            self.flush_broker()
            if not self.args.keep_db:
                admin_sql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        except Exception as exc:  # cleanup must never hide the real error
            log(f"cleanup: {exc}")
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- phases --------------------------------------------------------------------------------
    def factory(self, target: Target, seed: int) -> PayloadFactory:
        return PayloadFactory(f"https://127.0.0.1:{target.port}{PATH}", seed)

    def warm_up(self, target: Target) -> None:
        payloads = self.factory(target, 1).make(400)
        result = PhaseResult(target.name, "warm-up", 0, "python")
        python_closed_loop(target.port, payloads, 4, 2.0, result)
        if result.errors:
            raise RuntimeError(
                f"{target.name} warm-up failed: {result.error_kinds}; {self.tail(target)}"
            )

    def measure(self, target: Target, phase: str, rnd: int) -> PhaseResult:
        a = self.args
        before, _ = target.count(self.conn)
        seed = len(self.results) + 2  # distinct per phase, reproducible texts and senders
        if phase == "max":
            payloads = self.factory(target, seed).make(MAX_POOL_RPS * a.seconds)
            tool = "wrk" if self.use_wrk else "python"
            result = PhaseResult(target.name, phase, rnd, tool)
            if self.use_wrk:
                wrk_closed_loop(
                    target.port, payloads, a.concurrency, a.seconds, result, self.workdir
                )
            else:
                python_closed_loop(target.port, payloads, a.concurrency, a.seconds, result)
        else:
            payloads = self.factory(target, seed).make(int(a.rate * a.seconds))
            result = PhaseResult(target.name, phase, rnd, "python")
            python_open_loop(target.port, payloads, a.rate, a.seconds, result)
        time.sleep(1.0)  # let requests still in flight when the client stopped finish
        after, _ = target.count(self.conn)
        result.stored = after - before
        self.verify(target, result)
        self.results.append(result)
        log(
            f"{target.name:8} {phase:4} round {rnd}: {result.rps:7.1f} req/s  "
            f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
            f"stored {result.stored}/{result.ok_count}  {'ok' if result.verified else 'FAILED'}"
            f" {result.note}"
        )
        return result

    def verify(self, target: Target, r: PhaseResult) -> None:
        total, distinct = target.count(self.conn)
        problems = []
        if r.errors:
            problems.append(f"errors {r.error_kinds}")
        if total != distinct:
            problems.append(f"{total - distinct} MessageSids stored more than once")
        if r.ok_sids is not None:
            # the client knows exactly which requests were answered 200
            once = target.stored_once(self.conn, r.ok_sids) if r.ok_sids else 0
            if once != len(r.ok_sids):
                problems.append(f"{len(r.ok_sids) - once} answered requests not stored once")
            if r.stored != len(r.ok_sids):
                problems.append(f"{r.stored} rows for {len(r.ok_sids)} answered")
        elif not (r.ok_count <= r.stored <= r.requested):
            # wrk: requests in flight at the deadline may be stored without being counted
            problems.append(f"{r.stored} rows for {r.ok_count} answered ({r.requested} started)")
        if "exhausted" in r.note:
            problems.append(r.note)
        r.verified = not problems
        if problems:
            r.note = "; ".join(problems)

    def run(self) -> int:
        a = self.args
        self.collect_facts()
        self.setup()
        for target in self.targets:
            self.start(target)
        for target in self.targets:
            self.warm_up(target)
        log(
            f"phase max: {a.rounds} round(s) x {a.seconds} s per target, concurrency "
            f"{a.concurrency}, {'wrk' if self.use_wrk else 'Python client'}"
        )
        for rnd in range(1, a.rounds + 1):
            for target in self.targets:
                self.measure(target, "max", rnd)
        log(f"phase rate: {a.rate} req/s open loop, {a.seconds} s per target")
        for target in self.targets:
            self.measure(target, "rate", 1)
        self.webhook_facts()
        report = self.report()
        print(report)
        if not a.no_record:
            record(report)
            log(f"recorded in {README.relative_to(ROOT)}")
        return 0 if all(r.verified for r in self.results) else 1

    # --- facts and report ----------------------------------------------------------------------
    def collect_facts(self) -> None:
        import django
        import gunicorn

        model = ""
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.facts.update(
            {
                "CPUs (nproc)": f"{os.cpu_count()}" + (f" x {model}" if model else ""),
                "load average at start": load,
                "Python": platform.python_version(),
                "Django": django.get_version(),
                "gunicorn": gunicorn.__version__,
                "OS": platform.platform(),
            }
        )
        if self.use_wrk:
            out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
            self.facts["wrk"] = (out.stdout or out.stderr).split("[")[0].strip()

    def webhook_facts(self) -> None:
        import redis

        with self.conn.cursor() as c:
            c.execute(
                "SELECT count(*), count(*) FILTER (WHERE sender_known), "
                "count(*) FILTER (WHERE flooded) FROM alerts_alert"
            )
            alerts, known, flooded = c.fetchone()
            c.execute(
                "SELECT count(*) FILTER (WHERE auto_reply <> '') FROM alerts_message "
                "WHERE direction = 'inbound'"
            )
            (acks,) = c.fetchone()
        broker = redis.Redis(host="127.0.0.1", port=6379, db=self.args.redis_db)
        queued = sum(broker.llen(queue) for queue in ("triage_urgent", "triage", "default"))
        self.facts["webhook work done"] = (
            f"{alerts} alerts created ({known} from known focal points, {flooded} flagged as "
            f"flooding), {acks} acknowledgements in TwiML, {queued} triage tasks on the broker "
            "(each for the alerts a process stored within TRIAGE_PUBLISH_WINDOW)"
        )

    def report(self) -> str:
        a = self.args
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"#### {now}", ""]
        lines += [f"- {k}: {v}" for k, v in self.facts.items()]
        lines += [
            f"- configuration: gunicorn -w {a.workers} (sync), DEBUG=false, "
            "DB_CONN_MAX_AGE=600, PostgreSQL on 127.0.0.1, Celery broker "
            f"{self.broker}, SMS_BACKEND=locmem, X-Forwarded-Proto: https; "
            f"{FOCAL_POINTS} focal points, {KNOWN_SHARE:.0%} of webhooks from them",
            f"- phases: max = closed loop, concurrency {a.concurrency}, {a.seconds} s, "
            f"{a.rounds} round(s) alternating ({'wrk' if self.use_wrk else 'Python client'}); "
            f"rate = open loop at {a.rate} req/s for {a.seconds} s (Python client, latency "
            "from the scheduled send time)",
            "",
            "| target | phase | round | req/s | p50 ms | p99 ms | max ms | errors "
            "| answered 200 | rows stored | stored once |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in self.results:
            phase = "max" if r.phase == "max" else f"{a.rate:g} req/s"
            check = "yes" if r.verified else f"NO: {r.note}"
            lines.append(
                f"| {r.target} | {phase} | {r.round} | {r.rps:.1f} | {r.p50_ms:.1f} | "
                f"{r.p99_ms:.1f} | {r.max_ms:.1f} | {r.errors} | {r.ok_count} | {r.stored} | "
                f"{check} |"
            )
        lines.append("")
        lines += self.verdict()
        return "\n".join(lines) + "\n"

    def verdict(self) -> list[str]:
        by = {(r.target, r.phase, r.round): r for r in self.results}
        rounds = range(1, self.args.rounds + 1)
        ratios = [by["webhook", "max", i].rps / by["baseline", "max", i].rps for i in rounds]
        web = sum(by["webhook", "max", i].rps for i in rounds) / len(rounds)
        base = sum(by["baseline", "max", i].rps for i in rounds) / len(rounds)
        ratio = web / base
        p99 = by["webhook", "rate", 1].p99_ms
        p99_base = by["baseline", "rate", 1].p99_ms
        ok_ratio, ok_p99 = ratio >= TARGET_RATIO, p99 < TARGET_P99_MS
        verified = all(r.verified for r in self.results)
        return [
            f"- throughput: webhook {web:.0f} req/s vs baseline {base:.0f} req/s, ratio "
            f"**{ratio:.2f}** (per round: {', '.join(f'{x:.2f}' for x in ratios)}); "
            f"target >= {TARGET_RATIO:.2f}: {'met' if ok_ratio else '**NOT met**'}",
            f"- latency at {self.args.rate:g} req/s: webhook p99 **{p99:.1f} ms** "
            f"(baseline {p99_base:.1f} ms); target < {TARGET_P99_MS:.0f} ms: "
            f"{'met' if ok_p99 else '**NOT met**'}",
            "- every answer 200 and every answered webhook stored exactly once: "
            + ("yes" if verified else "**NO** (see the table)"),
        ]


def record(report: str) -> None:
    """Put this run's figures in bench/README.md in place of the previous run's."""
    results_write(README, RESULTS_MARKER, report)


# --- Seeding (runs in a child process with the project's settings) -----------------------------
def seed_focal_points(n: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import transaction

    from networks.services import focal_point_create

    with transaction.atomic():
        for i in range(n):
            focal_point_create(
                name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i // 7 % len(LAST_NAMES)]}",
                phone=known_phone(i),
                language="sw" if i % 3 == 0 else "fr",
            )


# --- Entry point -------------------------------------------------------------------------------
def parse_args(argv):
    def env_int(name, default):
        return int(os.environ.get(name, default))

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, default=env_int("BENCH_SECONDS", 20))
    p.add_argument("--rate", type=float, default=float(os.environ.get("BENCH_RATE", 100)))
    p.add_argument("--concurrency", type=int, default=env_int("BENCH_CONCURRENCY", 16))
    p.add_argument("--rounds", type=int, default=env_int("BENCH_ROUNDS", 2))
    p.add_argument("--workers", type=int, default=env_int("BENCH_WORKERS", 2))
    p.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    p.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "kengele_bench"))
    p.add_argument("--redis-db", type=int, default=env_int("BENCH_REDIS_DB", 11))
    p.add_argument("--keep-db", action="store_true", help="leave the bench database behind")
    p.add_argument("--no-record", action="store_true", help="do not append to bench/README.md")
    args = p.parse_args(argv)
    if not (1 <= args.seconds <= 300 and 1 <= args.rounds <= 5 and 0 < args.rate <= 2000):
        p.error("keep --seconds in 1..300, --rounds in 1..5, --rate in (0, 2000]")
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["_seed"]:
        seed_focal_points(int(argv[1]))
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
    # a hard bound on the whole run, whatever hangs
    signal.alarm(300 + (2 * args.rounds + 2) * (args.seconds + 30))
    bench = Bench(args)
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
