"""A Redis database of the tests' own as Celery's broker, and the messages waiting on it."""

import os
from urllib.parse import urlsplit

import pytest
from kombu import Connection

# A database of its own on the broker's Redis (CI: CELERY_BROKER_URL), else on the local one.
_SUITE_BROKER = os.environ.get("CELERY_BROKER_URL", "")
REDIS_REQUIRED = _SUITE_BROKER.startswith("redis://")
_server = urlsplit(_SUITE_BROKER if REDIS_REQUIRED else "redis://127.0.0.1:6379/0")
REDIS_URL = f"redis://{_server.netloc}/14"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


# Where the suite runs on Redis (CI), Redis must be there: the test fails rather than skip.
needs_redis = pytest.mark.skipif(
    not REDIS_REQUIRED and not _redis_up(),
    reason="needs Redis on 127.0.0.1:6379 (required when CELERY_BROKER_URL is redis://)",
)


def queued(queue: str) -> list:
    """Every message waiting on `queue`, read back with kombu as a worker would."""
    messages = []
    with Connection(REDIS_URL) as connection:
        waiting = connection.SimpleQueue(queue, no_ack=True)
        while True:
            try:
                messages.append(waiting.get(timeout=0.5))
            except waiting.Empty:
                return messages
