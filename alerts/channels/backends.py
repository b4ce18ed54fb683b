"""SMS backends chosen by SMS_BACKEND: console (development), locmem (tests), twilio."""

import logging
import uuid
from typing import Protocol

from django.conf import settings

from .base import SendResult

log = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult: ...

    # The provider's copies: True when deleted now, False when it had none (already gone).
    # Raise TransientProviderError to be tried again, ProviderError when refused.
    def delete_message(self, *, provider_sid: str) -> bool: ...

    def delete_recording(self, *, url: str) -> bool: ...


class ConsoleBackend:
    """Development: log the SMS instead of sending it (the number is masked even here)."""

    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult:
        log.info("sms (console backend) to %s•••: %s", to[:6], body)
        return SendResult(provider_sid="CONSOLE" + uuid.uuid4().hex, status="sent")

    def delete_message(self, *, provider_sid: str) -> bool:
        log.info("provider copy of message %s (console backend): nothing to delete", provider_sid)
        return False

    def delete_recording(self, *, url: str) -> bool:
        log.info("provider copy of a recording (console backend): nothing to delete")
        return False


class LocmemBackend:
    """Tests: keep sent SMS (and deleted provider copies) in memory, like Django's locmem
    email backend."""

    outbox: list[dict[str, str]] = []
    deleted: list[str] = []  # message SIDs and recording URLs

    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult:
        sid = "LOCMEM" + uuid.uuid4().hex
        self.outbox.append({"to": to, "body": body, "status_callback": status_callback, "sid": sid})
        return SendResult(provider_sid=sid, status="queued")

    def delete_message(self, *, provider_sid: str) -> bool:
        gone = provider_sid in self.deleted
        self.deleted.append(provider_sid)
        return not gone

    def delete_recording(self, *, url: str) -> bool:
        gone = url in self.deleted
        self.deleted.append(url)
        return not gone


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
