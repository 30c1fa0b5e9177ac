"""What a user sets up in one kind's view (sort, filter, cursor), and k9s' filter syntax."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from engine.labels import parse_selector
from podtui.app.rows import TableRow


@dataclass
class ViewState:
    """What the user set up in one kind's view."""

    sort_column: str | None = None
    reverse: bool = False
    filter_text: str = ""
    cursor_key: str | None = None


def row_filter(text: str) -> Callable[[TableRow], bool] | None:
    """k9s' filter: a regex, `!regex` for the inverse, `-l selector` for labels."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("-l "):
        try:
            selector = parse_selector(text[3:].strip())
        except Exception:
            return lambda row: False
        return lambda row: selector.matches(row.labels)
    inverse = text.startswith("!")
    if inverse:
        text = text[1:]
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error:
        pattern = re.compile(re.escape(text), re.IGNORECASE)

    def keep(row: TableRow) -> bool:
        found = any(pattern.search(cell) for cell in row.cells)
        return found != inverse

    return keep
