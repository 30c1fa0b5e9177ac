"""Go's text/tabwriter (padchar ' ', no flags), which kubectl aligns its output with:
`kubectl get` tables (engine.printers.table) and `kubectl describe` (engine.describe.writer)
each with their own minimum width and padding."""

from __future__ import annotations


def tabwrite(lines: list[str], *, min_width: int, padding: int) -> list[str]:
    """Align tab-separated lines exactly as Go's text/tabwriter does.

    A cell is text ended by a tab; the last cell of a line is not part of any column.
    A column block is a run of adjacent lines that all have a cell in that column;
    its width is the widest cell plus padding, at least the minimum width.
    """
    rows = [line.split("\t") for line in lines]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(start: int, end: int) -> None:
        for cells in rows[start:end]:
            parts = []
            for j, cell in enumerate(cells):
                parts.append(cell)
                if j < len(widths):
                    parts.append(" " * (widths[j] - len(cell)))
            out.append("".join(parts))

    def format_block(start: int, end: int) -> None:
        column = len(widths)
        this = start
        while this < end:
            if column >= len(rows[this]) - 1:
                this += 1
                continue
            write_lines(start, this)
            start = this
            width = min_width
            while this < end and column < len(rows[this]) - 1:
                width = max(width, len(rows[this][column]) + padding)
                this += 1
            widths.append(width)
            format_block(start, this)
            widths.pop()
            start = this
        write_lines(start, end)

    format_block(0, len(rows))
    return out
