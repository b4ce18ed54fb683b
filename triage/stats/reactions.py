"""How fast alerts were taken up: time from receipt to acknowledgement, to the first SMS reply
and to closing, as median and 90th percentile, per month, priority and network.

PostgreSQL computes the percentiles (percentile_cont, an ordered-set aggregate) in one
statement. SQLite has none: there the durations are read and the percentiles taken in Python
with the same definition, fine for a development database."""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Min, QuerySet
from django.db.models.functions import TruncMonth

from alerts.models import Message
from networks.models import Membership

from .scope import Scope, local_day, months_of, stats_alerts

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
    facts = (
        stats_alerts(scope=scope)
        .annotate(received_month=TruncMonth("received_at"))
        .values_list(
            "id",
            "received_month",
            "priority",
            "reporter_id",
            "received_at",
            "acknowledged_at",
            "closed_at",
        )
    )
    if connection.vendor == "postgresql":
        groups = _reactions_in_postgresql(facts, scope)
    else:
        groups = _reactions_in_python(facts, scope)
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


def _reactions_in_postgresql(facts: QuerySet, scope: Scope) -> dict[tuple, Reaction]:
    """One statement: the filtered alerts, their first reply, then percentiles per group."""
    alerts_sql, params = facts.query.sql_with_params()
    message, membership = Message._meta.db_table, Membership._meta.db_table
    sql = f"""
        WITH a AS ({alerts_sql}),
        r AS (
            SELECT alert_id, min(created_at) AS first_reply FROM {message}
            WHERE direction = %s AND kind = %s AND created_at >= %s AND alert_id IS NOT NULL
            GROUP BY alert_id
        ),
        d AS (
            -- seconds as float8: date_part, as extract() gives slow numerics (PostgreSQL 14+)
            SELECT a.received_month, a.priority, a.reporter_id,
                   date_part('epoch', a.acknowledged_at - a.received_at) AS t_acknowledge,
                   date_part('epoch', r.first_reply - a.received_at) AS t_reply,
                   date_part('epoch', a.closed_at - a.received_at) AS t_close
            FROM a LEFT JOIN r ON r.alert_id = a.id
        )
        SELECT CASE GROUPING(received_month, priority) WHEN 1 THEN 'month' WHEN 2
                 THEN 'priority' ELSE 'all' END,
               received_month, priority, {_REACTION_AGGREGATES}
        FROM d GROUP BY GROUPING SETS ((received_month), (priority), ())
        UNION ALL
        SELECT 'network', NULL, ms.network_id, {_REACTION_AGGREGATES}
        FROM d LEFT JOIN {membership} ms
          ON ms.focal_point_id = d.reporter_id AND ms.left_on IS NULL
        GROUP BY ms.network_id
    """  # noqa: S608 - table names from the models, values as parameters
    params = (*params, Message.Direction.OUTBOUND, Message.Kind.REPLY, scope.start)
    groups = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dim, month, number, alerts, *figures in cursor.fetchall():
            key = local_day(month) if dim == "month" else number
            reaction = Reaction(alerts=alerts)
            for i, measure in enumerate(MEASURES):
                reached, median, p90 = figures[3 * i : 3 * i + 3]
                reaction.reached[measure] = reached
                reaction.median[measure] = _seconds(median)
                reaction.p90[measure] = _seconds(p90)
            groups[dim, key] = reaction
    return groups


def _seconds(value) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _reactions_in_python(facts: QuerySet, scope: Scope) -> dict[tuple, Reaction]:
    """The same figures where the database has no percentiles: three queries (the alerts,
    their first replies, their reporters' networks), then grouping here."""
    rows = list(facts)
    first_reply = dict(
        Message.objects.filter(
            direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.REPLY,
            created_at__gte=scope.start,
            alert_id__in=facts.values("id"),
        )
        .values("alert_id")
        .annotate(first=Min("created_at"))
        .values_list("alert_id", "first")
        .order_by()
    )
    networks_of: dict[int, list[int]] = defaultdict(list)
    for focal_point_id, network_id in Membership.objects.filter(
        left_on__isnull=True, focal_point_id__in=facts.values("reporter_id")
    ).values_list("focal_point_id", "network_id"):
        networks_of[focal_point_id].append(network_id)

    durations: dict[tuple, dict[str, list[float]]] = defaultdict(
        lambda: {m: [] for m in MEASURES} | {"n": []}
    )
    for pk, month, priority, reporter_id, received, acknowledged, closed in rows:
        ends = {"acknowledge": acknowledged, "reply": first_reply.get(pk), "close": closed}
        keys = [("month", local_day(month)), ("priority", priority), ("all", None)]
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
