"""docker-compose.yml is valid Compose and describes the whole production stack.

Checked with Debian's docker-compose (1.29), which validates a file without a Docker engine.
"""

import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER_COMPOSE = Path("/usr/bin/docker-compose")
REQUIRED_SECRETS = ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "FIELD_ENCRYPTION_KEY")

pytestmark = pytest.mark.skipif(
    not DOCKER_COMPOSE.exists(), reason="docker-compose is not installed at /usr/bin/docker-compose"
)


def compose_config(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in REQUIRED_SECRETS}
    environ.update(env)
    return subprocess.run(
        [str(DOCKER_COMPOSE), "config"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose_config(**dict.fromkeys(REQUIRED_SECRETS, "x"))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


WORKERS = {
    "worker-triage": ["triage_urgent", "triage"],
    "worker-outbound": ["outbound"],
    "worker-broadcast": ["broadcast"],
    "worker-default": ["default"],
}
APP_SERVICES = ("web", *WORKERS, "beat")


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def consumed_queues(command: str) -> list[str]:
    words = command.split()
    return words[words.index("-Q") + 1].split(",")


def test_it_describes_web_a_worker_per_queue_beat_postgres_and_redis(config):
    services = config["services"]
    assert {"web", *WORKERS, "beat", "postgres", "redis"} <= set(services)
    assert "worker" not in services
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert services["beat"]["command"] == "celery -A config beat -l info"
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_every_declared_queue_has_its_own_worker_urgent_triage_first(config, settings):
    services = config["services"]
    for name, queues in WORKERS.items():
        command = command_of(services[name])
        assert "celery -A config worker" in command, name
        assert consumed_queues(command) == queues, name
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert {q for queues in WORKERS.values() for q in queues} == declared


def test_every_worker_restarts_and_answers_its_own_health_check(config):
    services = config["services"]
    for name in WORKERS:
        service = services[name]
        assert service["restart"] == "unless-stopped", name
        node = command_of(service).split("--hostname ")[1].split("@")[0]
        ping = " ".join(service["healthcheck"]["test"])
        assert f"inspect ping --destination {node}@$" in ping, name


def test_it_builds_the_app_services_from_the_dockerfile(config):
    for name in APP_SERVICES:
        assert "build" in config["services"][name], name


def test_it_runs_migrations_before_the_app_starts(config):
    services = config["services"]
    assert "migrate --noinput" in services["migrate"]["command"]
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"


def test_it_has_health_checks(config):
    services = config["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_it_keeps_data_in_named_volumes(config):
    assert {"postgres-data", "kengele-var"} <= set(config["volumes"])
    services = config["services"]
    assert "postgres-data:/var/lib/postgresql/data:rw" in services["postgres"]["volumes"]
    for name in ("web", *WORKERS):
        assert "kengele-var:/var/lib/kengele:rw" in services[name]["volumes"]
        assert services[name]["environment"]["KENGELE_VAR_DIR"] == "/var/lib/kengele"


def test_it_runs_in_production_mode_on_postgres_and_redis(config):
    env = config["services"]["web"]["environment"]
    assert env["DEBUG"] == "false"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["DATABASE_URL"].endswith("@postgres:5432/kengele")
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"


@pytest.mark.parametrize("missing", REQUIRED_SECRETS)
def test_it_refuses_to_start_without_a_required_secret(missing):
    present = {name: "x" for name in REQUIRED_SECRETS if name != missing}
    result = compose_config(**present)
    assert result.returncode != 0
    assert missing in result.stderr
