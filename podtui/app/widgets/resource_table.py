"""ResourceTable: a keyed, sorted, filtered table that renders only the rows on screen.

Textual's DataTable re-measures every row when anything changes (about 150 ms per tick at
10,000 rows here, and 3.4 s to first paint), so panes use this Line-API table instead:
rows live in a dict by key and an ordered index of (sort value, key) over every row, with
the rows the filter keeps taken from it in order (a filter or its removal never sorts); an
update touches only the changed rows (an O(log n) move when its sort position changes,
nothing when its sort cell is the same), and a repaint draws the few dozen visible lines.
The cursor follows its row's key, and stays at the same place on screen while rows come
and go around it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import compress, islice
from operator import itemgetter
from types import EllipsisType

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from podtui.app.rows import (
    IMMUTABLE_SORT_COLUMNS,
    TableRow,
    is_time_column,
    natural_key,
    sort_value,
)
from podtui.app.widgets.column_fit import elide, fit_widths
from podtui.app.widgets.column_index import SAMPLE, ColumnIndex

COLUMN_GAP = 3
"""Spaces between columns: kubectl's tabwriter padding."""
NAME_KEPT = 40
"""NAME cells up to this long are never cut to make room for other columns."""
CATCH_UP_ROWS = 500
INDEX_AFTER_LOAD = 20_000
"""A view of this many rows builds its filter's column index (ColumnIndex) once its rows
are printed, while idle: the first `/` filter reads the columns instead of every row
(about 0.2 s of CPU at 150,000 rows, which the filter would otherwise wait for)."""
INDEX_ROWS = 10_000
"""Rows taken into that index per slice after a frame (about 10 ms of CPU)."""
"""Rows changed off screen printed per slice after a frame (about 8 ms of CPU: a key
pressed meanwhile waits for one slice at most)."""

Printer = Callable[[list[TableRow], bool], "list[TableRow] | None"]
"""Prints rows again from their objects at the current time, in order; with wait=False,
None when that cannot be done now (the engine is busy: the table tries again later)."""

Entry = tuple[tuple, tuple, str]
"""(sort value, name sort value, key): a row's place in the order."""


def _key_order(key: str, cell: str, cell_order: tuple | None) -> tuple:
    """natural_key(key); from natural_key(cell) (`cell_order`) when the key is that cell
    under a namespace without digits (`default/web-10`, NAME): a first sort of 150,000
    rows splits each name once instead of twice."""
    if cell_order is not None and cell and key.endswith(cell):
        prefix = key[: -len(cell)]
        plain = _PLAIN_PREFIXES.get(prefix)
        if plain is None:
            plain = prefix.endswith("/") and prefix.isascii() and not _DIGIT.search(prefix)
            if len(_PLAIN_PREFIXES) < 10_000:
                _PLAIN_PREFIXES[prefix] = plain
        if plain:
            return (prefix.lower() + cell_order[0], *cell_order[1:])
    return natural_key(key)


_DIGIT = re.compile(r"\d")
_PLAIN_PREFIXES: dict[str, bool] = {}
"""`namespace/` prefixes of keys, and whether they hold no digit (see _key_order)."""


