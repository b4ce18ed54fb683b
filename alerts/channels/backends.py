"""SMS backends chosen by SMS_BACKEND: console (development), locmem (tests), twilio."""

import logging
import uuid
from typing import Protocol

from django.conf import settings

from .base import SendResult

log = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult: ...


class ConsoleBackend:
    """Development: log the SMS instead of sending it (the number is masked even here)."""

    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult:
        log.info("sms (console backend) to %s•••: %s", to[:6], body)
        return SendResult(provider_sid="CONSOLE" + uuid.uuid4().hex, status="sent")


class LocmemBackend:
    """Tests: keep sent SMS in memory, like Django's locmem email backend."""

    outbox: list[dict[str, str]] = []

    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult:
        sid = "LOCMEM" + uuid.uuid4().hex
        self.outbox.append({"to": to, "body": body, "status_callback": status_callback, "sid": sid})
        return SendResult(provider_sid=sid, status="queued")


def get_backend() -> SMSBackend:
    name = settings.SMS_BACKEND
    if name == "twilio":
        from .twilio import TwilioBackend

        return TwilioBackend()
    if name == "locmem":
        return LocmemBackend()
    if name == "console":
        return ConsoleBackend()
    raise ValueError(f"Unknown SMS_BACKEND {name!r} (use console, locmem or twilio)")
