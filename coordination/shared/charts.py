"""Server-rendered SVG charts: coordinates computed here, drawn by a template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: date
    level: int


@dataclass(frozen=True)
class StepChart:
    width: int
    height: int
    left: int
    bottom: int
    points: list[Point]
    levels: list[tuple[float, int]]  # (y, level) of each grid line

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def step_chart(steps: Sequence[tuple[date, int]], levels: int) -> StepChart | None:
    """Levels over time: x is the date, y the ladder level (0 at the bottom)."""
    if not steps:
        return None
    width, height, left, right, top, bottom = 640, 240, 40, 20, 10, 30
    first, last = steps[0][0], steps[-1][0]
    span = max((last - first).days, 1)
    plot_width, plot_height = width - left - right, height - top - bottom

    def y_of(level: int) -> float:
        return top + plot_height * (1 - level / max(levels - 1, 1))

    points = [
        Point(
            left + (plot_width * (day - first).days / span if len(steps) > 1 else plot_width / 2),
            y_of(level),
            day,
            level,
        )
        for day, level in steps
    ]
    return StepChart(
        width, height, left, height - bottom, points, [(y_of(n), n) for n in range(levels)]
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: a hidden small count
    text: str
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]
    bar_height: int


def bar_chart(items: Sequence[tuple[str, int | None, str]]) -> BarChart:
    """Horizontal bars, one per (label, value, text shown); None draws no bar."""
    plot_width, bar_height, gap = 320, 18, 8
    # room for the longest label at 12 px (about 7 px a character), and for the text after
    # the longest bar
    label_width = max(120, 16 + 7 * max((len(label) for label, _, _ in items), default=0))
    top = max((value or 0 for _, value, _ in items), default=0) or 1
    bars = [
        Bar(label, value, text, index * (bar_height + gap), plot_width * (value or 0) / top)
        for index, (label, value, text) in enumerate(items)
    ]
    return BarChart(
        label_width + plot_width + 100,
        len(items) * (bar_height + gap),
        label_width,
        bars,
        bar_height,
    )
