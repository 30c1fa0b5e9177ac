"""ColumnIndex: a table's cells held column by column, for the `/` filter to search.

Judging 150,000 rows means reading 150,000 row objects, their cell tuples and cell strings
scattered over the heap: most of a filter's time is spent waiting on memory, not on the
regex (a pattern searches the same names laid end to end in one string five times faster).
So the table keeps, beside its sorted order, each column in that order: a column of names
(many distinct values) as one string, a line per row; any other column (STATUS, READY,
AGE: few distinct values) as its values, each distinct value one shared string, with a
count of each, so that a pattern is tried once per distinct value and a column none of
whose values it finds is not read at all. Rows changed in place are patched in (the table
knows their places); a row moved, added or removed means a new index.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress
from operator import attrgetter, itemgetter

from podtui.app.rows import TableRow

SAMPLE = 64
"""Rows looked at to tell a column of names from a column of few values."""
NAMES_IN_SAMPLE = 16
"""More distinct values than this among the sample: a column of names."""


class ColumnIndex:
    """The cells of a list of rows (the table's sorted order), column by column.

    Built in one go (`build`), or a slice of rows at a time (`add`, then `finish`): the
    table builds it after a big view's first frame, while the console is idle."""

    def __init__(self, width: int, sample: list[TableRow]) -> None:
        self.rows: list[TableRow] = []
        """The list indexed: the table's, which it patches after telling `patch`."""
        self.size = 0
        self.width = width
        self._texts: dict[int, str | None] = {}
        """A column of names: its cells joined by newlines (None: to join again)."""
        self._parts: dict[int, list[str]] = {}
        """While building: each slice's lines of a column of names."""
        self._values: dict[int, tuple[list[str], Counter[str], dict[str, str]]] = {}
        """Another column: (its cells, each distinct value one shared string; how many
        rows hold each value; the shared strings)."""
        cells = [row.cells for row in sample[:SAMPLE]]
        for column in range(width):
            if len({row[column] for row in cells if len(row) > column}) > NAMES_IN_SAMPLE:
                self._parts[column] = []
            else:
                self._values[column] = ([], Counter(), {})

    @staticmethod
    def build(rows: list[TableRow], width: int) -> ColumnIndex | None:
        """An index of these rows; None when they are not all `width` cells wide."""
        index = ColumnIndex(width, rows)
        if not index.add(rows):
            return None
        index.finish(rows)
        return index

    def add(self, rows: list[TableRow]) -> bool:
        """Take in the next rows of the list; False when one is not `width` cells wide."""
        width = self.width
        cells = list(map(attrgetter("cells"), rows))
        if not cells:
            return True
        if min(map(len, cells)) != width or max(map(len, cells)) != width:
            return False
        self.size += len(rows)
        for column, parts in self._parts.items():
            parts.append("\n".join(map(itemgetter(column), cells)))
        for column, (values, counts, shared) in self._values.items():
            plain = list(map(itemgetter(column), cells))
            added = list(map(shared.setdefault, plain, plain))
            values.extend(added)
            counts.update(added)
        return True

    def finish(self, rows: list[TableRow]) -> None:
        """Every row is in: `rows` is the list they came from, in order."""
        assert len(rows) == self.size
        self.rows = rows
        for column, parts in self._parts.items():
            self._texts[column] = "\n".join(parts)
        self._parts = {}

    def is_text(self, column: int) -> bool:
        return column in self._texts

    def text(self, column: int) -> str | None:
        """A column of names, a line per row; None if a cell holds a line break (a row
        would take two lines: the filter reads the rows instead)."""
        text = self._texts[column]
        if text is None:
            text = "\n".join(map(itemgetter(column), map(attrgetter("cells"), self.rows)))
            self._texts[column] = text
        return text if text.count("\n") == max(self.size - 1, 0) else None

    def values(self, column: int) -> tuple[list[str], Counter[str]]:
        """Another column: its cells in order, and how many rows hold each value."""
        values, counts, _ = self._values[column]
        return values, counts

    def where(self, column: int, found: set[str]) -> list[int]:
        """The places of the rows whose cell in this column is one of `found`."""
        values = self._values[column][0]
        return list(compress(range(self.size), map(found.__contains__, values)))

    def patch(self, place: int, old: TableRow, new: TableRow) -> bool:
        """Row `place` changed in place from `old` to `new`; False when the index cannot
        take it (its width changed: build a new one)."""
        if len(new.cells) != self.width:
            return False
        cells = new.cells
        for column, (values, counts, shared) in self._values.items():
            before = values[place]
            value = cells[column]
            if value == before:
                continue
            value = shared.setdefault(value, value)
            values[place] = value
            counts[before] -= 1
            if not counts[before]:
                del counts[before]
            counts[value] += 1
            if len(shared) > 2 * len(counts) + 1000:
                # Values no row holds any more (AGE, `3 (6s ago)` move on): forgotten.
                self._values[column] = (values, counts, {value: value for value in counts})
        old_cells = old.cells
        for column in self._texts:
            if old_cells[column] != cells[column]:
                self._texts[column] = None
        return True
