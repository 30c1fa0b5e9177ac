"""The Logs tab's view, with k9s' log toggles: timestamps (`kubectl logs --timestamps`),
wrap, autoscroll, a since-window (`--since`) and a `/` search that keeps the matching
lines and highlights the match, as k9s' log filter does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import RichLog

SINCE_KEYS: dict[str, tuple[str, float | None]] = {
    "0": ("tail", None),
    "1": ("head", None),
    "2": ("1m", 60.0),
    "3": ("5m", 300.0),
    "4": ("15m", 900.0),
    "5": ("30m", 1800.0),
    "6": ("1h", 3600.0),
}
"""k9s' log view keys: 0 tail, 1 head, 2..6 the last 1m, 5m, 15m, 30m, 1h."""


@dataclass
class LogOptions:
    """What the Logs tab shows: kubectl logs' flags and k9s' view toggles."""

    timestamps: bool = False
    wrap: bool = False
    autoscroll: bool = True
    since: str = "tail"
    search: str = ""

    @property
    def since_seconds(self) -> float | None:
        return next((s for name, s in SINCE_KEYS.values() if name == self.since), None)

    def describe(self) -> str:
        """`timestamps · wrap · autoscroll off · since 5m · /err`: what is on."""
        parts = []
        if self.timestamps:
            parts.append("timestamps")
        if self.wrap:
            parts.append("wrap")
        if not self.autoscroll:
            parts.append("autoscroll off")
        if self.since != "tail":
            parts.append(self.since if self.since == "head" else f"since {self.since}")
        if self.search:
            parts.append(f"/{self.search}")
        return " · ".join(parts)


def search_pattern(search: str) -> re.Pattern[str] | None:
    """The search as a case-insensitive regex (a literal when it is not a valid one)."""
    if not search:
        return None
    try:
        return re.compile(search, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(search), re.IGNORECASE)


class LogView(RichLog):
    """The lines of one container's log; only new lines are written when the log grows."""

    DEFAULT_CSS = """
    LogView { height: 1fr; background: $background; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=False, markup=False, highlight=False, max_lines=5000)
        self.shown: list[str] = []
        """The lines on screen (after the since-window and the search)."""
        self._key: tuple = ()

    def reset(self) -> None:
        """Forget what is shown: the next `show` writes everything afresh."""
        self.clear()
        self.shown = []
        self._key = ()

    def show(self, lines: list[str], options: LogOptions, highlight: str = "") -> None:
        """Show `lines` (already timestamped and windowed) under the search."""
        pattern = search_pattern(options.search)
        if pattern is not None:
            lines = [line for line in lines if pattern.search(line)]
        key = (options.wrap, options.search)
        self.auto_scroll = options.autoscroll
        if key == self._key and lines[: len(self.shown)] == self.shown:
            new = lines[len(self.shown) :]
        else:
            self.clear()
            self.wrap = options.wrap
            new = lines
            self._key = key
        for line in new:
            text = Text(line)
            if pattern is not None:
                text.highlight_regex(pattern, style=highlight or "reverse")
            self.write(text)
        if new and options.since == "head" and len(new) == len(lines):
            self.scroll_home(animate=False)
        self.shown = list(lines)
