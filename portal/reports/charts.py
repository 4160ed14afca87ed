"""Chart geometry for SVG drawn on the server (templates/reports/_charts.html draws it): no script,
nothing a strict CSP blocks (presentation attributes and the stylesheet's classes, no inline style),
each chart with a title and a description that screen readers announce. The page puts the same
figures in a table beside it: the chart is the picture, the table is the record."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

WIDTH = 640
ROW = 28
LABEL = 200
HEIGHT, BOTTOM, LEFT = 260, 220, 48
_ids = count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    css: str  # the stylesheet class giving its colour: chart-a, chart-b


@dataclass
class Chart:
    title: str
    description: str
    height: int
    uid: int = field(default_factory=lambda: next(_ids))
    width: int = WIDTH
    bars: list[dict] = field(default_factory=list)  # rect: x, y, w, h, css, tip
    texts: list[dict] = field(default_factory=list)  # x, y, text, anchor, css
    grid: list[float] = field(default_factory=list)  # y of horizontal grid lines
    lines: list[dict] = field(default_factory=list)  # polyline: points, css
    left: int = LEFT


def shown(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def ticks_for(top: float) -> list[float]:
    """Round tick values from 0 to at least top, at most six of them."""
    if top <= 0:
        return [0, 1]
    step = 1.0
    factors = (2, 2.5, 2)
    while top / step > 5:
        step *= factors[0]
        factors = (*factors[1:], factors[0])
    ticks, value = [], 0.0
    while value < top + step:
        ticks.append(value)
        value += step
    return ticks


def clip(label: str, size: int = 28) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def bar_chart(title: str, description: str, rows: list[tuple[str, float]], *, unit: str = "") -> Chart:
    """Horizontal bars, one per (label, value), scaled to the biggest value."""
    top = max((value for _, value in rows), default=0) or 1
    scale = (WIDTH - LABEL - 70) / top
    chart = Chart(title, description, max(ROW * len(rows), ROW) + 10)
    for index, (label, value) in enumerate(rows):
        y = 5 + index * ROW
        length = max(value * scale, 1 if value else 0)
        chart.texts.append({"x": LABEL - 8, "y": y + 18, "text": clip(label), "anchor": "end", "css": "chart-label"})
        chart.bars.append({"x": LABEL, "y": y + 4, "w": length, "h": ROW - 8, "css": "chart-a",
                           "tip": f"{label}: {shown(value)}{unit}"})
        chart.texts.append({"x": LABEL + length + 6, "y": y + 18, "text": f"{shown(value)}{unit}", "anchor": "start",
                            "css": "chart-value"})
    return chart


def _axes(chart: Chart, labels: list[str], series: list[Series]) -> tuple[float, float]:
    top = max((max(one.values, default=0) for one in series), default=0)
    ticks = ticks_for(top)
    scale = (BOTTOM - 20) / (ticks[-1] or 1)
    slot = (WIDTH - LEFT - 10) / max(len(labels), 1)
    for tick in ticks:
        y = BOTTOM - tick * scale
        chart.grid.append(y)
        chart.texts.append({"x": LEFT - 6, "y": y + 4, "text": shown(tick), "anchor": "end", "css": "chart-label"})
    every = max(1, len(labels) // 8)
    for index in range(0, len(labels), every):
        chart.texts.append({"x": LEFT + index * slot + slot / 2, "y": BOTTOM + 16, "text": labels[index],
                            "anchor": "middle", "css": "chart-label"})
    x = LEFT
    for one in series:  # the legend
        chart.bars.append({"x": x, "y": HEIGHT - 18, "w": 12, "h": 12, "css": one.css, "tip": one.name})
        chart.texts.append({"x": x + 16, "y": HEIGHT - 8, "text": one.name, "anchor": "start", "css": "chart-label"})
        x += 40 + 8 * len(one.name)
    return scale, slot


def column_chart(title: str, description: str, labels: list[str], series: list[Series]) -> Chart:
    """Columns per label (a day), the series side by side."""
    chart = Chart(title, description, HEIGHT)
    scale, slot = _axes(chart, labels, series)
    width = max(min(slot / (len(series) + 1), 24), 1)
    for index, label in enumerate(labels):
        x0 = LEFT + index * slot + (slot - width * len(series)) / 2
        for number, one in enumerate(series):
            value = one.values[index]
            chart.bars.append({"x": x0 + number * width, "y": BOTTOM - value * scale, "w": width,
                               "h": value * scale, "css": one.css, "tip": f"{label}: {one.name} {shown(value)}"})
    return chart


def line_chart(title: str, description: str, labels: list[str], series: list[Series]) -> Chart:
    chart = Chart(title, description, HEIGHT)
    scale, slot = _axes(chart, labels, series)
    for one in series:
        points = " ".join(f"{LEFT + i * slot + slot / 2:.1f},{BOTTOM - v * scale:.1f}"
                          for i, v in enumerate(one.values))
        chart.lines.append({"points": points, "css": one.css})
    return chart
