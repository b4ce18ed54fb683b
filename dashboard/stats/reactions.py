"""How fast alerts were taken up: time from receipt to acknowledgement, to the first SMS reply
(kept on the alert, see Alert.first_reply_at) and to closing, as median and 90th percentile, per
month, priority and network.

PostgreSQL computes the percentiles (percentile_cont, an ordered-set aggregate) in two
statements. SQLite has none: there the durations are read and the percentiles taken in Python
with the same definition, fine for a development database."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import connection
from django.db.models import QuerySet

from networks.models import Membership

from .scope import Scope, months_of, period_index, stats_alerts

MEASURES = ("acknowledge", "reply", "close")
PERCENTILES = (0.5, 0.9)


@dataclass
class Reaction:
    """Reaction times of a group of alerts, in seconds: for each measure the alerts that got
    there, their median and 90th percentile. The others are counted, never taken as zero."""

    alerts: int = 0
    reached: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    median: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(MEASURES))
    p90: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(MEASURES))

    def never(self, measure: str) -> int:
        return self.alerts - self.reached[measure]


@dataclass
class Reactions:
    months: list[dt.date]
    by_month: dict[dt.date, Reaction]
    by_priority: dict[int | None, Reaction]  # None: not yet triaged
    by_network: dict[int | None, Reaction]  # None: the reporter is in no network (or unknown)
    overall: Reaction


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def reaction_times(*, scope: Scope) -> Reactions:
    """Time from receipt to acknowledgement, to the first SMS reply and to closing, per month
    received, per priority and per network of the reporter, and for all alerts."""
    groups: dict[tuple, Reaction] = {}
    for query in reaction_queries(scope=scope):
        groups |= query()
    return reactions_of(scope, groups)


def reaction_queries(*, scope: Scope) -> list[Callable[[], dict[tuple, Reaction]]]:
    """The independent queries behind the reaction times, each giving some of the groups
    (reactions_of puts them together): on PostgreSQL two statements, which the page runs side
    by side; elsewhere one reading of the alerts, grouped here."""
    months = months_of(scope)
    facts = (
        stats_alerts(scope=scope)
        .annotate(received_month=period_index("received_at", months))
        .values_list(
            "received_month",
            "priority",
            "reporter_id",
            "received_at",
            "acknowledged_at",
            "first_reply_at",
            "closed_at",
        )
    )
    if connection.vendor == "postgresql":
        return [partial(_breakdowns_in_postgresql, facts, months, st) for st in _STATEMENTS]
    return [partial(_reactions_in_python, facts, months)]


def reactions_of(scope: Scope, groups: dict[tuple, Reaction]) -> Reactions:
    months = months_of(scope)
    return Reactions(
        months=months,
        by_month={m: groups.get(("month", m), Reaction()) for m in months},
        by_priority={p: groups.get(("priority", p), Reaction()) for p in (1, 2, 3, 4, None)},
        by_network={k: r for (dim, k), r in groups.items() if dim == "network"},
        overall=groups.get(("all", None), Reaction()),
    )


_REACTION_AGGREGATES = ", ".join(
    ["count(*)"]
    + [
        f"count(t_{m}), "
        + ", ".join(f"percentile_cont({p}) WITHIN GROUP (ORDER BY t_{m})" for p in PERCENTILES)
        for m in MEASURES
    ]
)
# The two statements (see _breakdowns_in_postgresql): their groups, what the alerts are joined
# to for them, and how they are grouped. A reporter in two networks counts in both.
_STATEMENTS = {
    "month, priority, all": (
        "CASE GROUPING(received_month, priority) WHEN 1 THEN 'month' WHEN 2 THEN 'priority'"
        " ELSE 'all' END, CASE GROUPING(received_month) WHEN 0 THEN received_month"
        " ELSE priority END",
        "",
        "GROUP BY GROUPING SETS ((received_month), (priority), ())",
    ),
    "network": (
        "'network', ms.network_id",
        f"LEFT JOIN {Membership._meta.db_table} ms"
        " ON ms.focal_point_id = d.reporter_id AND ms.left_on IS NULL",
        "GROUP BY ms.network_id",
    ),
}


def _breakdowns_in_postgresql(
    facts: QuerySet, months: list[dt.date], statement: str
) -> dict[tuple, Reaction]:
    """One statement: the filtered alerts' durations, and their percentiles per group of some
    breakdowns. percentile_cont sorts each group's durations, most of the work: the network
    breakdown has a statement of its own, so that the page can run both at once."""
    alerts_sql, params = facts.query.sql_with_params()
    group, join, group_by = _STATEMENTS[statement]
    sql = f"""
        SELECT {group}, {_REACTION_AGGREGATES}
        FROM (
            -- seconds as float8: date_part, as extract() gives slow numerics (PostgreSQL 14+)
            SELECT received_month, priority, reporter_id,
                   date_part('epoch', acknowledged_at - received_at) AS t_acknowledge,
                   date_part('epoch', first_reply_at - received_at) AS t_reply,
                   date_part('epoch', closed_at - received_at) AS t_close
            FROM ({alerts_sql}) a
        ) d {join}
        {group_by}
    """  # noqa: S608 - table names from the models, values as parameters
    groups = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dim, key, alerts, *figures in cursor.fetchall():
            reaction = Reaction(alerts=alerts)
            for i, measure in enumerate(MEASURES):
                reached, median, p90 = figures[3 * i : 3 * i + 3]
                reaction.reached[measure] = reached
                reaction.median[measure] = _seconds(median)
                reaction.p90[measure] = _seconds(p90)
            groups[dim, months[key] if dim == "month" else key] = reaction
    return groups


def _seconds(value) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _reactions_in_python(facts: QuerySet, months: list[dt.date]) -> dict[tuple, Reaction]:
    """The same figures where the database has no percentiles: two queries (the alerts, their
    reporters' networks), then grouping here."""
    rows = list(facts)
    networks_of: dict[int, list[int]] = defaultdict(list)
    for focal_point_id, network_id in Membership.objects.filter(
        left_on__isnull=True, focal_point_id__in=facts.values("reporter_id")
    ).values_list("focal_point_id", "network_id"):
        networks_of[focal_point_id].append(network_id)

    durations: dict[tuple, dict[str, list[float]]] = defaultdict(
        lambda: {m: [] for m in MEASURES} | {"n": []}
    )
    for month, priority, reporter_id, received, acknowledged, replied, closed in rows:
        ends = {"acknowledge": acknowledged, "reply": replied, "close": closed}
        keys = [("month", months[month]), ("priority", priority), ("all", None)]
        keys += [("network", n) for n in networks_of.get(reporter_id) or [None]]
        for key in keys:
            group = durations[key]
            group["n"].append(1)
            for measure, end in ends.items():
                if end is not None:
                    group[measure].append((end - received).total_seconds())
    groups = {}
    for key, group in durations.items():
        reaction = Reaction(alerts=len(group["n"]))
        for measure in MEASURES:
            values = group[measure]
            reaction.reached[measure] = len(values)
            reaction.median[measure] = percentile_cont(values, 0.5)
            reaction.p90[measure] = percentile_cont(values, 0.9)
        groups[key] = reaction
    return groups
