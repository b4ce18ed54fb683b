"""Twilio: webhook signature checks, request parsing, TwiML, and the REST SMS backend."""

import logging
import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.http import HttpRequest
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator, add_port, compare, remove_port
from twilio.rest import Client

from ..constants import MAX_RECORDING_SECONDS, MAX_SEGMENTS
from .base import (
    DeliveryStatus,
    InboundCall,
    InboundSMS,
    MalformedInbound,
    PermanentSendError,
    ProviderError,
    SendResult,
    TransientProviderError,
    TransientSendError,
)

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
# Twilio error codes that no retry will fix (invalid or unreachable number, unsubscribed).
PERMANENT_ERRORS = {"21211", "21212", "21408", "21601", "21606", "21610", "21612", "21614"}


# --- Webhooks -------------------------------------------------------------------------------
def signed_url(request: HttpRequest) -> str:
    """The URL Twilio signed: the public origin (behind a proxy) or the request's own URL."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + request.get_full_path()
    return request.build_absolute_uri()


class _SignedForm(dict):
    """The POST parameters, one value per name, as RequestValidator reads them: it asks for
    `getall` first (Flask's MultiDict), then `getlist`, then indexes, so answering the first
    spares it two failed lookups per parameter."""

    def getall(self, name: str) -> list[str]:
        return [self[name]]


@lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def signature_matches(validator: RequestValidator, url: str, params: dict, signature: str) -> bool:
    """RequestValidator.validate's answer for a form post: the signature of the URL either
    without or with its default port (Twilio signs one or the other). validate computes both
    every time; this computes the form the URL was given in first and the other one only when
    that does not match."""
    return any(
        compare(validator.compute_signature(form, params), signature) for form in _url_forms(url)
    )


@lru_cache(maxsize=64)
def _url_forms(url: str) -> tuple[str, str]:
    """The URL without and with its default port, the form it came in first: a webhook's URL
    is one of a handful, so each is worked out once."""
    parsed = urlparse(url)
    forms = (remove_port(parsed), add_port(parsed))
    return (forms[1], forms[0]) if forms[1] == url else forms


def signature_valid(request: HttpRequest) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        # Only reachable with DEBUG on: production refuses to start without a token.
        log.warning("twilio: no TWILIO_AUTH_TOKEN, accepting an unsigned webhook (DEBUG only)")
        return settings.DEBUG
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not signature:
        return False
    params = _SignedForm(request.POST.items())  # the last value of each name, as .get gives
    return signature_matches(_validator(token), signed_url(request), params, signature)


def _form(request: HttpRequest) -> dict[str, str]:
    # PostgreSQL text cannot hold NUL characters: drop them rather than fail the alert.
    form = request.POST.items()  # the last value of each name, as .get gives
    return {key.replace("\x00", ""): value.replace("\x00", "") for key, value in form}


def parse_sms(request: HttpRequest) -> InboundSMS:
    form = _form(request)
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From", "").strip()
    if not sid:
        raise MalformedInbound("MessageSid is missing")
    if not sender:
        raise MalformedInbound("From is missing")
    try:
        media_count = min(int(form.get("NumMedia") or 0), 10)
        segments = min(max(1, int(form.get("NumSegments") or 1)), MAX_SEGMENTS)
    except ValueError as exc:
        raise MalformedInbound("NumMedia/NumSegments are not numbers") from exc
    media = tuple(form[f"MediaUrl{i}"] for i in range(media_count) if form.get(f"MediaUrl{i}"))
    return InboundSMS(
        provider_sid=sid[:64],
        sender=sender[:40],
        recipient=form.get("To", "")[:40],
        body=form.get("Body", ""),
        segments=segments,
        media_urls=media,
        raw=form,
    )


def parse_status(request: HttpRequest) -> DeliveryStatus:
    form = _form(request)
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if not sid or not status:
        raise MalformedInbound("MessageSid and MessageStatus are required")
    return DeliveryStatus(provider_sid=sid, status=status, error_code=form.get("ErrorCode", ""))


def _seconds(value: str) -> int | None:
    """A recording's length, or None (unknown) when it is missing, not a whole number (isdigit()
    alone lets "²" through) or longer than any recording."""
    try:
        seconds = int(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_RECORDING_SECONDS else None


def parse_call(request: HttpRequest) -> InboundCall:
    form = _form(request)
    sid = form.get("CallSid", "")
    caller = form.get("From", "").strip()
    if not sid:
        raise MalformedInbound("CallSid is missing")
    if not caller:
        raise MalformedInbound("From is missing")
    return InboundCall(
        call_sid=sid[:64],
        caller=caller[:40],
        recipient=form.get("To", "")[:40],
        status=form.get("CallStatus", ""),
        digits=form.get("Digits", "")[:4],
        recording_url=form.get("RecordingUrl", "")[:500],
        recording_duration=_seconds(form.get("RecordingDuration", "")),
        raw=form,
    )


# --- REST -----------------------------------------------------------------------------------
class _BaseUrlHttpClient(TwilioHttpClient):
    """Sends every REST call to TWILIO_API_BASE_URL (a local stand-in in tests)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


