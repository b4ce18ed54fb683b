import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.logs import ContextFilter, JsonFormatter, PlainFormatter, mask_numbers
from tests.twilio_support import post_signed, sms_params

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """Log records of every logger, through the production formatter and filter; returns a
    function giving the JSON objects written so far."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    saved = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.setLevel(saved)
    root.removeHandler(handler)


def test_a_log_line_is_one_json_object_with_time_level_logger_and_message(json_lines):
    logging.getLogger("kengele.test").warning("spool: imported %s request(s)", 3)
    (line,) = json_lines()
    assert line["level"] == "WARNING" and line["logger"] == "kengele.test"
    assert line["message"] == "spool: imported 3 request(s)"
    assert line["time"].startswith("20") and line["time"].endswith("+00:00")


def test_an_exception_is_one_field_of_the_same_line(json_lines):
    try:
        raise RuntimeError("broker said no")
    except RuntimeError:
        logging.getLogger("kengele.test").exception("could not queue SMS %s", 12)
    (line,) = json_lines()
    assert line["message"] == "could not queue SMS 12"
    assert "Traceback" in line["exception"] and "RuntimeError: broker said no" in line["exception"]


def test_phone_numbers_are_masked_in_message_and_exception(json_lines):
    try:
        raise ValueError("The 'To' number +243 991 234 567 is not a valid phone number")
    except ValueError:
        logging.getLogger("kengele.test").exception("send to %s failed", "+243991234567")
    (line,) = json_lines()
    assert "991234567" not in json.dumps(line) and "991 234 567" not in json.dumps(line)
    assert line["message"] == "send to +[number] failed"
    assert "+[number] is not a valid" in line["exception"]


def test_what_callers_pass_as_extra_is_left_out(json_lines):
    # Celery's task logs pass the task's arguments this way.
    logging.getLogger("kengele.test").error(
        "task failed", extra={"data": {"args": ["Hommes armés à Mbau"]}, "body": "secret"}
    )
    (line,) = json_lines()
    assert set(line) == {"time", "level", "logger", "message"}


def test_dates_times_and_short_ids_are_not_masked():
    text = "alert 12345 at 2026-11-25 14:55:02, triaged in 1.5 s"
    assert mask_numbers(text) == text
    assert mask_numbers("from 0991234567") == "from [number]"


def test_the_plain_format_masks_numbers_too():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "to %s", ("+243991234567",), None)
    assert PlainFormatter("%(message)s").format(record) == "to +[number]"


@pytest.mark.django_db
def test_lines_written_while_serving_a_request_carry_its_id_and_path(client, json_lines):
    params = sms_params("forged", sender="+243991234567")
    response = post_signed(
        client,
        "/webhooks/twilio/sms/",
        params,
        url="http://testserver/elsewhere/",
        HTTP_X_REQUEST_ID="proxy-req-42",
    )
    assert response.status_code == 403
    assert response["X-Request-ID"] == "proxy-req-42"
    (line,) = [line for line in json_lines() if line["logger"] == "alerts.webhooks"]
    assert line["request_id"] == "proxy-req-42"
    assert line["path"] == "/webhooks/twilio/sms/"
    assert "991234567" not in json.dumps(line)


@pytest.mark.django_db
def test_a_request_without_an_id_gets_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id; with spaces")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


def _stderr_of(code: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}
    environment.update(LOG_LEVEL="INFO", **env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_without_debug_the_process_logs_json_on_stderr():
    stderr = _stderr_of(
        "import django, logging; django.setup(); "
        "logging.getLogger('alerts.services').warning('spooled a text from %s', '+243991234567')",
        DEBUG="false",
    )
    (line,) = [json.loads(text) for text in stderr.splitlines()]
    assert line["logger"] == "alerts.services" and line["level"] == "WARNING"
    assert line["message"] == "spooled a text from +[number]"


def test_with_debug_the_process_logs_plain_text_unless_told_json():
    code = "import django, logging; django.setup(); logging.getLogger('x').warning('hello')"
    assert _stderr_of(code, DEBUG="true").rstrip().endswith("WARNING x hello")
    line = json.loads(_stderr_of(code, DEBUG="true", LOG_FORMAT="json"))
    assert line["message"] == "hello"


def test_celery_worker_and_beat_log_json_through_django_settings():
    # Celery's own logging set-up (app.log.setup, as a worker starts) sends `setup_logging`.
    stderr = _stderr_of(
        "from config.celery import app; import logging; app.log.setup(loglevel='INFO'); "
        "logging.getLogger('celery.app.trace').info('Task %s succeeded', 'triage.x'); "
        "logging.getLogger('kengele').debug('not at INFO')",
        DEBUG="false",
    )
    (line,) = [json.loads(text) for text in stderr.splitlines()]
    assert line == {**line, "logger": "celery.app.trace", "message": "Task triage.x succeeded"}
