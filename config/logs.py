"""Logs: one JSON object per line in production (LOG_FORMAT), with the request or task a line
belongs to, and never a phone number.

Log calls name ids, never texts or numbers; as a safety net every formatter here masks runs of
more than six digits (a phone number, written with or without spaces) in the message, the
exception and the stack. Masking is done while formatting, not by a filter that rewrites the
record, so other handlers (tests' capture, an error tracker) see the record as it was made.
"""

import logging
import logging.config
import re
import uuid
from contextvars import ContextVar

from celery import current_task
from django.conf import settings
from django.http import HttpRequest
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from core.redact import mask_numbers

_request: ContextVar[tuple[str, str] | None] = ContextVar("kengele_log_request", default=None)
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID when it sends a sane one), put it and
    the path on every log line written while the request is served, and send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = _request.set((request_id, request.path))
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response


class ContextFilter(logging.Filter):
    """Adds request_id and path (in a request) or task and task_id (in a Celery task). It only
    adds attributes; it never rejects a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        if request is not None:
            record.request_id, record.path = request
        task = current_task
        if task and task.request.id:
            record.task = task.name
            record.task_id = task.request.id
        return True


class PlainFormatter(logging.Formatter):
    """Text lines (development), numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: time, level, logger, message, and when they exist exception,
    stack, request_id, path, task, task_id. Nothing else: fields that callers pass with
    `extra=` (Celery passes a task's arguments that way) are left out."""

    FIELDS = ("time", "level", "logger", "message", "exception", "stack")
    CONTEXT = ("request_id", "path", "task", "task_id")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault(
            "rename_fields",
            {
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
                "stack_info": "stack",
            },
        )
        super().__init__("{levelname}{name}{message}", *args, style="{", **kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        # Of a dict logged as the message, only the exception and stack formatted from it.
        traces = {k: message_dict[k] for k in ("exc_info", "stack_info") if k in message_dict}
        super().add_fields(log_data, record, traces)
        for field in self.CONTEXT:
            value = getattr(record, field, None)
            if value is not None:
                log_data[field] = value

    def process_log_record(self, log_data):
        kept = {key: log_data[key] for key in (*self.FIELDS, *self.CONTEXT) if key in log_data}
        for key in ("message", "exception", "stack", "path"):
            if isinstance(kept.get(key), str):
                kept[key] = mask_numbers(kept[key])
        return kept


def celery_setup_logging(*, loglevel=None, **kwargs) -> None:
    """Receiver of Celery's `setup_logging` signal: with it connected Celery leaves logging
    alone, so worker and beat log through Django's LOGGING (JSON in production) like the web,
    at the level given with `-l` as Celery would."""
    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