@lru_cache(maxsize=4)
def rest_client(account_sid: str, auth_token: str, base_url: str) -> Client:
    return Client(account_sid, auth_token, http_client=_BaseUrlHttpClient(base_url, timeout=15))


RECORDING_MAX_BYTES = 20 * 1024 * 1024  # about twenty minutes of MP3
# A recording's address: .../Accounts/{account}/Recordings/{recording}[.mp3|.wav|.json]
RECORDING_PATH = re.compile(r"/Accounts/(AC[0-9A-Za-z]+)/Recordings/(RE[0-9A-Za-z]+)")


class RecordingUnavailable(Exception):
    def __init__(self, message: str, *, transient: bool = False, gone: bool = False):
        super().__init__(message)
        self.transient = transient  # the provider may well serve it on a later try
        self.gone = gone  # the provider has no such recording (any more)


def recording_fetch(url: str) -> tuple[bytes, str]:
    """The MP3 of a call recording, fetched with the account's credentials (Twilio protects
    recordings). Only Twilio's own recording URLs are fetched, never an arbitrary address."""
    if not url.startswith(TWILIO_API + "/") or "/Recordings/" not in url:
        raise RecordingUnavailable("not a Twilio recording URL")
    target = settings.TWILIO_API_BASE_URL.rstrip("/") + url[len(TWILIO_API) :]
    if not target.endswith((".mp3", ".wav")):
        target += ".mp3"
    try:
        response = requests.get(
            target,
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            timeout=15,
            stream=True,
        )
        with response:
            if response.status_code != 200:
                raise RecordingUnavailable(
                    f"Twilio answered {response.status_code}",
                    transient=response.status_code >= 500 or response.status_code == 429,
                    gone=response.status_code == 404,
                )
            body = response.raw.read(RECORDING_MAX_BYTES + 1, decode_content=True)
    except (RequestException, OSError) as exc:
        raise RecordingUnavailable(str(exc)[:200], transient=True) from exc
    if len(body) > RECORDING_MAX_BYTES:
        raise RecordingUnavailable("recording too large")
    return body, response.headers.get("Content-Type", "audio/mpeg")


def _deleted(delete: Callable[[], object]) -> bool:
    """Run one REST DELETE: True when deleted, False when Twilio had nothing there (404: an
    earlier try already deleted it)."""
    try:
        delete()
    except TwilioRestException as exc:
        if exc.status == 404:
            return False
        reason = f"Twilio answered {exc.status} (error {exc.code or '-'})"
        if exc.status >= 500 or exc.status == 429:
            raise TransientProviderError(reason) from exc
        raise ProviderError(reason) from exc
    except (RequestException, TwilioException, OSError) as exc:
        raise TransientProviderError(str(exc)[:200]) from exc
    return True


def _client() -> Client:
    return rest_client(
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_API_BASE_URL
    )


class TwilioBackend:
    def delete_message(self, *, provider_sid: str) -> bool:
        """DELETE the Message resource: its text and both numbers go from the account."""
        return _deleted(_client().messages(provider_sid).delete)

    def delete_recording(self, *, url: str) -> bool:
        """DELETE the Recording resource the URL names (in the account that made it)."""
        match = RECORDING_PATH.search(url)
        if match is None:
            raise ProviderError("not a Twilio recording URL")
        account, recording = match.groups()
        return _deleted(_client().api.v2010.accounts(account).recordings(recording).delete)

    def send(self, *, to: str, body: str, status_callback: str = "") -> SendResult:
        client = _client()
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = client.messages.create(to=to, body=body, **sender, **extra)
        except TwilioRestException as exc:
            code = str(exc.code or "")
            if exc.status >= 500 or exc.status == 429:
                raise TransientSendError(exc.msg, code=code, http_status=exc.status) from exc
            raise PermanentSendError(exc.msg, code=code, http_status=exc.status) from exc
        except (RequestException, TwilioException, OSError) as exc:
            raise TransientSendError(str(exc)[:300]) from exc
        segments = int(message.num_segments) if str(message.num_segments or "").isdigit() else None
        return SendResult(
            provider_sid=message.sid, status=message.status or "queued", segments=segments
        )
