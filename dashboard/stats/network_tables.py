"""The statistics page's tables about networks and focal points: silent ones, inclusion."""

import datetime as dt
from functools import partial

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .charts import Chart, bar_chart
from .people import NetworkFigures, People
from .scope import SILENT_DAYS
from .tables import COUNT, DASH, LABEL, PERCENT, Column, Table, display_texts, percent_text

CHARTED_NETWORKS = 15  # beyond, a chart shows the networks that most need a look (tables: all)


def silent_networks_table(*, figures: NetworkFigures, until: dt.date) -> Table:
    """Per network: active focal points, how many silent; flagged when silent or empty."""
    rows = []
    for network in figures.networks:
        people = figures.members.get(network.pk, People())
        rows.append(
            [
                network.name,
                network.get_status_display(),
                people.total,
                people.silent,
                people.share(people.silent),
                _network_flag(people),
            ]
        )
    if figures.show_unattached:
        u = figures.unattached
        rows.append([_("In no network"), DASH, u.total, u.silent, u.share(u.silent), ""])
    everyone = figures.all_members
    rows.append(
        [
            _("All focal points"),
            DASH,
            everyone.total,
            everyone.silent,
            everyone.share(everyone.silent),
            "",
        ]
    )
    charted, chart_title = rows[:-1], _("Focal points heard from and silent")
    if len(figures.networks) > CHARTED_NETWORKS:
        quietest = sorted(
            (row for row in rows[: len(figures.networks)] if row[2]),
            key=lambda row: (-row[4], -row[3]),
        )
        charted = quietest[:CHARTED_NETWORKS]
        chart_title = _("Focal points heard from and silent: the %(n)s quietest networks") % {
            "n": CHARTED_NETWORKS
        }
    heard = [row[2] - row[3] for row in charted]
    silent = [row[3] for row in charted]
    return Table(
        key="silent-networks",
        title=_("Silent networks and focal points"),
        columns=[
            Column(_("Network"), LABEL),
            Column(_("Status"), LABEL),
            Column(_("Active focal points")),
            Column(_("Silent focal points")),
            Column(_("Silent share"), PERCENT),
            Column(_("Flag"), LABEL),
        ],
        rows=rows,
        note=_(
            "Silent: no inbound SMS and no alert in the %(days)s days to %(end)s. Closed "
            "networks are left out."
        )
        % {
            "days": SILENT_DAYS,
            "end": formats.date_format(until, "SHORT_DATE_FORMAT"),
        },
        charts=[
            bar_chart(
                title=chart_title,
                labels=[str(row[0]) for row in charted],
                series=[(_("Heard from"), heard), (_("Silent"), silent)],
                stacked=True,
            )
        ],
        open=True,
        totals=1,
    )


def inclusion_table(*, figures: NetworkFigures) -> Table:
    """Shares of women and youth among active focal points and the period's senders."""
    groups = [
        (
            n.name,
            figures.members.get(n.pk, People()),
            figures.senders.get(n.pk, People()),
        )
        for n in figures.networks
    ]
    if figures.show_unattached:
        groups.append((_("In no network"), figures.unattached, figures.unattached_senders))
    groups.append((_("All focal points"), figures.all_members, figures.all_senders))
    columns = [Column(_("Network"), LABEL)]
    for heading in (_("Active focal points"), _("Alert senders in the period")):
        columns += [
            Column(_("total"), COUNT, heading),
            Column(_("women"), COUNT, heading),
            Column(_("women"), PERCENT, heading),
            Column(_("youth"), COUNT, heading),
            Column(_("youth"), PERCENT, heading),
        ]
    rows = []
    for label, members, senders in groups:
        row = [label]
        for people in (members, senders):
            row += [
                people.total,
                people.women,
                people.share(people.women),
                people.youth,
                people.share(people.youth),
            ]
        rows.append(row)
    return Table(
        key="inclusion",
        totals=1,
        title=_("Inclusion: women and youth"),
        columns=columns,
        rows=rows,
        note=_(
            "Youth: aged 18 to 34 (the 18–24 and 25–34 bands; the African Youth Charter "
            "counts 15 to 35). Shares are of everyone, those whose gender or age is not "
            "recorded included. Senders: focal points who sent at least one alert in the "
            "period."
        ),
        charts=[
            _share_chart(figures, groups, "women", _("Share of women")),
            _share_chart(figures, groups, "youth", _("Share of youth")),
        ],
    )


def _share_chart(figures: NetworkFigures, groups: list[tuple], part: str, title) -> Chart:
    """Shares among active focal points and senders; with many networks, those with the
    lowest share among focal points, then everyone."""
    networks = len(figures.networks)
    charted = groups
    if networks > CHARTED_NETWORKS:
        lowest = sorted(
            (g for g in groups[:networks] if g[1].total),
            key=lambda g: g[1].share(getattr(g[1], part)),
        )
        charted = [*lowest[:CHARTED_NETWORKS], groups[-1]]
        title = _("%(title)s: the %(n)s networks with the lowest") % {
            "title": title,
            "n": CHARTED_NETWORKS,
        }
    return bar_chart(
        title=title,
        labels=[str(label) for label, _m, _s in charted],
        series=[
            (_("Active focal points"), [m.share(getattr(m, part)) for _l, m, _s in charted]),
            (_("Alert senders"), [s.share(getattr(s, part)) for _l, _m, s in charted]),
        ],
        text=partial(percent_text, texts=display_texts()),
    )


def _network_flag(people: People) -> str:
    if not people.total:
        return _("No members")
    if people.silent == people.total:
        return _("Silent")
    return ""
