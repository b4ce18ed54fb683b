"""The queue's "triage stopped" banner: system state, so every untriaged alert counts whoever
looks (they have no place yet, hence no area). One read of the `alert_untriaged` index per page
or poll; when alerts are waiting it also gives the watchdog its chance to run from the web
process (at most once per 30 s), which matters when no worker runs at all."""

from django.http import HttpRequest

from config.permissions import ADMIN, ANALYST, SUPERVISOR, has_role

from .services import stale_backlog, triage_watchdog_poke

BANNER_ROLES = (ADMIN, SUPERVISOR, ANALYST)


def triage_banner_context(request: HttpRequest) -> dict:
    if not has_role(request.user, *BANNER_ROLES):
        return {"triage_stall": None}
    backlog = stale_backlog()
    if not backlog.stale:
        return {"triage_stall": None}
    triage_watchdog_poke()
    return {"triage_stall": backlog}
