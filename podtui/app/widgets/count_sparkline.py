"""The header's sparklines: bar height is the count, on one scale from zero.

Textual's Sparkline scales each series from its own minimum to its own maximum, so a
constant `Failing 1` draws full bars and a Pending line that never left 0 can too. Here
0 is always the empty bar, a count is never drawn lower than a smaller one, and the three
series share one top (the largest count any of them reached in the window), so bars can
be compared across them: three failing pods beside thirty running ones draw low.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.color import Color as RichColor
from rich.color import blend_rgb
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult as WidgetRenderResult
from textual.reactive import reactive
from textual.widgets import Sparkline

BARS = "▁▂▃▄▅▆▇█"


def bar_heights(values: Sequence[int], width: int, top: int) -> list[int]:
    """One bar per column (0 = `▁` for none, 7 = `█` for `top`), each the largest count in
    its share of the window. A count above zero is at least `▂`, so it never looks like 0."""
    if width <= 0:
        return []
    top = max(top, 1)
    heights = []
    count = len(values)
    for column in range(width):
        start = column * count // width
        end = max((column + 1) * count // width, start + 1)
        bucket = values[start:end]
        value = max(bucket) if bucket else 0
        if value <= 0:
            heights.append(0)
        else:
            heights.append(max(1, min(len(BARS) - 1, math.ceil(value / top * (len(BARS) - 1)))))
    return heights


class _Bars:
    def __init__(self, heights: list[int], low: RichColor, high: RichColor) -> None:
        self.heights = heights
        self.low = low
        self.high = high

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        top = len(BARS) - 1
        low = self.low.get_truecolor()
        high = self.high.get_truecolor()
        for height in self.heights:
            colour = RichColor.from_triplet(blend_rgb(low, high, height / top))
            yield Segment(BARS[height], Style(color=colour))


class CountSparkline(Sparkline):
    """A Sparkline of pod counts whose height means the count (see the module docstring)."""

    top: reactive[int] = reactive(1)
    """The count a full bar stands for."""

    def render(self) -> WidgetRenderResult:
        _, base = self.background_colors
        low = base + self.get_component_styles("sparkline--min-color").color
        high = base + self.get_component_styles("sparkline--max-color").color
        values = [int(v) for v in self.data or []]
        return _Bars(
            bar_heights(values, self.size.width, self.top), low.rich_color, high.rich_color
        )
