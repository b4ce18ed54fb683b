"""Signed SMS webhooks one after another in one process, through intake's own database connection
against the pages' connection (with Django's health check), in the same run.

Run from the repository root with the project's interpreter (``make bench`` does):

    .venv/bin/python bench/intake_path.py [--requests 3000] [--rounds 3] [--no-record]

What it does, on 127.0.0.1 (PostgreSQL and Redis required):
1. creates a fresh PostgreSQL database and migrates it;
2. for each round, runs two fresh processes one after the other, one per setting of
   INTAKE_DATABASE (`default`: the pages' connection, health check before each request's first
   statement; `intake`: the connection of its own): each loads `config.wsgi` with production
   settings, sends 200 signed webhooks to warm up, then --requests more, each a new SMS alert
   from one of 2,000 unknown numbers, calling the WSGI application directly (no HTTP server,
   no load generator: the least noise this machine allows);
3. reports per SMS: time in all, the process's CPU, the CPU of PostgreSQL's backends for that
   database (from /proc), WAL written; and the ratio of the two settings' medians.

Every request carries a valid X-Twilio-Signature (twilio's RequestValidator) and must be
answered 200; every MessageSid must be stored once (exit status 1 otherwise).
"""

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
MARKER = "<!-- results: bench/intake_path.py writes below this line -->"
TOKEN = "bench-intake-auth-token"
PUBLIC = "https://127.0.0.1:8000"
PATH = "/webhooks/twilio/sms/"
TEXTS = [
    "Hommes armés à Mbau maintenant, on tire",
    "Watu wenye silaha wameingia Kamango",
    "Bjr, merci pour la réunion d'hier",
]
MODES = ("default", "intake")


def environment(args) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        DEBUG="false",
        SECRET_KEY="bench-" + "k" * 60,
        FIELD_ENCRYPTION_KEY="YmVuY2gtb25seS1rZW5nZWxlLWZpZWxkLWtleS0zMmI=",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER="+15005550006",
        ALLOWED_HOSTS="127.0.0.1",
        PUBLIC_BASE_URL=PUBLIC,
        DB_CONN_MAX_AGE="600",
        SMS_BACKEND="locmem",
        LOG_LEVEL="WARNING",
    )
    env.pop("INTAKE_DATABASE", None)
    env.pop("TRIAGE_PUBLISH_WINDOW", None)
    return env


def query(database: str, sql: str, params=()):
    """The first column of the first row `sql` gives, in autocommit on `database`."""
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0] if cursor.description else None
    finally:
        connection.close()


# --- The child: one setting, one process ------------------------------------------------------
def backends_cpu(database: str) -> float:
    """CPU seconds used so far by PostgreSQL's backends serving `database`."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def child(args) -> None:
    sys.path.insert(0, str(ROOT))
    from twilio.request_validator import RequestValidator

    from config.wsgi import application

    validator = RequestValidator(TOKEN)
    run = uuid.uuid4().int % 10**5

    def requests(n: int) -> list[tuple[bytes, str, str]]:
        made = []
        for i in range(n):
            sid = "SM" + uuid.uuid4().hex
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": "AC" + "0" * 32,
                "From": f"+2438{run:05d}{i % 2000:04d}",
                "To": "+15005550006",
                "Body": TEXTS[i % len(TEXTS)],
                "NumMedia": "0",
                "NumSegments": "1",
            }
            signature = validator.compute_signature(PUBLIC + PATH, params)
            made.append((urllib.parse.urlencode(params).encode(), signature, sid))
        return made

    def send(body: bytes, signature: str) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": PATH,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_TWILIO_SIGNATURE": signature,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
        }
        status = []
        answer = application(environ, lambda s, headers, exc_info=None: status.append(s))
        b"".join(answer)
        answer.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"answer {status[0]} for a signed webhook")

    for body, signature, _sid in requests(200):
        send(body, signature)
    timed = requests(args.requests)
    lsn = query(args.database, "SELECT pg_current_wal_lsn()")
    pg_before = backends_cpu(args.database)
    started, cpu = time.perf_counter(), time.process_time()
    for body, signature, _sid in timed:
        send(body, signature)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    pg = backends_cpu(args.database) - pg_before
    wal = float(query(args.database, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn]))
    from alerts.services.queueing import publish_flush

    publish_flush()
    n = args.requests
    sids = [sid for _body, _signature, sid in timed]
    stored = query(
        args.database, "SELECT count(*) FROM alerts_message WHERE provider_sid = ANY(%s)", [sids]
    )
    print(
        json.dumps(
            {
                "wall_ms": wall / n * 1e3,
                "cpu_ms": cpu / n * 1e3,
                "pg_cpu_ms": pg / n * 1e3,
                "wal_bytes": wal / n,
                "stored": stored,
                "sent": n,
            }
        )
    )


# --- The parent: the database, the rounds, the table ---------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 3000)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--database", default="kengele_bench_intake")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    env = environment(args)
    query("postgres", f"DROP DATABASE IF EXISTS {args.database}")
    query("postgres", f"CREATE DATABASE {args.database}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    failed = False
    for round_no in range(1, args.rounds + 1):
        for mode in MODES:
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, *sys.argv[1:]],
                cwd=ROOT,
                env=dict(env, INTAKE_DATABASE=mode),
                capture_output=True,
                text=True,
                timeout=1800,
            )
            if out.returncode:
                print(out.stdout + out.stderr, file=sys.stderr)
                return 1
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            failed |= figures["stored"] != figures["sent"]
            results[mode].append(figures)
            print(
                f"[bench] round {round_no} {mode:7}: {figures['wall_ms']:.3f} ms per SMS, "
                f"CPU {figures['cpu_ms']:.3f} ms, PostgreSQL {figures['pg_cpu_ms']:.3f} ms, "
                f"stored {figures['stored']}/{figures['sent']}",
                file=sys.stderr,
                flush=True,
            )
    query("postgres", f"DROP DATABASE IF EXISTS {args.database}")
    subprocess.run(["redis-cli", "-n", str(args.redis_db), "flushdb"], capture_output=True)

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    lines = [
        f"#### {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- {args.requests} SMS per process after 200 to warm up, {args.rounds} rounds, "
        "settings alternating; PostgreSQL and Redis on 127.0.0.1; CPUs (nproc): "
        f"{os.cpu_count()}",
        "",
        "| connection | round | ms per SMS | process CPU ms | PostgreSQL CPU ms | WAL bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for round_no in range(args.rounds):
        for mode in MODES:
            r = results[mode][round_no]
            lines.append(
                f"| {mode} | {round_no + 1} | {r['wall_ms']:.3f} | {r['cpu_ms']:.3f} | "
                f"{r['pg_cpu_ms']:.3f} | {r['wal_bytes']:.0f} |"
            )
    ratio = median("intake", "wall_ms") / median("default", "wall_ms")
    lines += [
        "",
        f"- time per SMS, medians: intake's own connection {median('intake', 'wall_ms'):.3f} ms, "
        f"the pages' connection {median('default', 'wall_ms'):.3f} ms: ratio **{ratio:.2f}**",
        f"- every answer 200 and every SMS stored once: {'no' if failed else 'yes'}",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        from results import results_write

        results_write(README, MARKER, report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
