"""The scope of the statistics (a period of local days, a territory, a network) and the rows
every figure starts from: the alerts, the networks and the territories it covers."""

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from networks.models import FocalPoint, Location, Membership, Network
from triage.models import Incident

SILENT_DAYS = 30
YOUTH_AGE_BANDS = (FocalPoint.AgeBand.UNDER_25, FocalPoint.AgeBand.FROM_25)
DEFAULT_DAYS = 90  # the period shown when none is asked for: the last 90 days
MAX_DAYS = 3 * 366  # longest period: three years of weeks still fit a chart
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
# Levels below a territory: chiefdom or sector > groupement > village > locality.
TERRITORY_DEPTH = 4
NO_INCIDENT = ""  # the corroboration column of alerts in no incident
CORROBORATIONS = (NO_INCIDENT, *Incident.Corroboration.values)
# PostgreSQL settings for the figures' statements only (see analytical_queries).
ANALYTICAL_SETTINGS = {"jit": "off", "work_mem": "64MB", "hash_mem_multiplier": "8"}


class StatsFilterForm(forms.Form):
    """The page's scope: a period (local days, both included), a territory, a network. It
    applies to alerts, networks and focal points alike, hence a form rather than a FilterSet."""

    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Location.objects.filter(kind=Location.Kind.TERRITORY),
        required=False,
    )
    network = forms.ModelChoiceField(
        label=_("Network (CAN)"), queryset=Network.objects.all(), required=False
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or until - dt.timedelta(days=DEFAULT_DAYS - 1)
        if "since" in self.errors or "until" in self.errors:
            return data
        for name, day in (("since", since), ("until", until)):
            if not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Choose a date between %(first)s and %(last)s.")
                    % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
                )
                return data
        if since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        elif (until - since).days + 1 > MAX_DAYS:
            self.add_error(
                "since", _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}
            )
        data["since"], data["until"] = since, until
        return data

    def scope(self) -> "Scope":
        data = self.cleaned_data
        return Scope(
            since=data["since"],
            until=data["until"],
            territory=data.get("territory"),
            network=data.get("network"),
        )


