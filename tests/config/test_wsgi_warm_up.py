"""A web process is ready for its first SMS before it takes a request: the URL configuration,
the urgent check's lexicon and the broker's transport are loaded when config.wsgi is, without
reaching the database or the broker (a process must start while they are down)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, time
started = time.monotonic()
import config.wsgi
from triage.engine.lexicon import default_lexicon
print(json.dumps({
    "seconds": time.monotonic() - started,
    "urls": "config.urls" in sys.modules,
    "transport": "kombu.transport.redis" in sys.modules,
    "lexicon": default_lexicon.cache_info().currsize == 1,
}))
"""


def test_the_wsgi_module_warms_intake_up_with_database_and_broker_unreachable():
    env = dict(
        os.environ,
        # Nothing listens on port 1: a connection attempt would fail or wait.
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["urls"] and found["transport"] and found["lexicon"], found
    assert "warm-up failed" not in done.stderr
    assert time.monotonic() - started < 30
