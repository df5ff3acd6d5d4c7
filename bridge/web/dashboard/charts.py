"""Chart geometry for server-rendered inline SVG: the templates draw what this computes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    show_label: bool


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    max_value: float

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def columns(
    id: str, title: str, points: Sequence[tuple[str, float]], width: int = 640, height: int = 200
) -> Chart:
    """Vertical bars along x, labels below (thinned out so they do not overlap)."""
    top, bottom = 16, 36
    peak = max((v for _l, v in points), default=0) or 1
    slot = width / max(1, len(points))
    every = max(1, round(len(points) / 10))
    bars = []
    for i, (label, value) in enumerate(points):
        h = (height - top - bottom) * value / peak
        bars.append(
            Bar(
                i * slot + 1,
                height - bottom - h,
                max(1.0, slot - 2),
                h,
                label,
                value,
                i % every == 0,
            )
        )
    return Chart(id, title, width, height, tuple(bars), False, peak)


def rows(
    id: str, title: str, points: Sequence[tuple[str, float]], width: int = 640, row: int = 24
) -> Chart:
    """Horizontal bars, one per row, label on the left."""
    left, right = 170, 50
    peak = max((v for _l, v in points), default=0) or 1
    bars = tuple(
        Bar(left, i * row + 2, (width - left - right) * value / peak, row - 6, label, value, True)
        for i, (label, value) in enumerate(points)
    )
    return Chart(id, title, width, max(row, row * len(points)) + 4, bars, True, peak)
