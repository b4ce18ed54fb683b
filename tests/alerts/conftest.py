"""Fixtures shared by the intake tests."""

import pytest

from tests.outages import broker_at

from .broker_support import REDIS_URL


@pytest.fixture
def redis_broker():
    """Celery publishes to an emptied Redis database of the tests' own for the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    with broker_at(REDIS_URL):
        yield client
    client.flushdb()
