"""The queue's "triage stopped" banner: system state, so every untriaged alert counts whoever
looks (they have no place yet, hence no area). One read of the `alert_untriaged` index per page
or poll; when alerts are waiting it also gives the watchdog its chance to run from the web
process (at most once per 30 s), which matters when no worker runs at all."""

from django.http import HttpRequest

from core.roles import can
from triage.services import stale_backlog, triage_watchdog_poke


def triage_banner_context(request: HttpRequest) -> dict:
    if not can(request.user, "work_alerts"):
        return {"triage_stall": None}
    backlog = stale_backlog()
    if not backlog.stale:
        return {"triage_stall": None}
    triage_watchdog_poke()
    return {"triage_stall": backlog}
