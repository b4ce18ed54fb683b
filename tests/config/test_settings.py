"""Production settings pass Django's deployment checklist and refuse to start without secrets.

Each case runs manage.py in a fresh process: settings are read once, at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).resolve().parents[2]


def production_env() -> dict[str, str]:
    env = dict(os.environ)  # DATABASE_URL / CELERY_BROKER_URL as the suite runs with
    env.pop("SECURE_SSL_REDIRECT", None)  # the test default turns it off; production keeps it on
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="alerts.example.org",
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        TWILIO_AUTH_TOKEN="x",
        PUBLIC_BASE_URL="https://alerts.example.org",
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checklist_without_warnings():
    result = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variable", ["TWILIO_AUTH_TOKEN", "SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_it_refuses_to_start_in_production_without(variable):
    env = production_env()
    del env[variable]
    result = manage(env, "check")
    assert result.returncode != 0
    assert variable in result.stderr


def test_in_production_no_proxy_is_trusted_unless_said():
    env = production_env()
    env.pop("TRUSTED_PROXY_COUNT", None)
    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
    env["TRUSTED_PROXY_COUNT"] = "1"
    assert manage(env, "shell", "--no-imports", "-c", code).stdout.strip() == "1"
