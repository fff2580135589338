"""Tiny server-side SVG charts: bars, stacked bars, lines and sparklines, no JavaScript.

Each function returns a SafeString of one self-contained <svg>, with a <title> per bar or point
for hover text. All text passes through format_html, so labels from data are escaped. The
numbers are printed beside each chart by the templates; the charts are for shape at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#c53030", "#805ad5", "#718096"]


@dataclass(frozen=True)
class Threshold:
    value: float
    label: str
    color: str = "#c53030"


def _nice_max(value: float) -> float:
    """Round the axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(value))
    return next(step * base for step in (1, 2, 5, 10) if step * base >= value)


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.2g}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.2g}"


def _frame(width: int, height: int, title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        title,
        title,
        body,
    )


@dataclass(frozen=True)
class _Plot:
    width: int
    height: int
    top: float
    left: float = 44.0
    right: float = 8.0
    bottom: float = 22.0
    maximum: float = 1.0

    @property
    def inner_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float) -> float:
        return round(
            self.top + self.inner_height * (1 - min(value, self.maximum) / self.maximum), 1
        )


def _axes(plot: _Plot, labels: Sequence[str], percent: bool) -> SafeString:
    base = plot.top + plot.inner_height
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#a0aec0"/>',
            plot.left,
            base,
            plot.width - plot.right,
            base,
        ),
        format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#4a5568">{}</text>',
            plot.left - 4,
            plot.top + 8,
            _fmt(plot.maximum, percent),
        ),
        format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#4a5568">0</text>',
            plot.left - 4,
            base,
        ),
    ]
    if labels:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="#4a5568">{}</text>',
                plot.left,
                plot.height - 6,
                labels[0],
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#4a5568">{}</text>',
                plot.width - plot.right,
                plot.height - 6,
                labels[-1],
            )
        )
    return mark_safe("".join(parts))  # each part built by format_html


def _threshold_lines(plot: _Plot, thresholds: Sequence[Threshold]) -> SafeString:
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"/>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="{}">{}</text>',
        (
            (
                plot.left,
                plot.y(t.value),
                plot.width - plot.right,
                plot.y(t.value),
                t.color,
                plot.width - plot.right - 2,
                plot.y(t.value) - 3,
                t.color,
                t.label,
            )
            for t in thresholds
        ),
    )


def _legend(names: Sequence[str]) -> SafeString:
    return format_html_join(
        "",
        '<rect x="{}" y="2" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="11" font-size="11" fill="#2d3748">{}</text>',
        ((44 + i * 110, PALETTE[i % len(PALETTE)], 58 + i * 110, n) for i, n in enumerate(names)),
    )


def bar_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    width: int = 560,
    height: int = 180,
    thresholds: Sequence[Threshold] = (),
    percent: bool = False,
) -> SafeString:
    """Stacked bars, one per label; each series a colour, bottom to top in the order given."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    peak = max([*totals, *(t.value * 1.25 for t in thresholds)], default=0)
    plot = _Plot(width, height, top=18 if len(series) > 1 else 8, maximum=_nice_max(peak))
    slot = plot.inner_width / max(len(labels), 1)
    bars = []
    for i, label in enumerate(labels):
        stacked = 0.0
        for s, (name, values) in enumerate(series.items()):
            value = values[i]
            if value <= 0:
                continue
            y_top, y_bottom = plot.y(stacked + value), plot.y(stacked)
            bars.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    round(plot.left + i * slot + slot * 0.1, 1),
                    y_top,
                    round(slot * 0.8, 1),
                    round(max(y_bottom - y_top, 0.5), 1),
                    PALETTE[s % len(PALETTE)],
                    label,
                    _fmt(value, percent),
                    name,
                )
            )
            stacked += value
    body = mark_safe(  # every part built by format_html
        "".join(
            [
                _axes(plot, labels, percent),
                *bars,
                _threshold_lines(plot, thresholds),
                _legend(list(series)) if len(series) > 1 else "",
            ]
        )
    )
    return _frame(width, height, title, body)


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    width: int = 560,
    height: int = 180,
    thresholds: Sequence[Threshold] = (),
    percent: bool = False,
) -> SafeString:
    """One line per series over the labels, with dots at each point."""
    peak = max(
        [*(v for values in series.values() for v in values), *(t.value * 1.25 for t in thresholds)],
        default=0,
    )
    plot = _Plot(width, height, top=18 if len(series) > 1 else 8, maximum=_nice_max(peak))
    step = plot.inner_width / max(len(labels) - 1, 1)
    lines = []
    for s, (name, values) in enumerate(series.items()):
        color = PALETTE[s % len(PALETTE)]
        points = [(plot.left + i * step, plot.y(v)) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        lines.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', path, color
            )
        )
        lines.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{}: {} {}</title></circle>',
                (
                    (round(x, 1), round(y, 1), color, labels[i], _fmt(values[i], percent), name)
                    for i, (x, y) in enumerate(points)
                ),
            )
        )
    body = mark_safe(  # every part built by format_html
        "".join(
            [
                _axes(plot, labels, percent),
                _threshold_lines(plot, thresholds),
                *lines,
                _legend(list(series)) if len(series) > 1 else "",
            ]
        )
    )
    return _frame(width, height, title, body)


def sparkline(values: Sequence[float], *, width: int = 120, height: int = 28) -> SafeString:
    """A bare line for a table cell or a readonly admin field."""
    peak = max(values, default=0) or 1
    low = min(values, default=0)
    span = (peak - low) or 1
    step = width / max(len(values) - 1, 1)
    path = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img" aria-label="trend"><polyline points="{}" fill="none" stroke="#2b6cb0" '
        'stroke-width="1.5"/></svg>',
        width,
        height,
        width,
        height,
        path,
    )
