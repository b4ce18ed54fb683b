"""Project middleware: the request behind a state change, and the headers Django does not set."""

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


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the browser features no page of ours uses are switched off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
