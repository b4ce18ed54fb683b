"""The statistics page (/dashboard/stats/): every figure of triage.stats as charts and the
table of numbers behind them, each table downloadable as CSV (?format=csv&table=<key>) with the
page's filters. Aggregates only, for every dashboard role, viewers included."""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.permissions import capability_required
from networks.models import Network

from .stats import Scope, StatsFilterForm, stats_territories
from .stats.page import StatsPage
from .stats.scope import analytical_queries
from .stats.tables import Table

FORMATS = ("html", "csv")


def _plain(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
@capability_required(htmx_login_next="dashboard:queue")
def stats_page(request: HttpRequest) -> HttpResponse:
    form = StatsFilterForm(request.GET)
    wanted = request.GET.get("format", "html")
    if wanted not in FORMATS:
        return _plain(_("Unknown format: use csv or html."))
    if wanted == "csv":
        key = request.GET.get("table", "")
        if key not in StatsPage.TABLES:
            tables = ", ".join(StatsPage.TABLES)
            return _plain(_("Unknown table. Choose one of: %(tables)s.") % {"tables": tables})
        if not form.is_valid():
            return _plain("\n".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items()))
        scope = form.scope()
        with analytical_queries():
            table = StatsPage(scope).table(key)
        return _csv(table, scope)

    territories = stats_territories()
    page = StatsPage(form.scope(), territories=territories) if form.is_valid() else None
    context = {
        "form": form,
        "territories": territories,
        "networks": Network.objects.order_by("name", "pk"),
    }
    if page is None:
        return render(request, "dashboard/stats.html", context, status=400)
    csv_query = request.GET.copy()
    csv_query.pop("table", None)
    csv_query["format"] = "csv"
    context.update(scope=page.scope, tables=page.tables(), csv_query=csv_query)
    return render(request, "dashboard/stats.html", context)


def _csv(table: Table, scope: Scope) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"kengele-{table.key}-{scope.since:%Y%m%d}-{scope.until:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a byte-order mark
    csv.writer(response).writerows(table.csv_rows())
    return response
