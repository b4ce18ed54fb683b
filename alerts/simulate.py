"""Send a fake inbound SMS through the real, signed webhook path (demo without Twilio)."""

import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

LOCAL_HOST = "127.0.0.1"


@dataclass
class SimulatedReply:
    status: int
    body: str
    message_sid: str


def _params(sender: str, text: str, to: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
        "From": sender,
        "To": to or settings.TWILIO_FROM_NUMBER or "+15005550006",
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def _signature(url: str, params: dict[str, str]) -> dict[str, str]:
    if not settings.TWILIO_AUTH_TOKEN:
        return {}  # DEBUG without a token: the webhook accepts unsigned requests
    return {
        "X-Twilio-Signature": RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
            url, params
        )
    }


def simulate_sms(*, sender: str, text: str, to: str = "", base_url: str = "") -> SimulatedReply:
    """Post a signed SMS webhook, in-process (default) or to a running server at base_url."""
    path = reverse("twilio-sms")
    params = _params(sender, text, to)
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the server URL must start with http:// or https://")
        url = base_url.rstrip("/") + path
        signed_as = (settings.PUBLIC_BASE_URL + path) if settings.PUBLIC_BASE_URL else url
        request = urllib.request.Request(  # noqa: S310 (http(s) checked above)
            url,
            data=urllib.parse.urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **_signature(signed_as, params),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own URL)
                return SimulatedReply(
                    response.status, response.read().decode(), params["MessageSid"]
                )
        except urllib.error.HTTPError as exc:
            return SimulatedReply(exc.code, exc.read().decode(), params["MessageSid"])
    url = (
        (settings.PUBLIC_BASE_URL + path)
        if settings.PUBLIC_BASE_URL
        else f"http://{LOCAL_HOST}{path}"
    )
    secure = url.startswith("https")
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in _signature(url, params).items()}
    if secure:
        headers["HTTP_X_FORWARDED_PROTO"] = "https"
    host = urllib.parse.urlsplit(url).netloc
    client = Client(SERVER_NAME=host.split(":")[0], HTTP_HOST=host)
    response = client.post(
        path,
        urllib.parse.urlencode(params),
        content_type="application/x-www-form-urlencoded",
        secure=secure,
        **headers,
    )
    return SimulatedReply(response.status_code, response.content.decode(), params["MessageSid"])
