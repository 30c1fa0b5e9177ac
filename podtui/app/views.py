"""What a user sets up in one kind's view (sort, filter, cursor), and k9s' filter syntax."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from engine.labels import Selector, parse_selector
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
        return LabelFilter(selector)
    inverse = text.startswith("!")
    if inverse:
        text = text[1:]
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error:
        pattern = re.compile(re.escape(text), re.IGNORECASE)
    return CellFilter(pattern, inverse)


class LabelFilter:
    """Keeps the rows whose labels the selector matches."""

    def __init__(self, selector: Selector) -> None:
        self.selector = selector

    def __call__(self, row: TableRow) -> bool:
        return self.selector.matches(row.labels)

    def select(self, rows: Sequence[TableRow]) -> Iterable[bool]:
        """What `__call__` says of each row, requirement by requirement: a requirement reads
        one label, so it is asked once per distinct value of that label, not once per row."""
        requirements = self.selector.requirements
        if not requirements:  # everything, or nothing (NOTHING has no requirements either)
            return map(self, rows)
        labels = [labels or {} for labels in map(operator.attrgetter("labels"), rows)]
        columns: list[list[bool]] = []
        for requirement in requirements:
            values = list(map(operator.methodcaller("get", requirement.key), labels))
            verdicts = {
                value: requirement.matches({} if value is None else {requirement.key: value})
                for value in set(values)
            }
            columns.append(list(map(verdicts.__getitem__, values)))
        return map(all, zip(*columns, strict=True))


class CellFilter:
    """Keeps the rows with a cell the pattern finds (or, inverse, with none)."""

    def __init__(self, pattern: re.Pattern[str], inverse: bool) -> None:
        self.pattern = pattern
        self.inverse = inverse

    def __call__(self, row: TableRow) -> bool:
        found = any(self.pattern.search(cell) for cell in row.cells)
        return found != self.inverse

    def select(self, rows: Sequence[TableRow]) -> Iterable[bool]:
        """What `__call__` says of each row, column by column: a column of few distinct
        values (STATUS, READY) is searched once per value, not once per row; 150,000 rows
        are filtered in a fraction of the time a row-by-row search takes."""
        cells = list(map(operator.attrgetter("cells"), rows))
        width = min(map(len, cells), default=0)
        if width != max(map(len, cells), default=0):
            return map(self, rows)
        search = self.pattern.search
        hits: list[Iterable[object]] = []
        for index in range(width):
            pick = operator.itemgetter(index)
            if len(set(map(pick, cells[:64]))) > 16:  # a column of names: each its own
                hits.append(map(search, map(pick, cells)))
                continue
            found = {value for value in set(map(pick, cells)) if search(value)}
            if found:  # most columns have no value the pattern finds: skipped
                hits.append(map(found.__contains__, map(pick, cells)))
        if not hits:
            return [self.inverse] * len(rows)
        kept = map(any, zip(*hits, strict=True)) if len(hits) > 1 else map(bool, hits[0])
        return map(operator.not_, kept) if self.inverse else kept
