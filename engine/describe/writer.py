"""kubectl describe's writer: indentation levels over Go's text/tabwriter.

kubectl builds every description with `tabbedString`: a `text/tabwriter.Writer` initialised
with minwidth 0, tabwidth 8, padding 2, padchar ' ' and no flags, written to through a
`PrefixWriter` whose levels indent by two spaces each (pkg/describe/describe.go).
"""

from __future__ import annotations

from engine.tabwriter import tabwrite as go_tabwrite

DESCRIBE_MIN_WIDTH = 0
DESCRIBE_PADDING = 2
LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4 = range(5)


def tabwrite(
    lines: list[str], *, min_width: int = DESCRIBE_MIN_WIDTH, padding: int = DESCRIBE_PADDING
) -> list[str]:
    """Align tab-separated lines as Go's text/tabwriter does with describe's settings."""
    return go_tabwrite(lines, min_width=min_width, padding=padding)


def _escape(text: str) -> str:
    # printers.WriteEscaped: terminal escape sequences in object fields are made visible.
    return text.replace("\x1b", "^[")


class PrefixWriter:
    """kubectl's prefixWriter over a tabwriter: `write(level, text)` and `flush()`."""

    def __init__(self) -> None:
        self._pending = ""
        self._done: list[str] = []

    def write(self, level: int, text: str) -> None:
        """Write text indented by two spaces per level (text carries its own tabs/newlines)."""
        self._pending += "  " * level + _escape(text)

    def write_line(self, text: str = "") -> None:
        """WriteLine: the text and a newline, no indentation."""
        self._pending += _escape(text) + "\n"

    def flush(self) -> None:
        """Align what was written so far; later text forms new column blocks."""
        if not self._pending:
            return
        text = self._pending
        self._pending = ""
        complete = text.endswith("\n")
        lines = text.split("\n")
        if complete:
            lines = lines[:-1]
        aligned = tabwrite(lines)
        self._done.append("\n".join(aligned) + ("\n" if complete else ""))

    def text(self) -> str:
        """Everything written, aligned (tabbedString's result)."""
        self.flush()
        return "".join(self._done)
