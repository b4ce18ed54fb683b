"""What every channel hands to the alerts services, and what every SMS backend returns."""

import datetime as dt
from dataclasses import dataclass, field


class MalformedInbound(ValueError):
    """The provider's request lacks what we need (e.g. no message id or sender)."""


@dataclass(frozen=True)
class InboundSMS:
    provider_sid: str
    sender: str
    recipient: str
    body: str
    segments: int = 1
    media_urls: tuple[str, ...] = ()
    raw: dict[str, str] = field(default_factory=dict)
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class InboundCall:
    call_sid: str
    caller: str
    recipient: str
    status: str = ""
    digits: str = ""
    recording_url: str = ""
    recording_duration: int | None = None
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryStatus:
    """A provider's delivery callback for an SMS we sent."""

    provider_sid: str
    status: str
    error_code: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str
    segments: int | None = None


class SendError(Exception):
    def __init__(self, message: str, *, code: str = "", http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class TransientSendError(SendError):
    """Network trouble or a provider 5xx/429: try again later."""


class PermanentSendError(SendError):
    """The provider refused for good (invalid number, unsubscribed, landline): never retry."""


class ProviderError(Exception):
    """The provider refused a request about a copy it keeps (other than "not found")."""


class TransientProviderError(ProviderError):
    """Network trouble or a provider 5xx/429 while deleting or fetching a copy: try again."""
