"""Charts as SVG geometry, drawn by templates/triage/stats_chart.html: no script and no style
attribute (a content security policy is coming), colours from classes in kengele.css."""

import math

from django.utils import formats

PALETTE = 10  # colours .chart-s0 … .chart-s9 in kengele.css
LABEL_CHARS = 30  # longer row labels are cut in a chart (the table has them whole)


def _nice_ceiling(value: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `value` (an axis' top)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def column_chart(*, title, labels: list[str], series: list[tuple[str, list[int]]]) -> dict:
    """Stacked columns, one per label (a week), one colour per series."""
    width, height, left, top, bottom = 760, 230, 44, 12, 40
    plot_w, plot_h = width - left - 8, height - top - bottom
    totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
    ceiling = _nice_ceiling(max(totals, default=0))
    step = plot_w / max(len(labels), 1)
    rects, texts, lines = [], [], []
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        lines.append({"x1": left, "x2": width - 8, "y1": round(y, 1), "y2": round(y, 1)})
        value = formats.number_format(ceiling * fraction, 0 if ceiling * fraction % 1 == 0 else 1)
        texts.append({"x": left - 6, "y": round(y + 4, 1), "text": value, "cls": "chart-axis"})
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
            texts.append(
                {"x": round(x + step * 0.36, 1), "y": height - 22, "text": label, "cls": "chart-x"}
            )
    return _chart(title, width, height, rects, texts, lines, [name for name, _v in series])


def bar_chart(
    *, title, labels: list[str], series: list[tuple[str, list]], stacked=False, text=str
) -> dict:
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
        texts.append(
            {"x": left - 8, "y": round(y + band / 2 + 4, 1), "text": short, "cls": "chart-label"}
        )
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
                    {"x": round(x + w + 4, 1), "y": round(bar_y + 7.5, 1), "text": text(value),
                     "cls": "chart-value"}
                )  # fmt: skip
        if stacked:
            total = sum(values[i] or 0 for _name, values in series)
            texts.append(
                {"x": round(x + 4, 1), "y": round(y + band / 2 + 4, 1), "text": text(total),
                 "cls": "chart-value"}
            )  # fmt: skip
    return _chart(title, width, height, rects, texts, [], [name for name, _v in series])


def _rect(x: float, y: float, w: float, h: float, series: int, title: str) -> dict:
    return {
        "x": round(x, 1),
        "y": round(y, 1),
        "width": round(max(w, 0), 1),
        "height": round(h, 1),
        "cls": f"chart-s{series % PALETTE}",
        "title": title,
    }


def _chart(title, width, height, rects, texts, lines, legend) -> dict:
    return {
        "title": title,
        "width": width,
        "height": height,
        "rects": rects,
        "texts": texts,
        "lines": lines,
        "legend": [
            {"label": name, "cls": f"chart-s{i % PALETTE}"} for i, name in enumerate(legend)
        ],
    }
