"""Under gunicorn -w 2, with PROMETHEUS_MULTIPROC_DIR, every scrape adds up both workers'
webhook counters, whichever worker answers it."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 24


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def webhook_403s(base: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "kengele_webhook_responses_total" and sample.labels == {
                "webhook": "twilio-sms",
                "code": "403",
            }:
                return sample.value
    return 0.0


def post_unsigned(base: str) -> int:
    form = urllib.parse.urlencode({"MessageSid": "SM1", "From": "+1", "Body": "x"}).encode()
    request = urllib.request.Request(
        f"{base}/webhooks/twilio/sms/",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.slow
def test_every_scrape_counts_all_gunicorn_workers_webhooks(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists() and shutil.which("gunicorn") is None:
        pytest.skip("gunicorn is not installed")
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "KENGELE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
    }
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                webhook_403s(base)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.3)
        # Eight at a time, so that both workers answer some.
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(post_unsigned, [base] * REQUESTS))
        assert codes == [403] * REQUESTS
        # Several scrapes, answered by one worker or the other: always the sum of both.
        assert [webhook_403s(base) for _ in range(6)] == [REQUESTS] * 6
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
