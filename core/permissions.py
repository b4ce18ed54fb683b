"""The capability checks of core.roles, for Django views and DRF: a view names what it needs."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import can


def capability_required(capability: str = "use", *, htmx_login_next: str | None = None):
    """Logged in and holding `capability`, else 403. A visitor goes to the login page; an htmx
    request whose session ended sends the browser there (to `htmx_login_next` afterwards, a
    URL name or path) instead of swapping a login form into part of the page."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    after = resolve_url(htmx_login_next) if htmx_login_next else request.path
                    response["HX-Redirect"] = f"{resolve_url('login')}?next={after}"
                    return response
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def require(user, capability: str) -> None:
    """403 unless `user` holds `capability` (inside a view that serves several)."""
    if not can(user, capability):
        raise PermissionDenied


class CapabilityPermission(BasePermission):
    """Reads: the view's `read_capability` (default "use": every role). Writes:
    `write_capabilities[action]` (keyed by the view action), defaulting to nobody."""

    def has_permission(self, request, view) -> bool:
        action = getattr(view, "action", None)
        writes = getattr(view, "write_capabilities", {})
        if request.method in SAFE_METHODS and action not in writes:
            return can(request.user, getattr(view, "read_capability", "use"))
        capability = writes.get(action)
        return capability is not None and can(request.user, capability)


class SignedInUnlessDebug(BasePermission):
    """The API's schema and docs: open under DEBUG, for signed-in users otherwise (they name
    every endpoint and filter, a map for whoever probes the API)."""

    def has_permission(self, request, view) -> bool:
        return settings.DEBUG or bool(request.user and request.user.is_authenticated)


def login_required_unless_debug(view):
    """A page that anyone may open under DEBUG and only signed-in users otherwise (the API's
    browsable docs): a visitor goes to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not settings.DEBUG and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
