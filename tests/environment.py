"""Loaded by pytest before Django (``-p tests.environment``): test defaults for the environment.

Tests run with production-like settings (DEBUG off, signatures required) and the embedded
defaults unless DATABASE_URL / CELERY_BROKER_URL point at PostgreSQL / Redis (as CI does).
"""

import os
from pathlib import Path

TEST_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "FIELD_ENCRYPTION_KEY": "dGVzdC1vbmx5LWtlbmdlbGUtZmllbGQta2V5LTMyYnk=",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "test-twilio-auth-token",
    "TWILIO_FROM_NUMBER": "+15005550006",
    "SMS_BACKEND": "locmem",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "LOG_LEVEL": "WARNING",
    # Each alert's triage published in the request that stored it, as a test expects to find
    # it; the batches of a web process have tests of their own (test_triage_batches.py).
    "TRIAGE_PUBLISH_WINDOW": "0",
    # A new SMS alert stored through the test's own connection (and its transaction) rather
    # than intake's second one; that one has tests of its own (test_intake_connection.py).
    "INTAKE_DATABASE": "default",
    "STATIC_MANIFEST": "false",  # plain static names: no collectstatic before the tests
    # Own broker folder, spool and SQLite file: tests never touch a running `make run`.
    "KENGELE_VAR_DIR": str(Path(__file__).resolve().parent.parent / "var" / "test"),
}
for key, value in TEST_ENV.items():
    os.environ.setdefault(key, value)
