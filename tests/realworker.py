"""A real Celery worker process for end-to-end tests: same test database, same broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database the tests are using right now (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(
        self,
        *,
        concurrency: int = 1,
        env: dict | None = None,
        log: Path | None = None,
        app: str = "config",
        queues: str | None = None,
    ):
        self.app = app
        self.queues = queues  # as -Q takes them; None: every declared queue
        self.env = dict(os.environ, DATABASE_URL=database_url(), **(env or {}))
        self.log_path = log or Path(settings.VAR_DIR) / "worker.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, *, purge: bool = False) -> "Worker":
        args = [sys.executable, "-m", "celery", "-A", self.app, "worker", "-l", "info"]
        args += ["--concurrency", str(self.concurrency), "--without-gossip", "--without-mingle"]
        if self.queues:
            args += ["-Q", self.queues, "--hostname", f"{self.queues.split(',')[0]}@%h"]
        if purge:
            args.append("--purge")  # drop messages left by earlier tests
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log_path, "w"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60) -> None:
        end = time.time() + timeout
        while time.time() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as the OOM killer or a power cut would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, timeout: float = 30, every: float = 0.2):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()
