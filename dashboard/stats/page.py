"""The statistics page's tables, built from the figures of this package."""

import operator
from functools import cached_property, partial, reduce

from django.utils.translation import gettext_lazy as _

from core.taxonomy import CATEGORY_CHOICES
from networks.models import Location, Network
from triage.constants import MECHANISM_LABELS
from triage.models import Incident

from ..templatetags.dashboard import PRIORITY_LABELS
from .charts import bar_chart, column_chart
from .engagement import escalation_to_deployment, loop_closed
from .network_tables import CHARTED_NETWORKS, inclusion_table, silent_networks_table
from .people import NetworkFigures, network_figures
from .reactions import Reaction, Reactions, reaction_queries, reaction_times, reactions_of
from .scope import NO_INCIDENT, Scope, side_by_side, stats_networks, stats_territories
from .tables import (
    COUNT,
    DURATION,
    LABEL,
    MONTH,
    PERCENT,
    WEEK,
    Column,
    Table,
    display_texts,
    duration_text,
)
from .volumes import Volumes, alert_volumes

TERRITORIES_CHARTED = 7  # the busiest ones; the others share one bar


class StatsPage:
    """The page's tables, each computed only when asked for (a CSV needs one)."""

    TABLES = (
        "weekly-categories",
        "weekly-territories",
        "reaction-month",
        "reaction-priority",
        "reaction-network",
        "silent-networks",
        "inclusion",
        "mechanisms",
        "escalation-deployment",
        "closing-the-loop",
    )

    def __init__(self, scope: Scope, *, territories: list[Location] | None = None):
        self.scope = scope
        if territories is not None:
            self.territories = territories

    @cached_property
    def territories(self) -> list[Location]:
        return stats_territories()

    @cached_property
    def networks(self) -> list[Network]:
        return stats_networks(scope=self.scope)

    @cached_property
    def volumes(self) -> Volumes:
        return alert_volumes(scope=self.scope)

    @cached_property
    def reactions(self) -> Reactions:
        return reaction_times(scope=self.scope)

    @cached_property
    def people(self) -> NetworkFigures:
        return network_figures(scope=self.scope, networks=self.networks)

    def table(self, key: str) -> Table:
        return getattr(self, key.replace("-", "_"))()

    def tables(self) -> list[Table]:
        """Every table, the queries behind their figures run side by side first."""
        self.volumes, self.people, *reactions = side_by_side(
            partial(alert_volumes, scope=self.scope),
            partial(network_figures, scope=self.scope, networks=self.networks),
            *reaction_queries(scope=self.scope),
        )
        self.reactions = reactions_of(self.scope, reduce(operator.or_, reactions))
        return [self.table(key) for key in self.TABLES]

    # Volumes

    def weekly_categories(self) -> Table:
        volumes = self.volumes
        categories = [*CATEGORY_CHOICES, ("", _("Not yet categorised"))]
        rows = [
            [week, volumes.totals[week], *(volumes.by_category[week][c] for c, _l in categories)]
            for week in volumes.weeks
        ]
        weeks = [Column(WEEK).display(w) for w in volumes.weeks]
        series = [
            (label, [volumes.by_category[w][code] for w in volumes.weeks])
            for code, label in categories
        ]
        return Table(
            key="weekly-categories",
            title=_("Alerts per week, by category"),
            columns=[
                Column(_("Week of"), WEEK),
                Column(_("Alerts")),
                *(Column(label) for _c, label in categories),
            ],
            rows=rows,
            note=_(
                "Weeks start on Monday. An alert with two categories counts under each, once in "
                "the total."
            ),
            charts=[
                column_chart(title=_("Alerts per week, by category"), labels=weeks, series=series)
            ],
        )

    def weekly_territories(self) -> Table:
        volumes = self.volumes
        names = {t.pk: t.name for t in self.territories}
        totals: dict[int | None, int] = {}
        for counts in volumes.by_territory.values():
            for territory, n in counts.items():
                totals[territory] = totals.get(territory, 0) + n
        placed = sorted(
            (t for t in totals if t is not None), key=lambda t: (-totals[t], names.get(t, ""))
        )
        keys = [*placed, None]
        columns = [
            Column(_("Week of"), WEEK),
            Column(_("Alerts")),
            *(Column(names.get(t, str(t)), group=_("Territory")) for t in placed),
            Column(_("No territory"), group=_("Territory")),
        ]
        rows = [
            [week, volumes.totals[week], *(volumes.by_territory[week].get(t, 0) for t in keys)]
            for week in volumes.weeks
        ]
        charted = placed[:TERRITORIES_CHARTED]
        series = [
            (names.get(t, str(t)), [volumes.by_territory[w].get(t, 0) for w in volumes.weeks])
            for t in charted
        ]
        others = [t for t in placed if t not in charted]
        if others:
            series.append(
                (
                    _("Other territories"),
                    [sum(volumes.by_territory[w].get(t, 0) for t in others) for w in volumes.weeks],
                )
            )
        series.append(
            (_("No territory"), [volumes.by_territory[w].get(None, 0) for w in volumes.weeks])
        )
        weeks = [Column(WEEK).display(w) for w in volumes.weeks]
        return Table(
            key="weekly-territories",
            title=_("Alerts per week, by territory"),
            columns=columns,
            rows=rows,
            note=_("Alerts placed in no place, or only at province level, have no territory."),
            charts=[
                column_chart(title=_("Alerts per week, by territory"), labels=weeks, series=series)
            ],
        )

    def mechanisms(self) -> Table:
        by_mechanism = self.volumes.by_mechanism
        levels = [(NO_INCIDENT, _("In no incident")), *Incident.Corroboration.choices]
        rows = []
        for code, label in MECHANISM_LABELS.items():
            counts = [by_mechanism[code][level] for level, _l in levels]
            rows.append([label, *counts, sum(counts)])
        totals = [sum(row[i] for row in rows) for i in range(1, len(levels) + 2)]
        rows.append([_("All mechanisms"), *totals])
        series = [
            (label, [row[1 + i] for row in rows[:-1]]) for i, (_level, label) in enumerate(levels)
        ]
        return Table(
            key="mechanisms",
            totals=1,
            title=_("Alerts by mechanism and corroboration"),
            columns=[
                Column(_("Mechanism"), LABEL),
                *(Column(label, group=_("Incident corroboration")) for _l, label in levels),
                Column(_("Alerts")),
            ],
            rows=rows,
            note=_(
                "CAN: SMS, calls and missed calls from the networks' focal points. Corroboration "
                "is that of the incident the alert belongs to."
            ),
            charts=[
                bar_chart(
                    title=_("Alerts by mechanism and corroboration"),
                    labels=[str(row[0]) for row in rows[:-1]],
                    series=series,
                    stacked=True,
                )
            ],
        )

    # Reaction times

    REACTION_COLUMNS = (
        ("acknowledge", _("Acknowledgement"), _("Never acknowledged")),
        ("reply", _("First SMS reply"), _("No reply")),
        ("close", _("Closing"), _("Not closed")),
    )

    def _reaction_table(
        self, key, title, first: Column, groups: list[tuple], totals=0, charted=None, chart_title=""
    ) -> Table:
        columns = [first, Column(_("Alerts"))]
        for _m, heading, never in self.REACTION_COLUMNS:
            columns += [
                Column(_("median"), DURATION, heading),
                Column(_("90th percentile"), DURATION, heading),
                Column(never, COUNT, heading),
            ]
        rows = []
        for label, reaction in groups:
            row = [label, reaction.alerts]
            for measure, _h, _n in self.REACTION_COLUMNS:
                row += [reaction.median[measure], reaction.p90[measure], reaction.never(measure)]
            rows.append(row)
        charted = groups if charted is None else charted
        labels = [first.display(label) for label, _r in charted]
        acknowledge = [
            (_("Median"), [r.median["acknowledge"] for _l, r in charted]),
            (_("90th percentile"), [r.p90["acknowledge"] for _l, r in charted]),
        ]
        return Table(
            key=key,
            title=title,
            columns=columns,
            rows=rows,
            totals=totals,
            note=_(
                "Times from receipt. Alerts not acknowledged, answered or closed yet are counted "
                "apart, never as zero."
            ),
            charts=[
                bar_chart(
                    title=chart_title or _("Time to acknowledge"),
                    labels=labels,
                    series=acknowledge,
                    text=partial(duration_text, texts=display_texts()),
                )
            ],
        )

    def reaction_month(self) -> Table:
        r = self.reactions
        groups = [(m, r.by_month[m]) for m in r.months]
        return self._reaction_table(
            "reaction-month", _("Reaction times per month"), Column(_("Month"), MONTH), groups
        )

    def reaction_priority(self) -> Table:
        r = self.reactions
        groups = [
            (f"P{p} · {PRIORITY_LABELS[p]}" if p else _("Not yet triaged"), r.by_priority[p])
            for p in (1, 2, 3, 4, None)
        ]
        groups.append((_("All alerts"), r.overall))
        return self._reaction_table(
            "reaction-priority",
            _("Reaction times per priority"),
            Column(_("Priority"), LABEL),
            groups,
            totals=1,
        )

    def reaction_network(self) -> Table:
        r = self.reactions
        groups = [(n.name, r.by_network.get(n.pk, Reaction())) for n in self.networks]
        slowest = sorted(
            (g for g in groups if g[1].median["acknowledge"] is not None),
            key=lambda g: -g[1].median["acknowledge"],
        )[:CHARTED_NETWORKS]
        chart_title = ""
        if len(groups) > CHARTED_NETWORKS:
            chart_title = _("Time to acknowledge: the %(n)s slowest networks") % {
                "n": CHARTED_NETWORKS
            }
        groups.append(
            (
                _("No network (unknown sender, LPC, CLA, web)"),
                r.by_network.get(None, Reaction()),
            )
        )
        groups.append((_("All alerts"), r.overall))
        table = self._reaction_table(
            "reaction-network",
            _("Reaction times per network"),
            Column(_("Network"), LABEL),
            groups,
            totals=1,
            charted=[*slowest, groups[-1]],
            chart_title=chart_title,
        )
        table.note = _(
            "An alert counts for the networks its reporter belongs to today. %(rest)s"
        ) % {"rest": table.note}
        return table

    # After the alerts: deployments and telling the communities

    def escalation_deployment(self) -> Table:
        d = escalation_to_deployment(scope=self.scope)
        return Table(
            key="escalation-deployment",
            title=_("From escalation to deployment"),
            columns=[
                Column(_("Alerts"), LABEL),
                Column(_("Escalated")),
                Column(_("Deployment sent")),
                Column(_("median"), DURATION, _("Escalation → deployment")),
                Column(_("90th percentile"), DURATION, _("Escalation → deployment")),
                Column(_("No deployment"), COUNT),
            ],
            rows=[
                [
                    _("Alerts escalated"),
                    d.escalated,
                    d.deployed,
                    d.median,
                    d.p90,
                    d.escalated - d.deployed,
                ]
            ],
            note=_(
                "Time from an alert's first escalation to the first joint protection team or "
                "assessment mission recorded as sent for it. Alerts without one are counted "
                "apart, never as zero."
            ),
            charts=[
                bar_chart(
                    title=_("Time from escalation to deployment"),
                    labels=[str(_("Escalation → deployment"))],
                    series=[(_("Median"), [d.median]), (_("90th percentile"), [d.p90])],
                    text=partial(duration_text, texts=display_texts()),
                )
            ],
            open=True,
        )

    def closing_the_loop(self) -> Table:
        loop = loop_closed(scope=self.scope)
        return Table(
            key="closing-the-loop",
            title=_("Reporters who heard back"),
            columns=[
                Column(_("Alerts"), LABEL),
                Column(_("Closed")),
                Column(_("From a focal point")),
                Column(_("Reporter told what was done")),
                Column(_("Share of closed alerts"), PERCENT),
            ],
            rows=[[_("Alerts closed"), loop.closed, loop.reachable, loop.told, loop.share]],
            note=_(
                "Closed alerts whose reporter was sent, once the alert was closed, what was done. "
                "Only focal points with a phone can be told."
            ),
            charts=[
                bar_chart(
                    title=_("Reporters who heard back"),
                    labels=[str(_("Closed")), str(_("From a focal point")), str(_("Told"))],
                    series=[(_("Alerts"), [loop.closed, loop.reachable, loop.told])],
                )
            ],
            open=True,
        )

    # Networks and focal points

    def silent_networks(self) -> Table:
        return silent_networks_table(figures=self.people, until=self.scope.until)

    def inclusion(self) -> Table:
        return inclusion_table(figures=self.people)
