"""Security plumbing shared by the apps: who is calling (the client's address behind the proxy)
and the page a locked-out login gets."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render


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


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page django-axes answers with while a username is locked out from an address."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no HTTP request: a login without one
    (a shell, a management command, the test client's `login()`) has no address to lock out,
    and axes would otherwise refuse it outright. Every web login passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
