"""For intake drills: the web server as production runs it (gunicorn, two workers) on a database
and a broker of the drill's choosing, and a stream of signed SMS posted to it as Twilio does."""

import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.realworker import ROOT
from tests.twilio_support import sign, sms_params

from .servers import free_port

SMS_PATH = "/webhooks/twilio/sms/"
TWILIO_PATIENCE = 15.0  # seconds Twilio waits for an answer


class WebServer:
    """`gunicorn config.wsgi:application -w 2` in a process group of its own."""

    def __init__(self, *, database_url: str, broker_url: str, spool: Path, log: Path):
        self.port = free_port()
        self.log_path = log
        self.env = dict(
            os.environ,
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            SPOOL_DIR=str(spool),
            DB_CONN_MAX_AGE="600",
            PUBLIC_BASE_URL=self.url,
            LOG_LEVEL="WARNING",
        )
        # Alerts' triage published in batches by each process's dispatcher, as in production
        # (the test process itself publishes each one in its request).
        self.env.pop("TRIAGE_PUBLISH_WINDOW", None)
        # New SMS alerts stored through intake's own connection, as in production.
        self.env.pop("INTAKE_DATABASE", None)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "WebServer":
        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2"]
        args += ["-b", f"127.0.0.1:{self.port}", "--timeout", "30", "--graceful-timeout", "5"]
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log_path, "w"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        end = time.time() + 30
        while time.time() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/webhooks/twilio/sms/")
                connection.getresponse().read()  # 405: it answers
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn not answering after 30 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(5)


@dataclass
class Answer:
    sid: str
    status: int | None  # None: no answer within Twilio's patience, or a socket error
    seconds: float
    error: str = ""


@dataclass
class SmsStream:
    """Signed SMS posted at `rate` per second, each from its own moment whatever happened to
    the others (Twilio does not wait for one answer to send the next text)."""

    server: WebServer
    rate: float = 10.0
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=int(self.rate * TWILIO_PATIENCE) + 4)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()

    def start(self) -> "SmsStream":
        self._thread.start()
        return self

    def finish(self) -> list[Answer]:
        """Stop sending, and wait for every answer (at most Twilio's patience)."""
        self._stop.set()
        self._thread.join(5)
        self._pool.shutdown(wait=True)
        return self.answers

    def _run(self) -> None:
        started, sent = time.monotonic(), 0
        while not self._stop.is_set():
            due = started + sent / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._pool.submit(self._post, f"Hommes armés vus à Mbau, message {sent}")
            sent += 1

    def _post(self, body: str) -> None:
        params = sms_params(body, sender=f"+24397{uuid.uuid4().int % 10**7:07d}")
        data = urllib.parse.urlencode(params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(self.server.url + SMS_PATH, params),
        }
        started = time.monotonic()
        status, error = None, ""
        try:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.server.port, timeout=TWILIO_PATIENCE
            )
            connection.request("POST", SMS_PATH, data, headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            connection.close()
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"
        answer = Answer(params["MessageSid"], status, time.monotonic() - started, error)
        with self._lock:
            self.answers.append(answer)
