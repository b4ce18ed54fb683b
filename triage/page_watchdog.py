"""The queue's "triage stopped" banner: system state, so every untriaged alert counts whoever
looks (they have no place yet, hence no area). Reading it gives the watchdog its chance to run
from the web process, which matters when no worker runs at all."""

from django.http import HttpRequest

from config.permissions import ADMIN, ANALYST, SUPERVISOR, has_role

from .services import triage_backlog, triage_watchdog_poke

BANNER_ROLES = (ADMIN, SUPERVISOR, ANALYST)


def triage_banner_context(request: HttpRequest) -> dict:
    triage_watchdog_poke()
    if not has_role(request.user, *BANNER_ROLES):
        return {"triage_stall": None}
    backlog = triage_backlog()
    return {"triage_stall": backlog if backlog.stale else None}
