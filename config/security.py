"""Security plumbing shared by the apps: who is calling (the client's address behind the proxy)
and the page a locked-out login gets."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone

# Set on a request refused because its username failed too often from every address together.
_USERNAME_LOCK = "kengele_username_locked"


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page django-axes answers with while a username is locked out (from one address, or
    from everywhere after failures from many)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    everywhere = getattr(request, _USERNAME_LOCK, False)
    context = {
        "failure_limit": (
            settings.LOGIN_USERNAME_FAILURE_LIMIT if everywhere else settings.AXES_FAILURE_LIMIT
        ),
        "everywhere": everywhere,
        "minutes": minutes,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' own lock (AXES_FAILURE_LIMIT failures of one username from one address),
    and a second one that an attacker cannot dodge by changing address: a username that failed
    LOGIN_USERNAME_FAILURE_LIMIT times within the lockout period, from all addresses together,
    is locked out everywhere for that period."""

    def username_failures(self, request: HttpRequest, credentials: dict | None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def username_locked(self, request: HttpRequest, credentials: dict | None) -> bool:
        locked = self.username_failures(request, credentials) >= (
            settings.LOGIN_USERNAME_FAILURE_LIMIT
        )
        if locked:
            setattr(request, _USERNAME_LOCK, True)
        return locked

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.username_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.username_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no HTTP request: a login without one
    (a shell, a management command, the test client's `login()`) has no address to lock out,
    and axes would otherwise refuse it outright. Every web login passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
