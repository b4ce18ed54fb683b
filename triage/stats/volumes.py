"""How many alerts: per week by category and by territory, by mechanism and corroboration."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F
from django.db.models.functions import TruncWeek

from alerts.selectors import CATEGORY_CODES

from ..constants import MECHANISM_LABELS
from ..services.incidents import grouping_rules
from .scope import (
    CORROBORATIONS,
    NO_INCIDENT,
    Scope,
    local_day,
    stats_alerts,
    territory_of_alert,
    weeks_of,
)


@dataclass
class Volumes:
    weeks: list[dt.date]
    # week -> category code (or "" for not yet categorised) -> alerts; an alert with two
    # categories counts under each.
    by_category: dict[dt.date, dict[str, int]]
    by_territory: dict[dt.date, dict[int | None, int]]  # week -> territory id -> alerts
    totals: dict[dt.date, int]  # week -> alerts
    # mechanism ("can", "lpc", "cla", "web") -> corroboration ("" for no incident) -> alerts
    by_mechanism: dict[str, dict[str, int]]


def alert_volumes(*, scope: Scope) -> Volumes:
    """Alerts per week by category and by territory, and by mechanism and corroboration:
    three grouped queries, folded here (a few hundred rows at most)."""
    alerts = stats_alerts(scope=scope).annotate(week=TruncWeek("received_at"))
    weeks = weeks_of(scope)
    by_category = {week: dict.fromkeys((*CATEGORY_CODES, ""), 0) for week in weeks}
    by_territory: dict[dt.date, dict[int | None, int]] = {week: {} for week in weeks}
    totals = dict.fromkeys(weeks, 0)
    for row in alerts.values("week", "categories").annotate(n=Count("pk")).order_by():
        week = local_day(row["week"])
        codes = {c for c in row["categories"] or [] if c in CATEGORY_CODES} or {""}
        for code in codes:
            by_category[week][code] += row["n"]
    rows = alerts.annotate(territory=territory_of_alert()).values("week", "territory")
    for row in rows.annotate(n=Count("pk")).order_by():
        week = local_day(row["week"])
        by_territory[week][row["territory"]] = row["n"]
        totals[week] += row["n"]

    mechanism_of = grouping_rules().mechanisms
    by_mechanism = {m: dict.fromkeys(CORROBORATIONS, 0) for m in MECHANISM_LABELS}
    rows = stats_alerts(scope=scope).values("source", corroboration=F("incident__corroboration"))
    for row in rows.annotate(n=Count("pk")).order_by():
        mechanism = mechanism_of.get(row["source"])
        if mechanism in by_mechanism:
            by_mechanism[mechanism][row["corroboration"] or NO_INCIDENT] += row["n"]
    return Volumes(weeks, by_category, by_territory, totals, by_mechanism)
