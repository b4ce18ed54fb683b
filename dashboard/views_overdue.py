"""The list of overdue alerts (/dashboard/overdue/): every alert past its deadline and still
unattended, the most urgent first, with how late it is, who has it and when supervisors were
told. The full picture behind the digests texted to supervisors, which name only a few."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from access.alerts import alerts_visible
from core.permissions import capability_required, require
from triage.selectors import alerts_past_deadline

PAGE_SIZE = 100


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Supervisors and admins see every overdue alert, analysts those of their areas (as on
    the queue); viewers and CLAs, who do not work alerts, are refused."""
    require(request.user, "work_alerts")
    now = timezone.now()
    alerts = alerts_visible(alerts_past_deadline(now=now), request.user)
    counts = alerts.order_by().values("priority").annotate(n=Count("pk"))
    per_priority = {row["priority"]: row["n"] for row in counts}
    by_priority = ", ".join(  # as the digest SMS counts them
        gettext("P%(priority)s: %(n)s") % {"priority": priority or "?", "n": n}
        for priority, n in sorted(
            per_priority.items(), key=lambda item: (item[0] is None, item[0] or 0)
        )
    )
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": list(page),
        "total": sum(per_priority.values()),
        "by_priority": by_priority,
        "now": now,
    }
    return render(request, "dashboard/overdue.html", context)
