"""Charts as inline SVG drawn on the server: no script and no style attribute (a content
security policy is coming); colours come from the classes .chart-s0 … .chart-s9 in kengele.css."""

import math
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = 10  # colours .chart-s0 … .chart-s9 in kengele.css
LABEL_CHARS = 30  # longer row labels are cut in a chart (the table has them whole)


def _rect(x: float, y: float, w: float, h: float, series: int, title: str) -> tuple:
    return (x, y, max(w, 0), h, f"chart-s{series % PALETTE}", title)


@dataclass
class Chart:
    title: str
    width: int
    height: int
    rects: list[tuple]  # x, y, width, height, class, title
    texts: list[dict]
    lines: list[dict]
    legend: list[str]

    @property
    def html(self) -> str:
        """The figure as markup, written here rather than by a template loop: a page holds
        thousands of shapes, which the template engine would take hundreds of ms to draw."""
        title = escape(self.title)
        out = [
            f'<figure class="chart"><svg class="chart-svg" viewBox="0 0 {self.width} '
            f'{self.height}" role="img" aria-label="{title}" preserveAspectRatio="xMinYMin '
            f'meet"><title>{title}</title>'
        ]
        out += [
            f'<line class="chart-grid" x1="{g["x1"]:.1f}" x2="{g["x2"]:.1f}" y1="{g["y"]:.1f}" '
            f'y2="{g["y"]:.1f}"></line>'
            for g in self.lines
        ]
        out += [
            f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}">'
            f"<title>{escape(tip)}</title></rect>"
            for x, y, w, h, cls, tip in self.rects
        ]
        out += [
            f'<text class="{t["cls"]}" x="{t["x"]:.1f}" y="{t["y"]:.1f}">{escape(t["text"])}</text>'
            for t in self.texts
        ]
        out.append("</svg>")
        if len(self.legend) > 1:
            out.append('<figcaption><ul class="chart-legend">')
            out += [
                f'<li><span class="chart-key chart-s{i % PALETTE}" aria-hidden="true"></span>'
                f"{escape(name)}</li>"
                for i, name in enumerate(self.legend)
            ]
            out.append("</ul></figcaption>")
        out.append("</figure>")
        return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _chart(title, width, height, rects, texts, lines, legend) -> Chart:
    return Chart(str(title), width, height, rects, texts, lines, [str(n) for n in legend])


def _nice_ceiling(value: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `value` (an axis' top)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def column_chart(*, title, labels: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """Stacked columns, one per label (a week), one colour per series."""
    width, height, left, top, bottom = 760, 230, 44, 12, 40
    plot_w, plot_h = width - left - 8, height - top - bottom
    totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
    ceiling = _nice_ceiling(max(totals, default=0))
    step = plot_w / max(len(labels), 1)
    rects, texts, lines = [], [], []
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        lines.append({"x1": left, "x2": width - 8, "y": y})
        value = formats.number_format(ceiling * fraction, 0 if ceiling * fraction % 1 == 0 else 1)
        texts.append({"x": left - 6, "y": y + 4, "text": value, "cls": "chart-axis"})
    every = math.ceil(len(labels) / 12) or 1
    for i, label in enumerate(labels):
        x, y = left + i * step + step * 0.14, top + plot_h
        for s, (name, values) in enumerate(series):
            if not values[i]:
                continue
            h = plot_h * values[i] / ceiling
            y -= h
            rects.append(_rect(x, y, step * 0.72, h, s, f"{label} · {name}: {values[i]}"))
        if i % every == 0:
            texts.append({"x": x + step * 0.36, "y": height - 22, "text": label, "cls": "chart-x"})
    return _chart(title, width, height, rects, texts, lines, [name for name, _v in series])


def bar_chart(
    *, title, labels: list[str], series: list[tuple[str, list]], stacked=False, text=str
) -> Chart:
    """Horizontal bars, one row per label: stacked, or grouped side by side per series.
    `text` writes a value for people (a duration, a share)."""
    width, left, right = 760, 210, 70
    plot_w = width - left - right
    band = 16 if stacked else 10 * len(series) + 6
    height = band * len(labels) + 8
    if stacked:
        ends = [sum(values[i] or 0 for _name, values in series) for i in range(len(labels))]
    else:
        ends = [v or 0 for _name, values in series for v in values]
    ceiling = _nice_ceiling(max(ends, default=0))
    rects, texts = [], []
    for i, label in enumerate(labels):
        y = 4 + i * band
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        texts.append({"x": left - 8, "y": y + band / 2 + 4, "text": short, "cls": "chart-label"})
        x = left
        for s, (name, values) in enumerate(series):
            value = values[i]
            if value is None:
                continue
            w = plot_w * value / ceiling
            bar_y, bar_h = (y + 2, band - 4) if stacked else (y + 2 + 10 * s, 8)
            rects.append(_rect(x, bar_y, w, bar_h, s, f"{label} · {name}: {text(value)}"))
            if stacked:
                x += w
            else:
                texts.append(
                    {"x": x + w + 4, "y": bar_y + 7.5, "text": text(value), "cls": "chart-value"}
                )  # fmt: skip
        if stacked:
            total = sum(values[i] or 0 for _name, values in series)
            texts.append(
                {"x": x + 4, "y": y + band / 2 + 4, "text": text(total), "cls": "chart-value"}
            )  # fmt: skip
    return _chart(title, width, height, rects, texts, [], [name for name, _v in series])
