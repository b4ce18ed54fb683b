"""A statistic as people read it: a table of numbers (also its CSV) and the charts drawn from
it. Values stay raw in the rows (seconds, shares in percent, dates); each column says how to
show and how to export them."""

import html
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy

# How a column's values are shown and exported.
LABEL, WEEK, MONTH, COUNT, DURATION, PERCENT = "label", "week", "month", "count", "duration", "%"
DASH = "—"  # no value (no alert acknowledged, nobody to take a share of)


@dataclass
class Column:
    label: str
    kind: str = COUNT
    group: str = ""  # a heading over several columns

    @property
    def csv_header(self) -> str:
        unit = {DURATION: pgettext_lazy("unit", "minutes"), PERCENT: "%"}.get(self.kind)
        label = f"{self.group}: {self.label}" if self.group else str(self.label)
        return f"{label} ({unit})" if unit else label

    def csv_value(self, value) -> str:
        if value is None:
            return ""
        if self.kind == WEEK:
            return value.isoformat()
        if self.kind == MONTH:
            return value.strftime("%Y-%m")
        if self.kind == DURATION:
            return f"{value / 60:.1f}"
        if self.kind == PERCENT:
            return f"{value:.1f}"
        return str(value)

    def display(self, value, texts: dict[str, str] | None = None) -> str:
        """The value as shown; `texts` are display_texts() when the caller writes many values."""
        if value is None:
            return DASH
        if self.kind == WEEK:
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if self.kind == MONTH:
            return formats.date_format(value, "YEAR_MONTH_FORMAT")
        if self.kind == DURATION:
            return duration_text(value, texts)
        if self.kind == PERCENT:
            return percent_text(value, texts)
        return str(value)


@dataclass
class Table:
    key: str  # its name in ?table=
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""
    charts: list[dict] = field(default_factory=list)
    open: bool = False  # numbers shown unfolded
    totals: int = 0  # how many of the last rows are totals

    @property
    def groups(self) -> list[tuple[str, int]]:
        """(heading, span) over the columns, when some columns are grouped."""
        if not any(c.group for c in self.columns):
            return []
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            if spans and spans[-1][0] == column.group and column.group:
                spans[-1] = (column.group, spans[-1][1] + 1)
            else:
                spans.append((column.group, 1))
        return spans

    @property
    def display_rows(self) -> list[dict]:
        first_total = len(self.rows) - self.totals
        texts = display_texts()
        return [
            {
                "cells": [c.display(v, texts) for c, v in zip(self.columns, row, strict=True)],
                "total": i >= first_total,
            }
            for i, row in enumerate(self.rows)
        ]

    @property
    def html(self) -> str:
        """The table as markup, written here rather than by template loops (a page of a few
        hundred networks holds thousands of cells). The standard library's escape is Django's
        without its lazy-text wrapper (the same five characters)."""
        out = [f'<table class="stats-table" data-table="{escape(self.key)}"><thead>']
        if self.groups:
            out.append("<tr>")
            out += [
                f'<th scope="colgroup" colspan="{span}">{escape(heading)}</th>'
                for heading, span in self.groups
            ]
            out.append("</tr>")
        out.append("<tr>")
        out += [f'<th scope="col">{escape(c.label)}</th>' for c in self.columns]
        out.append("</tr></thead><tbody>")
        for row in self.display_rows:
            first, *rest = row["cells"]
            out.append('<tr class="is-total">' if row["total"] else "<tr>")
            out.append(f'<th scope="row">{escape(first)}</th>')
            out += [f"<td>{escape(cell)}</td>" for cell in rest]
            out.append("</tr>")
        out.append("</tbody></table>")
        return mark_safe("".join(out))  # noqa: S308 - every text above is escaped

    def csv_rows(self) -> list[list[str]]:
        header = [c.csv_header for c in self.columns]
        body = [
            [c.csv_value(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows
        ]
        return [header, *body]


def escape(text) -> str:
    return html.escape(str(text))


def display_texts() -> dict[str, str]:
    """The patterns of duration_text and percent_text and the decimal separator in the active
    language, read from its catalogue once for a whole table (it shows thousands of values:
    looking them up for each, through lazy strings and number_format, cost more than the
    writing)."""
    return {
        "seconds": gettext("%(seconds)s s"),
        "minutes": gettext("%(minutes)s min"),
        "hours": gettext("%(hours)s h %(minutes)02d"),
        "days": gettext("%(days)s d %(hours)s h"),
        "percent": gettext("%(value)s %%"),
        "decimal": formats.get_format("DECIMAL_SEPARATOR"),
    }


def duration_text(seconds: float, texts: dict[str, str] | None = None) -> str:
    """A reaction time people read at a glance: 45 s, 12 min, 5 h 07, 3 d 4 h."""
    texts = texts or display_texts()
    if seconds < 60:
        return texts["seconds"] % {"seconds": round(seconds)}
    minutes = round(seconds / 60)
    if minutes < 60:
        return texts["minutes"] % {"minutes": minutes}
    hours = minutes // 60
    if hours < 48:
        return texts["hours"] % {"hours": hours, "minutes": minutes % 60}
    return texts["days"] % {"days": hours // 24, "hours": hours % 24}


def percent_text(value: float, texts: dict[str, str] | None = None) -> str:
    """A share with one decimal, as number_format writes it in the active language (below a
    thousand no digit is grouped, so only the decimal separator differs)."""
    texts = texts or display_texts()
    rounded = round(value, 1)
    if abs(rounded) < 1000:
        number = f"{rounded:.1f}".replace(".", texts["decimal"])
    else:
        number = formats.number_format(rounded, 1)
    return texts["percent"] % {"value": number}
