"""Security plumbing shared by the apps: who is calling (the client's address behind the proxy)
and the page a locked-out login gets."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render


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
