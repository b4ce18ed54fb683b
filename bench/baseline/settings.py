"""The project's own settings (same middleware, database, security), with the bench URLconf."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline.urls"