@dataclass(frozen=True)
class Scope:
    since: dt.date
    until: dt.date  # included
    territory: Location | None = None
    network: Network | None = None

    @property
    def start(self) -> dt.datetime:
        return _local_midnight(self.since)

    @property
    def end(self) -> dt.datetime:
        return _local_midnight(self.until + dt.timedelta(days=1))

    @property
    def silent_since(self) -> dt.datetime:
        return self.end - dt.timedelta(days=SILENT_DAYS)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def weeks_of(scope: Scope) -> list[dt.date]:
    """The Mondays of every week the period touches, empty weeks included."""
    monday = scope.since - dt.timedelta(days=scope.since.weekday())
    return [monday + dt.timedelta(weeks=n) for n in range((scope.until - monday).days // 7 + 1)]


def months_of(scope: Scope) -> list[dt.date]:
    months, month = [], scope.since.replace(day=1)
    while month <= scope.until:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


class _WidthBucket(Func):
    """PostgreSQL's width_bucket(moment, bounds): how many of the sorted bounds are at or
    before the moment, found by binary search."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, bounds = self.source_expressions
        moment_sql, moment_params = compiler.compile(moment)
        return f"width_bucket({moment_sql}, %s::timestamptz[])", [*moment_params, bounds.value]


def period_index(field: str, starts: list[dt.date]) -> Func | Case:
    """Which of consecutive periods a moment falls in: the index in `starts` (the local days
    each period begins on) of the last one begun at that moment. The same periods as
    truncating the moment to its local week or month, without converting every alert's
    moment to local time (a tenth of a second per statement over 240,000 alerts)."""
    bounds = [_local_midnight(day) for day in starts[1:]]
    if connection.vendor == "postgresql":
        return _WidthBucket(F(field), Value(bounds))
    return Case(
        *(When(**{f"{field}__lt": bound}, then=Value(i)) for i, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def places_within(territory_id: int) -> QuerySet[Location]:
    """The territory and every place below it, as a subquery (no query of its own)."""
    condition, path = Q(pk=territory_id), "parent"
    for _level in range(TERRITORY_DEPTH):
        condition |= Q(**{f"{path}_id": territory_id})
        path += "__parent"
    return Location.objects.filter(condition).values("pk")


def territory_of_alert() -> Case:
    """The territory an alert's place lies in (None when unplaced or above territories)."""
    whens, path = [], "location"
    for _level in range(TERRITORY_DEPTH + 1):
        whens.append(When(**{f"{path}__kind": Location.Kind.TERRITORY}, then=F(f"{path}_id")))
        path += "__parent"
    return Case(*whens, default=None)


def _open_members(network: Network) -> QuerySet[Membership]:
    return Membership.objects.filter(network=network, left_on__isnull=True).values("focal_point_id")


def stats_alerts(*, scope: Scope) -> QuerySet[Alert]:
    """The alerts the figures count: received in the period, in the territory, from the
    network's current members; never dismissed ones (spam, tests)."""
    alerts = Alert.objects.filter(received_at__gte=scope.start, received_at__lt=scope.end).exclude(
        status=Alert.Status.DISMISSED
    )
    if scope.territory is not None:
        alerts = alerts.filter(location_id__in=places_within(scope.territory.pk))
    if scope.network is not None:
        alerts = alerts.filter(reporter_id__in=_open_members(scope.network))
    return alerts.order_by()


def stats_networks(*, scope: Scope) -> list[Network]:
    """The networks the per-network figures show: the chosen one, else every network not
    closed (based in the territory when one is chosen)."""
    if scope.network is not None:
        return [scope.network]
    networks = Network.objects.exclude(status=Network.Status.CLOSED)
    if scope.territory is not None:
        networks = networks.filter(base_id__in=places_within(scope.territory.pk))
    return list(networks.order_by("name", "pk"))


def stats_territories() -> list[Location]:
    return list(Location.objects.filter(kind=Location.Kind.TERRITORY).order_by("name", "pk"))


@contextmanager
def analytical_queries() -> Iterator[None]:
    """Run the figures' queries in one transaction set for aggregates over many rows. At a
    million alerts PostgreSQL's JIT compiler costs more than it saves (one to two seconds per
    statement, compiling), and the sorts behind percentiles outgrow the default 4 MB of
    work_mem and spill to disk. The planner also guesses a year of alerts makes millions of
    (week, categories) groups (there are a few hundred): with hash tables allowed 512 MB it
    counts them in one hash pass, where it sorted the million rows on disk (6 s to 3 s). SET
    LOCAL ends with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "; ".join(f"SET LOCAL {name} = %s" for name in ANALYTICAL_SETTINGS),
                    list(ANALYTICAL_SETTINGS.values()),
                )
        yield


def side_by_side(*calls: Callable[[], Any]) -> list[Any]:
    """The results of independent figures' calls, computed at once, each on its own connection
    to PostgreSQL in its own analytical transaction: the page then waits for its slowest figure
    rather than for all of them, one after the other. Only where nothing changes but the time:
    on PostgreSQL, and with no transaction open here (the other connections would not see rows
    it has not committed; tests run in one). Otherwise one after the other, in this thread."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(calls) < 2:
        with analytical_queries():
            return [call() for call in calls]
    zone = timezone.get_current_timezone()

    def on_own_connection(call: Callable[[], Any]) -> Any:
        try:
            with timezone.override(zone), analytical_queries():
                return call()
        finally:
            connection.close()  # this thread's own: the thread ends with the request

    with ThreadPoolExecutor(max_workers=len(calls) - 1) as pool:
        others = [pool.submit(on_own_connection, call) for call in calls[1:]]
        with analytical_queries():
            first = calls[0]()
        return [first, *(other.result() for other in others)]
