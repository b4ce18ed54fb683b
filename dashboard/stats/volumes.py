"""How many alerts: per week by category and by territory, by mechanism and corroboration."""

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, QuerySet

from core.taxonomy import CATEGORY_CODES
from triage.constants import MECHANISM_LABELS
from triage.services.incidents import grouping_rules

from .scope import (
    CORROBORATIONS,
    NO_INCIDENT,
    Scope,
    period_index,
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
    """Alerts per week by category and by territory, and by mechanism and corroboration,
    folded here from grouped counts (a few hundred rows at most)."""
    weeks = weeks_of(scope)
    by_category = {week: dict.fromkeys((*CATEGORY_CODES, ""), 0) for week in weeks}
    by_territory: dict[dt.date, dict[int | None, int]] = {week: {} for week in weeks}
    totals = dict.fromkeys(weeks, 0)
    mechanism_of = grouping_rules().mechanisms
    by_mechanism = {m: dict.fromkeys(CORROBORATIONS, 0) for m in MECHANISM_LABELS}
    per_category, per_territory, per_mechanism = _grouped_counts(scope, weeks)
    for week, categories, n in per_category:
        codes = {c for c in categories or [] if c in CATEGORY_CODES} or {""}
        for code in codes:
            by_category[weeks[week]][code] += n
    for week, territory, n in per_territory:
        by_territory[weeks[week]][territory] = n
        totals[weeks[week]] += n
    for source, corroboration, n in per_mechanism:
        mechanism = mechanism_of.get(source)
        if mechanism in by_mechanism:
            by_mechanism[mechanism][corroboration or NO_INCIDENT] += n
    return Volumes(weeks, by_category, by_territory, totals, by_mechanism)


def _grouped_counts(
    scope: Scope, weeks: list[dt.date]
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(week, categories, alerts), (week, territory, alerts), (source, corroboration, alerts),
    weeks as indexes in `weeks`. PostgreSQL counts all three in one pass over the period
    (grouping sets); elsewhere, three grouped queries."""
    alerts = (
        stats_alerts(scope=scope)
        .annotate(
            week=period_index("received_at", weeks),
            territory=territory_of_alert(),
            corroboration=F("incident__corroboration"),
        )
        .values("week", "categories", "territory", "source", "corroboration")
    )
    if connection.vendor == "postgresql":
        return _grouped_counts_in_one_pass(alerts)
    return tuple(
        list(alerts.values_list(*keys).annotate(n=Count("*")).order_by())
        for keys in (("week", "categories"), ("week", "territory"), ("source", "corroboration"))
    )


def _grouped_counts_in_one_pass(alerts: QuerySet) -> tuple[list[tuple], list[tuple], list[tuple]]:
    sql, params = alerts.query.sql_with_params()
    statement = f"""
        SELECT GROUPING(week, categories, territory), week, categories, territory, source,
               corroboration, count(*)
        FROM ({sql}) facts
        GROUP BY GROUPING SETS ((week, categories), (week, territory), (source, corroboration))
    """  # noqa: S608 - the ORM's own SQL, values as parameters
    per_category, per_territory, per_mechanism = [], [], []
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for grouping, week, categories, territory, source, corroboration, n in cursor:
            if grouping == 1:  # week and categories
                if isinstance(categories, str):  # jsonb comes back as text on this connection
                    categories = json.loads(categories)
                per_category.append((week, categories, n))
            elif grouping == 2:  # week and territory
                per_territory.append((week, territory, n))
            else:
                per_mechanism.append((source, corroboration, n))
    return per_category, per_territory, per_mechanism
