"""The request being served, for code that has none at hand (signal handlers, the audit trail),
and the caller's address as the proxies in front of us report it."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("kengele_request", default=None)


def current_request() -> HttpRequest | None:
    """The request being served, for code that has none at hand (signal handlers)."""
    return _current_request.get()


class RequestContextMiddleware:
    """Keep the request reachable while it is served, so the audit trail can name who changed a
    user's groups from a signal handler, where Django passes no request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address. Behind TRUSTED_PROXY_COUNT proxies it is the entry they appended
    to X-Forwarded-For (counting from the right, so a client cannot forge it); otherwise
    REMOTE_ADDR. None when neither holds an IP address."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None
