"""What the README tells a newcomer works on a fresh clone: `make run PORT=…` changes the
port, and the documented `simulate_sms` command line posts to a running server without a
SECRET_KEY error."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.models import Alert
from config.devstack import listen_address

ROOT = Path(__file__).resolve().parent.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def make_dry_run(*args: str) -> str:
    done = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_the_dev_server_listens_on_port():
    assert listen_address({}) == "127.0.0.1:8000"
    assert listen_address({"PORT": "8001"}) == "127.0.0.1:8001"
    assert listen_address({"PORT": "8001", "KENGELE_ADDR": "0.0.0.0:9000"}) == "0.0.0.0:9000"


def test_make_run_takes_a_port():
    assert "http://127.0.0.1:8001/dashboard/" in make_dry_run("run", "PORT=8001")
    assert "http://127.0.0.1:8000/dashboard/" in make_dry_run("run")
    assert "make run PORT=8001" in README


def test_make_sms_sends_to_the_same_port():
    line = make_dry_run("sms", "PORT=8001", "TEXT=Hommes armés")
    assert '--url "http://127.0.0.1:8001"' in line and "simulate_sms" in line


def readme_simulate_command() -> list[str]:
    found = re.search(r"`(DEBUG=true \.venv/bin/python manage\.py simulate_sms [^`]+)`", README)
    assert found, "the README shows the simulate_sms command line"
    return shlex.split(found.group(1))


@pytest.mark.django_db(transaction=True)
def test_the_readme_simulate_sms_command_reaches_a_running_server(live_server):
    words = readme_simulate_command()
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    while "=" in words[0]:  # the VAR=value prefix, as a shell reads it
        key, value = words.pop(0).split("=", 1)
        environ[key] = value
    words[0] = sys.executable if words[0].endswith("python") else words[0]
    words[words.index("--url") + 1] = live_server.url
    done = subprocess.run(words, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert "SECRET_KEY" not in done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("200 SM")
    assert Alert.objects.filter(text="Hommes armés à Mbau", source="sms").exists()