class ResourceTable(ScrollView, can_focus=True):
    """A live table of one kind's objects."""

    COMPONENT_CLASSES = {
        "resource-table--header",
        "resource-table--sorted",
        "resource-table--cursor",
        "resource-table--failing",
        "resource-table--pending",
        "resource-table--terminating",
        "resource-table--completed",
        "resource-table--empty",
    }

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first_row", "First row", show=False, id="table.first"),
        Binding("end,G", "last_row", "Last row", show=False, id="table.last"),
        Binding("enter", "select_row", "Open", id="table.open"),
    ]

    class RowHighlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: ResourceTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class RowSelected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: ResourceTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class HeaderClicked(Message):
        """A click on a column heading (sort by it)."""

        def __init__(self, table: ResourceTable, column: int) -> None:
            super().__init__()
            self.table = table
            self.column = column

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: tuple[str, ...] = ()
        self._rows: dict[str, TableRow] = {}
        self._entries: dict[str, Entry] = {}
        self._all: list[Entry] = []
        """Every row's entry, sorted."""
        self._order: list[Entry] = self._all
        """The entries the filter keeps, in order (`_all` itself when there is no filter)."""
        self._all_rows: list[TableRow] | None = None
        """The row of each entry of `_all`, in its order, kept for the next filter: reading
        150,000 rows by key costs a filter more than judging them. None once `_all` changes
        (a row moved, came or went); rows replaced in place are in `_stale`."""
        self._stale: set[str] = set()
        """Keys whose row changed in place since `_all_rows` was read."""
        self._index: ColumnIndex | None = None
        """`_all_rows` column by column, for a filter that reads columns (CellFilter.places);
        built by the first such filter (or after a big view's load, while idle), patched
        with the rows changed in place since."""
        self._generation = 0
        """Bumped when `_all` changes shape (a row moved, came or went): an index being
        built from it is dropped."""
        self._indexing: ColumnIndex | None = None
        """The index being built after a big view's load, a slice at a time while idle."""
        self._indexing_rows: list[TableRow] = []
        self._indexing_generation = -1
        self._index_after_load = False
        self._widths: list[int] = []
        """Each column's natural width (its longest cell or heading)."""
        self._fitted: tuple[tuple[tuple[int, ...], int], list[int]] | None = None
        self._width_counts: list[Counter[int]] = []
        self._sort_column = 0
        self._reverse = False
        self._filter: Callable[[TableRow], bool] | None = None
        self._cursor_key: str | None = None
        self._cursor_index = 0
        self._styles: dict[str, Style] = {}
        self._paint: tuple[tuple[int, ...], int, Style] | None = None
        self.empty_message = ""
        self.time_version = 0
        """Bumped when simulated time moves: visible rows recompute their AGE-like cells."""
        self.printer: Printer | None = None
        """Prints rows from their objects: rows whose time-dependent cells are stale, and the
        records (TableRow.printed False) the table takes for rows changed off screen."""
        self._unprinted: set[str] = set()
        """Keys whose row is a record not printed yet: it keeps the cells of the row it
        replaced (and their widths) until printed on screen, for a sort or a filter, or
        by the catch-up after a frame. Only while no filter is set and the sort column is
        one an update cannot change (IMMUTABLE_SORT_COLUMNS)."""
        self._catching_up = False

    # -- reading --------------------------------------------------------------------------
    @property
    def columns(self) -> tuple[str, ...]:
        return self._columns

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._order)

    @property
    def total_count(self) -> int:
        """Rows held (before the filter)."""
        return len(self._rows)

    @property
    def unprinted_count(self) -> int:
        """Rows changed off screen whose new cells are not printed yet."""
        return len(self._unprinted)

    @property
    def cursor_key(self) -> str | None:
        return self._cursor_key

    @property
    def cursor_row(self) -> TableRow | None:
        return self._rows.get(self._cursor_key) if self._cursor_key else None

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._reverse

    def get_row(self, key: str) -> TableRow | None:
        return self._rows.get(key)

    def visible_keys(self) -> list[str]:
        """Keys in display order (every shown row, not only those on screen)."""
        keys = [entry[2] for entry in self._order]
        return keys[::-1] if self._reverse else keys

    def index_of(self, key: str) -> int | None:
        """The display index of a row, or None when it is filtered out or absent."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        index = bisect_left(self._order, entry)
        if index >= len(self._order) or self._order[index] != entry:
            return None
        return len(self._order) - 1 - index if self._reverse else index

    def key_at(self, index: int) -> str | None:
        if not 0 <= index < len(self._order):
            return None
        position = len(self._order) - 1 - index if self._reverse else index
        return self._order[position][2]

    # -- writing ----------------------------------------------------------------------------
    def reset(
        self,
        columns: Iterable[str],
        rows: Iterable[TableRow],
        *,
        sort_column: int = 0,
        reverse: bool = False,
        cursor_key: str | None = None,
        keep: Callable[[TableRow], bool] | EllipsisType | None = ...,
    ) -> None:
        """Show new columns and rows (a pane, namespace or wide switch). Records not printed
        yet (RowBuilder.record) are printed now if the filter or the sort reads them, else
        those on screen now and the others after the frame, in slices. `keep`: the filter
        (set_filter's predicate; by default the one set)."""
        if keep is not ...:
            self._filter = keep
        self._columns = tuple(columns)
        self._rows = {row.key: row for row in rows}
        self._unprinted = {key for key, row in self._rows.items() if not row.printed}
        self._entries = {}
        self._forget_rows()
        self._index = None
        self._indexing = None
        self._index_after_load = len(self._rows) >= INDEX_AFTER_LOAD
        self._widths = [len(name) for name in self._columns]
        self._sort_column = min(sort_column, max(len(self._columns) - 1, 0))
        self._reverse = reverse
        if self._unprinted and not self._may_wait():
            keys = list(self._unprinted)
            printed = self._print([self._rows[key] for key in keys], wait=True) or []
            self._rows.update(zip(keys, printed, strict=True))
            self._unprinted.clear()
        self._width_counts = self._count_all_widths(self._rows.values())
        self._rebuild_order()
        self._recompute_widths()
        # The remembered row may be filtered out now (a jump's filter): then the first row.
        target = cursor_key if cursor_key and self.index_of(cursor_key) is not None else None
        self._cursor_key = target if target is not None else self.key_at(0)
        index = self.index_of(self._cursor_key) if self._cursor_key is not None else None
        self._cursor_index = index or 0
        self._sync_size()
        self.scroll_to(
            y=max(0, self._cursor_index - self._page_height() // 2),
            animate=False,
            immediate=True,
            force=True,
        )
        if self._unprinted:
            on_screen = [self._rows[key] for key in self._keys_on_screen() & self._unprinted]
            self._take_printed(on_screen, self._print(on_screen, wait=True) or [])
            self._recompute_widths()
            self._schedule_catch_up()
        else:
            self._start_index()
        self.refresh()
        self.post_message(self.RowHighlighted(self, self._cursor_key))

    def apply(self, upserts: Iterable[TableRow], removals: Iterable[str]) -> None:
        """The keyed diff of one batch: changed rows in place, new rows in, gone rows out.

        The cursor stays on its row, at the same height on screen. When no row moves,
        only the changed rows on screen are repainted. Records not printed yet
        (RowBuilder.record) are printed now, unless the row is off screen and may wait:
        then it keeps its old cells until drawn, sorted, filtered or caught up.
        """
        upserts = self._print_needed(upserts)
        before = self._cursor_index - round(self.scroll_offset.y)
        old_cursor = self._cursor_key
        width_changed = False
        moved = False
        touched: list[str] = []
        keep = self._filter
        filtered = self._order is not self._all
        column = self._sort_column
        by_time = self._sort_by_time
        for key in removals:
            row = self._rows.pop(key, None)
            if row is None:
                continue
            self._unprinted.discard(key)
            self._count_widths(row, -1)
            width_changed = True
            self._forget_rows()
            entry = self._entries.pop(key)
            moved |= self._remove_entry(self._order, entry) or not filtered
            if filtered:
                self._remove_entry(self._all, entry)
        for row in upserts:
            old = self._rows.get(row.key)
            if not row.printed:
                # Off screen, in a table no update can reorder: the old row's cells stand
                # (for its place, the widths) until it is printed.
                assert old is not None
                row.cells, row.state, row.version = old.cells, old.state, old.version
                row.computed_at, row.sorted_by = old.computed_at, old.sorted_by
                self._rows[row.key] = row
                self._stale.add(row.key)
                self._unprinted.add(row.key)
                continue
            row.version = self.time_version
            if old is not None:
                self._unprinted.discard(row.key)
                if old.cells != row.cells:
                    width_changed |= self._recount_widths(old.cells, row.cells)
                self._rows[row.key] = row
                old_entry = self._entries[row.key]
                # The same sort cell sorts the same (time columns sort by the object's
                # timestamps, not the cell: those are recomputed).
                same_cell = (
                    old.cells[column : column + 1] == row.cells[column : column + 1]
                    and not by_time
                )
                entry = old_entry if same_cell else self._entry(row)
                if entry != old_entry:
                    self._forget_rows()
                else:
                    self._stale.add(row.key)
                if keep is None:
                    if entry != old_entry:
                        self._remove_entry(self._all, old_entry)
                        self._entries[row.key] = entry
                        insort(self._all, entry)
                        moved = True
                    else:
                        touched.append(row.key)
                    continue
                shown = keep(row)
                if entry != old_entry:
                    self._remove_entry(self._all, old_entry)
                    insort(self._all, entry)
                    self._entries[row.key] = entry
                    was_shown = self._remove_entry(self._order, old_entry)
                    if shown:
                        insort(self._order, entry)
                    moved |= was_shown or shown
                elif shown != self._order_has(entry):
                    # It passes the filter now, or no longer does.
                    if shown:
                        insort(self._order, entry)
                    else:
                        self._remove_entry(self._order, entry)
                    moved = True
                elif shown:
                    touched.append(row.key)
            else:
                self._rows[row.key] = row
                self._count_widths(row, 1)
                width_changed = True
                self._forget_rows()
                entry = self._entry(row)
                self._entries[row.key] = entry
                insort(self._all, entry)
                if not filtered:
                    moved = True
                elif keep is not None and keep(row):
                    insort(self._order, entry)
                    moved = True
        if width_changed:
            width_changed = self._recompute_widths()
        if moved or width_changed:
            self._place_cursor(old_cursor, before)
        else:
            self._refresh_keys(touched)
        if self._unprinted:
            self._schedule_catch_up()

    def refresh_times(self) -> None:
        """Simulated time moved: print the rows on screen again (AGE, `3 (6s ago)`, and
        rows changed while off screen) and repaint those whose text changed; rows off
        screen catch up when scrolled to."""
        self.time_version += 1
        top = round(self.scroll_offset.y)
        keys = [self.key_at(i) for i in range(top, min(top + self._page_height(), len(self._order)))]
        rows = [self._rows[key] for key in keys if key is not None]
        printed = self._print(rows, wait=True) if rows else None
        if printed is None:
            return
        width_changed = self._take_printed(rows, printed)
        changed = [
            old.key
            for old, fresh in zip(rows, printed, strict=True)
            if fresh.cells != old.cells or fresh.state != old.state
        ]
        if width_changed and self._recompute_widths():
            self.refresh()
        else:
            self._refresh_keys(changed)

    # -- rows printed late ------------------------------------------------------------------
    def _print(self, rows: list[TableRow], *, wait: bool) -> list[TableRow] | None:
        if self.printer is None:
            return None
        return self.printer(rows, wait)

    def _may_wait(self) -> bool:
        """Whether a row changed off screen may stay unprinted: nothing reads its cells
        before it is drawn (no filter, a sort column no update changes)."""
        return (
            self.printer is not None
            and self._filter is None
            and bool(self._columns)
            and self._columns[self._sort_column] in IMMUTABLE_SORT_COLUMNS
        )

    def _print_needed(self, upserts: Iterable[TableRow]) -> list[TableRow]:
        """The upserts with every record printed that cannot wait: new rows, rows on screen,
        and all of them while a filter or the sort column reads cells."""
        upserts = list(upserts)
        may_wait = self._may_wait()
        on_screen = self._keys_on_screen() if may_wait else set()
        rows = self._rows
        needed = [
            index
            for index, row in enumerate(upserts)
            if not row.printed
            and not (may_wait and row.key in rows and row.key not in on_screen)
        ]
        if needed:
            printed = self._print([upserts[index] for index in needed], wait=True)
            if printed is None:
                raise RuntimeError("a table given unprinted rows needs a printer")
            for index, row in zip(needed, printed, strict=True):
                upserts[index] = row
        return upserts

    def _keys_on_screen(self) -> set[str]:
        top = round(self.scroll_offset.y)
        end = min(top + self._page_height(), len(self._order))
        return {key for key in map(self.key_at, range(top, end)) if key is not None}

    def _take_printed(self, olds: list[TableRow], printed: list[TableRow]) -> bool:
        """Put rows printed again in their old rows' places (same keys, same sort values);
        True when a cell changed length (the widths are counted again)."""
        rows = self._rows
        version = self.time_version
        for old, fresh in zip(olds, printed, strict=True):
            fresh.version = version
            if not old.printed:
                # A record's sort value is one no update changes (_may_wait): kept for
                # the next load of the view, which takes this row from the RowCache.
                fresh.sorted_by = old.sorted_by
            rows[fresh.key] = fresh
        keys = [row.key for row in printed]
        self._stale.update(keys)
        self._unprinted.difference_update(keys)
        if len(olds) == 1:
            old, fresh = olds[0], printed[0]
            return fresh.cells != old.cells and self._recount_widths(old.cells, fresh.cells)
        return self._recount_all_widths(olds, printed)

    def _print_all(self) -> None:
        """Print every row still waiting (a filter or a sort is about to read cells)."""
        if not self._unprinted:
            return
        rows = [self._rows[key] for key in self._unprinted]
        printed = self._print(rows, wait=True)
        if printed is None:
            return
        self._take_printed(rows, printed)
        self._recompute_widths()

    def _schedule_catch_up(self) -> None:
        if not self._catching_up:
            self._catching_up = True
            self.call_after_refresh(self._catch_up)

    def _catch_up(self) -> None:
        """Print a slice of the rows still waiting, after the frame, so the widths and the
        next filter or sort find them printed; the next slice after the next frame."""
        self._catching_up = False
        if not self._unprinted:
            self._start_index()
            return
        rows = [self._rows[key] for key in islice(self._unprinted, CATCH_UP_ROWS)]
        printed = self._print(rows, wait=False)
        if printed is None:  # the engine is mid-tick: after it
            self._catching_up = True
            self.set_timer(0.05, self._catch_up)
            return
        if self._take_printed(rows, printed) and self._recompute_widths():
            self.refresh()
        if self._unprinted:
            self._schedule_catch_up()
        else:
            self._start_index()

    # -- the filter's column index, built while idle ------------------------------------------
    def _forget_rows(self) -> None:
        """`_all` changed shape: `_all_rows` is read again, an index being built dropped."""
        self._all_rows = None
        self._generation += 1

    def _start_index(self) -> None:
        """After a big view's load (its rows all printed): build the filter's column index
        a slice at a time, after frames, unless a filter has built it already."""
        if not self._index_after_load or self._indexing is not None:
            return
        self._index_after_load = False
        if self._index is not None or not self._columns:
            return
        sample = [self._rows[entry[2]] for entry in self._all[:SAMPLE]]
        self._indexing = ColumnIndex(len(self._columns), sample)
        self._indexing_rows = []
        self._indexing_generation = self._generation
        if self._all_rows is None:
            # Rows changed in place from now on are patched in; those before are read.
            self._stale.clear()
        self.call_after_refresh(self._index_step)

    def _index_step(self) -> None:
        if self._indexing is not None and not self._index_slice(INDEX_ROWS):
            self.call_after_refresh(self._index_step)

    def _index_slice(self, count: int) -> bool:
        """Take the next `count` rows into the index being built; True when it is done
        (installed as `_index`, with its rows as `_all_rows`) or dropped."""
        index = self._indexing
        if index is None:
            return True
        if self._indexing_generation != self._generation:
            self._indexing = None
            return True
        rows = self._indexing_rows
        start = len(rows)
        keys = map(itemgetter(2), self._all[start : start + count])
        chunk = list(map(self._rows.__getitem__, keys))
        if not index.add(chunk):
            self._indexing = None
            return True
        rows.extend(chunk)
        if len(rows) < len(self._all):
            return False
        index.finish(rows)
        self._all_rows = rows
        self._index = index
        self._indexing = None
        return True

    def _refresh_keys(self, keys: Iterable[str]) -> None:
        """Repaint the lines of these rows that are on screen (the screen's few dozen rows
        are looked at, not each of a tick's thousand changed keys)."""
        wanted = keys if isinstance(keys, (set, frozenset, dict)) else set(keys)
        if not wanted:
            return
        top = round(self.scroll_offset.y)
        for index in range(top, min(top + self._page_height(), len(self._order))):
            if self.key_at(index) in wanted:
                # refresh_line takes virtual lines; line 0 is the header.
                self.refresh_line(index + 1)

    def set_filter(self, predicate: Callable[[TableRow], bool] | None) -> None:
        """Show only rows the predicate keeps (None: all)."""
        before = self._cursor_index - round(self.scroll_offset.y)
        if predicate is not None:
            self._print_all()
        self._filter = predicate
        self._apply_filter()
        self._place_cursor(self._cursor_key, before)

    def sort_by(self, column: int, reverse: bool | None = None) -> None:
        """Sort by a column; the same column again flips the direction (as k9s does)."""
        if not self._columns:
            return
        column = max(0, min(column, len(self._columns) - 1))
        if reverse is None:
            reverse = not self._reverse if column == self._sort_column else False
        if self._columns[column] not in IMMUTABLE_SORT_COLUMNS:
            self._print_all()
        self._sort_column = column
        self._reverse = reverse
        before = self._cursor_index - round(self.scroll_offset.y)
        self._entries = {key: self._entry(row) for key, row in self._rows.items()}
        self._rebuild_order()
        self._place_cursor(self._cursor_key, before)

    def move_cursor_to_key(self, key: str) -> bool:
        index = self.index_of(key)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    # -- internals --------------------------------------------------------------------------
    @property
    def _sort_by_time(self) -> bool:
        return bool(self._columns) and is_time_column(self._columns[self._sort_column])

    def _entry(self, row: TableRow) -> Entry:
        column = self._columns[self._sort_column] if self._columns else ""
        kept = row.sorted_by
        if kept and kept[0] == column:
            return kept[1]
        cell = row.cells[self._sort_column] if row.cells else ""
        value = sort_value(column, cell, row.obj)
        # sort_value is (0, natural_key(cell)) for the columns that sort as text.
        by_text = column != "RESTARTS" and not is_time_column(column) and value[0] == 0
        entry = (value, _key_order(row.key, cell, value[1] if by_text else None), row.key)
        row.sorted_by = (column, entry)
        return entry

    def _order_has(self, entry: Entry) -> bool:
        index = bisect_left(self._order, entry)
        return index < len(self._order) and self._order[index] == entry

    @staticmethod
    def _remove_entry(order: list[Entry], entry: Entry) -> bool:
        """Take an entry out of a sorted list; True when it was there."""
        index = bisect_left(order, entry)
        if index < len(order) and order[index] == entry:
            del order[index]
            return True
        return False

    def _rebuild_order(self) -> None:
        if not self._entries or len(self._entries) != len(self._rows):
            self._entries = {key: self._entry(row) for key, row in self._rows.items()}
        self._all = sorted(self._entries.values())
        self._forget_rows()
        self._apply_filter()

    def _apply_filter(self) -> None:
        """The shown rows: every row, or those the filter keeps, in the sorted order."""
        keep = self._filter
        if keep is None:
            self._order = self._all
            return
        places = getattr(keep, "places", None)
        if places is not None and self._indexing is not None:
            self._index_slice(len(self._all))  # the rest of the index being built, now
        shown = self._rows_in_order()
        if places is not None:
            index = self._index
            if index is None or index.rows is not shown:
                index = self._index = ColumnIndex.build(shown, len(self._columns))
            kept = places(index) if index is not None else None
            if kept is not None:
                self._order = list(map(self._all.__getitem__, kept))
                return
        select = getattr(keep, "select", None)
        kept = select(shown) if select is not None else map(keep, shown)
        self._order = list(compress(self._all, kept))

    def _rows_in_order(self) -> list[TableRow]:
        """Each entry of `_all`'s row, in order: the list kept since the last filter with
        the rows changed in place since put at their places (a bisect each), or read again
        by key when any row moved, came or went (or most rows changed)."""
        rows = self._all_rows
        stale = self._stale
        if rows is None or len(stale) * 16 > len(rows):
            rows = list(map(self._rows.__getitem__, map(itemgetter(2), self._all)))
            self._index = None
        else:
            order = self._all
            index = self._index if self._index is not None and self._index.rows is rows else None
            for key in stale:
                row = self._rows.get(key)
                if row is not None:
                    place = bisect_left(order, self._entries[key])
                    if index is not None and not index.patch(place, rows[place], row):
                        index = self._index = None
                    rows[place] = row
        stale.clear()
        self._all_rows = rows
        return rows

    def _count_all_widths(self, rows: Iterable[TableRow]) -> list[Counter[int]]:
        """Each column's cell lengths, counted column by column."""
        count = len(self._columns)
        cells = [row.cells for row in rows]
        if cells and min(map(len, cells)) >= count:
            columns = list(zip(*cells, strict=False))[:count]
            counts = [Counter(map(len, column)) for column in columns]
            return counts + [Counter() for _ in range(count - len(counts))]
        return [
            Counter(len(row[index]) for row in cells if index < len(row)) for index in range(count)
        ]

    def _count_widths(self, row: TableRow, delta: int) -> None:
        for index, cell in enumerate(row.cells[: len(self._width_counts)]):
            counts = self._width_counts[index]
            counts[len(cell)] += delta
            if counts[len(cell)] <= 0:
                del counts[len(cell)]

    def _recount_widths(self, old: tuple[str, ...], new: tuple[str, ...]) -> bool:
        """Move width counts of the cells that changed length; True when any did."""
        changed = False
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            if len(before) == len(after) or index >= len(self._width_counts):
                continue
            counts = self._width_counts[index]
            counts[len(before)] -= 1
            if counts[len(before)] <= 0:
                del counts[len(before)]
            counts[len(after)] += 1
            changed = True
        return changed

    def _recount_all_widths(self, olds: list[TableRow], news: list[TableRow]) -> bool:
        """_recount_widths for many rows, column by column; True when any count moved."""
        changed = False
        old_cells = [row.cells for row in olds]
        new_cells = [row.cells for row in news]
        if min(map(len, old_cells + new_cells), default=0) < len(self._width_counts):
            return any(
                [self._recount_widths(o, n) for o, n in zip(old_cells, new_cells, strict=True)]
            )
        for index, counts in enumerate(self._width_counts):
            pick = itemgetter(index)
            before = Counter(map(len, map(pick, old_cells)))
            after = Counter(map(len, map(pick, new_cells)))
            if before == after:
                continue
            changed = True
            counts.update(after)
            counts.subtract(before)
            for width in [width for width in before if counts[width] <= 0]:
                del counts[width]
        return changed

    def _recompute_widths(self) -> bool:
        """Column widths from the counts; True when any changed."""
        widths = [
            max(len(name), max(counts) if counts else 0)
            for name, counts in zip(self._columns, self._width_counts, strict=False)
        ]
        changed = widths != self._widths
        self._widths = widths
        self._sync_size()
        return changed

    def _line_width(self) -> int:
        widths = self._shown_widths()
        return sum(widths) + COLUMN_GAP * max(len(widths) - 1, 0)

    def _shown_widths(self) -> list[int]:
        """The natural widths fitted to the screen's width (see fit_widths)."""
        available = self.scrollable_content_region.width
        key = (tuple(self._widths), available)
        if self._fitted is None or self._fitted[0] != key:
            if available <= 0:  # not laid out yet
                widths = list(self._widths)
            else:
                # A heading keeps its name and the sort arrow; NAME, what a row is, is cut
                # last (only past NAME_KEPT cells).
                minimums = [
                    min(natural, NAME_KEPT) if name == "NAME" else len(name) + 1
                    for name, natural in zip(self._columns, self._widths, strict=False)
                ]
                widths = fit_widths(list(self._widths), minimums, available, COLUMN_GAP)
            self._fitted = (key, widths)
        return self._fitted[1]

    def on_resize(self) -> None:
        self._sync_size()
        self.refresh()

    def _sync_size(self) -> None:
        self.virtual_size = Size(self._line_width(), len(self._order) + 1)

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _place_cursor(self, key: str | None, screen_offset: int) -> None:
        """Put the cursor back on its row (or the row now at its place), at the same height."""
        index = self.index_of(key) if key is not None else None
        if index is None:
            index = min(self._cursor_index, max(len(self._order) - 1, 0))
        self._cursor_index = index
        new_key = self.key_at(index)
        self._sync_size()
        page = self._page_height()
        offset = max(0, min(screen_offset, page - 1))
        self.scroll_to(y=max(0, index - offset), animate=False, immediate=True, force=True)
        self.refresh()
        if new_key != self._cursor_key:
            self._cursor_key = new_key
            self.post_message(self.RowHighlighted(self, new_key))

    def _set_cursor(self, index: int) -> None:
        if not self._order:
            return
        index = max(0, min(index, len(self._order) - 1))
        old = self._cursor_index
        self._cursor_index = index
        key = self.key_at(index)
        top = round(self.scroll_offset.y)
        page = self._page_height()
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True, force=True)
        elif index >= top + page:
            self.scroll_to(y=index - page + 1, animate=False, immediate=True, force=True)
        if index != old or key != self._cursor_key:
            self._refresh_index(old)
            self._refresh_index(index)
        if key != self._cursor_key:
            self._cursor_key = key
            self.post_message(self.RowHighlighted(self, key))

    def _refresh_index(self, index: int) -> None:
        y = index - round(self.scroll_offset.y) + 1
        if 0 < y < self.size.height:
            self.refresh_line(index + 1)  # virtual line; line 0 is the header

    # -- actions ----------------------------------------------------------------------------
    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor_index - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor_index + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self._cursor_index - self._page_height())

    def action_page_down(self) -> None:
        self._set_cursor(self._cursor_index + self._page_height())

    def action_first_row(self) -> None:
        self._set_cursor(0)

    def action_last_row(self) -> None:
        self._set_cursor(len(self._order) - 1)

    def action_select_row(self) -> None:
        if self._cursor_key is not None:
            self.post_message(self.RowSelected(self, self._cursor_key))

    def _on_click(self, event: events.Click) -> None:
        y = event.y
        if y == 0:
            column = self._column_at(event.x + round(self.scroll_offset.x))
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = round(self.scroll_offset.y) + y - 1
        if 0 <= index < len(self._order):
            self._set_cursor(index)
            if event.chain >= 2 and self._cursor_key is not None:
                self.post_message(self.RowSelected(self, self._cursor_key))

    def _column_at(self, x: int) -> int | None:
        start = 0
        for index, width in enumerate(self._shown_widths()):
            if start <= x < start + width + COLUMN_GAP:
                return index
            start += width + COLUMN_GAP
        return None

    # -- rendering --------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(f"resource-table--{name}", partial=True)
            self._styles[name] = style
        return style

    def _fresh(self, row: TableRow) -> TableRow:
        if self.printer is None or (row.printed and row.version >= self.time_version):
            return row
        printed = self.printer([row], False)
        if not printed:
            return row  # the engine is mid-tick: its batch prints the rows on screen
        fresh = printed[0]
        if self._take_printed([row], printed):
            old = list(self._widths)
            self._widths = [
                max(len(name), max(counts) if counts else 0)
                for name, counts in zip(self._columns, self._width_counts, strict=False)
            ]
            if self._widths != old:
                self.call_after_refresh(self._after_width_change)
        return fresh

    def _after_width_change(self) -> None:
        self._sync_size()
        self.refresh()

    def _format(self, cells: tuple[str, ...]) -> str:
        gap = " " * COLUMN_GAP
        widths = self._shown_widths()
        last = len(widths) - 1
        return gap.join(
            elide(cell, width) if index == last else elide(cell, width).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=False))
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of one paint shares, read once: the widget's style walks its
        # ancestors (a quarter of a millisecond a line, measured).
        self._paint = (
            tuple(round(v) for v in self.scroll_offset),
            self.scrollable_content_region.width,
            self.rich_style,
        )
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        if self._paint is not None:
            (scroll_x, scroll_y), width, base = self._paint
        else:
            scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
            width = self.scrollable_content_region.width
            base = self.rich_style
        if y == 0:
            return self._header_strip(base).crop_extend(scroll_x, scroll_x + width, base)
        index = scroll_y + y - 1
        if not self._order:
            if y == 2 and self.empty_message:
                text = self.empty_message.center(width)
                return Strip([Segment(text, base + self._style("empty"))], width)
            return Strip.blank(width, base)
        key = self.key_at(index)
        if key is None:
            return Strip.blank(width, base)
        row = self._fresh(self._rows[key])
        style = base
        if row.state:
            style += self._style(row.state)
        if key == self._cursor_key:
            style += self._style("cursor")
        strip = Strip([Segment(self._format(row.cells), style)])
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _header_strip(self, base: Style) -> Strip:
        """Column names; the sort column is marked with ↑/↓ right after its name."""
        header = base + self._style("header")
        sorted_style = header + self._style("sorted")
        arrow = "↓" if self._reverse else "↑"
        segments = []
        last = len(self._columns) - 1
        for index, (name, width) in enumerate(
            zip(self._columns, self._shown_widths(), strict=False)
        ):
            span = width if index == last else width + COLUMN_GAP
            if index == self._sort_column:
                segments.append(Segment(name + arrow, sorted_style))
                segments.append(Segment(" " * max(span - len(name) - 1, 0), header))
            else:
                segments.append(Segment(name.ljust(span), header))
        return Strip(segments)
