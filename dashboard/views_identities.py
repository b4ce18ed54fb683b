"""Bulk reads of names and numbers that were refused (/dashboard/identity-reads/), for
supervisors: who asked for more identities than IDENTITY_READS_PER_HOUR within an hour, when,
where and how many. The entries come from the audit trail (networks.audit)."""

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.permissions import capability_required
from networks.audit import identity_refusals

PAGE_SIZE = 100
SHOWN_DAYS = 30


@require_GET
@capability_required("supervise", htmx_login_next="dashboard:queue")
def identity_reads(request: HttpRequest) -> HttpResponse:
    entries = identity_refusals(since=timezone.now() - dt.timedelta(days=SHOWN_DAYS))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "at": entry.at,
            "actor": entry.actor,
            "ip_address": entry.ip_address,
            "where": entry.details.get("where", ""),
            "asked": len(entry.target_id_list),
            "already_read": entry.details.get("already_read"),
        }
        for entry in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "days": SHOWN_DAYS,
        "limit": settings.IDENTITY_READS_PER_HOUR,
    }
    return render(request, "dashboard/identity_reads.html", context)
