"""Attempts per country over time as an inline SVG, computed on the server.

CSP forbids inline scripts and style attributes, so the chart is plain SVG geometry with
presentation attributes (fill, stroke), rendered by a template.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from budstikke.core import clock

WIDTH, HEIGHT, PAD = 640, 220, 30
COLOURS = ("#c0392b", "#2471a3", "#d68910", "#7d3c98", "#148f77", "#7f8c8d")
TOP = 5


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: str
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    maximum: int
    first_day: str
    last_day: str
    axis_y: int
    axis_x_end: int


def build(rows: list[tuple[str, str, int]], days: int) -> Chart:
    today = clock.now().date()
    first = today - timedelta(days=days - 1)
    per_country: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for day_text, country, count in rows:
        label = country or "--"
        per_country[label][date.fromisoformat(day_text)] += count
        totals[label] += count
    ranked = sorted(totals, key=lambda c: -totals[c])
    shown, rest = ranked[:TOP], ranked[TOP:]
    if rest:
        other: dict[date, int] = defaultdict(int)
        for label in rest:
            for day, count in per_country[label].items():
                other[day] += count
        per_country["other"] = other
        totals["other"] = sum(totals[label] for label in rest)
        shown.append("other")
    maximum = max((count for label in shown for count in per_country[label].values()), default=0)
    scale_y = (HEIGHT - 2 * PAD) / max(1, maximum)
    step_x = (WIDTH - 2 * PAD) / max(1, days - 1)
    series = []
    for index, label in enumerate(shown):
        counts = per_country[label]
        points = " ".join(
            f"{PAD + i * step_x:.1f},"
            f"{HEIGHT - PAD - counts.get(first + timedelta(days=i), 0) * scale_y:.1f}"
            for i in range(days)
        )
        series.append(Series(label, COLOURS[index % len(COLOURS)], points, totals[label]))
    return Chart(
        WIDTH,
        HEIGHT,
        series,
        maximum,
        first.isoformat(),
        today.isoformat(),
        HEIGHT - PAD,
        WIDTH - PAD,
    )
