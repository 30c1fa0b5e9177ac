"""The `/` filter read from the table's columns (ColumnIndex, CellFilter.places): it keeps
exactly the rows the row-by-row filter keeps, for every pattern it takes on, and hands the
others to the row-by-row path; an index patched with rows changed in place reads as one
built afresh."""

from __future__ import annotations

import random

import pytest
from textual.app import App, ComposeResult

from podtui.app.rows import TableRow
from podtui.app.views import CellFilter, row_filter
from podtui.app.widgets import resource_table
from podtui.app.widgets.column_index import ColumnIndex
from podtui.app.widgets.resource_table import ResourceTable

COLUMNS = ("NAME", "READY", "STATUS", "RESTARTS", "AGE")
STATUSES = ("Running", "CrashLoopBackOff", "Pending", "Completed", "")


def random_row(rng: random.Random, index: int) -> TableRow:
    name = rng.choice(["web", "db", "Web_x", "a.b", "crash", "x"]) + f"-{index}"
    cells = (
        name,
        rng.choice(["1/1", "0/1", "2/2"]),
        rng.choice(STATUSES),
        rng.choice(["0", "3", f"1 ({rng.randint(1, 9)}s ago)"]),
        f"{rng.randint(1, 90)}s",
    )
    return TableRow(f"default/{name}", cells, "", {}, 0.0, {})


TAKEN = [
    "web-1",
    "^web-1.*0$",
    "!Running",
    "crash|pending",
    "^1",
    "[",
    "0$",
    r"\bweb",
    r"web\d\d",
    r"^\w+-\d$",
    "[a-c]",
    "a.b",
    r"a\.b",
    "s ago)",
    "^$x",
    "!x-",
    "0/1|^db",
]
"""Patterns the columns answer: none reads past the cell its match starts in."""
HANDED_BACK = [
    r"\s",
    "[^x]",
    "(?s)web.*",
    r"(?<=-)1",
    r"\Aweb",
    r"web\Z",
    r"\B",
    "^$",
    "x*",
    "Run|",
    r"\n",
    r"\W",
]
"""Patterns that could read a line break or another line, or match an empty cell."""


def rows_for(seed: str, count: int = 1500) -> list[TableRow]:
    rng = random.Random(seed)
    return [random_row(rng, index) for index in range(count)]


@pytest.mark.parametrize("text", TAKEN + HANDED_BACK)
def test_a_filter_read_from_columns_keeps_the_rows_a_row_by_row_filter_keeps(text: str) -> None:
    rows = rows_for(text)
    keep = row_filter(text)
    assert isinstance(keep, CellFilter)
    index = ColumnIndex.build(rows, len(COLUMNS))
    assert index is not None
    places = keep.places(index)
    if text in HANDED_BACK:
        assert places is None
        return
    assert places == [place for place, row in enumerate(rows) if keep(row)]


def test_a_column_index_patched_in_place_reads_as_one_built_afresh() -> None:
    rng = random.Random(3)
    rows = rows_for("patch")
    index = ColumnIndex.build(rows, len(COLUMNS))
    assert index is not None
    for _ in range(2000):  # past the shared strings' limit: they are forgotten too
        place = rng.randrange(len(rows))
        new = random_row(rng, place)
        new.cells = (rows[place].cells[0], *new.cells[1:])
        if rng.random() < 0.01:
            new.cells = (f"renamed-{place}", *new.cells[1:])
        assert index.patch(place, rows[place], new)
        rows[place] = new
    fresh = ColumnIndex.build(list(rows), len(COLUMNS))
    assert fresh is not None
    for column in range(len(COLUMNS)):
        assert index.is_text(column) == fresh.is_text(column)
        if index.is_text(column):
            assert index.text(column) == fresh.text(column)
        else:
            assert index.values(column) == fresh.values(column)


def test_a_row_of_another_width_makes_a_new_index() -> None:
    rows = rows_for("width", 100)
    index = ColumnIndex.build(rows, len(COLUMNS))
    assert index is not None
    assert not index.patch(0, rows[0], TableRow("a", ("a", "b"), "", {}))
    assert ColumnIndex.build([*rows, TableRow("a", ("a",), "", {})], len(COLUMNS)) is None


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(id="table")


async def test_filters_between_changes_in_place_read_the_rows_as_they_are_now() -> None:
    """The index outlives a filter: the next one, after rows changed in place, finds their
    new cells (and not their old ones)."""
    rng = random.Random(11)
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        rows = {row.key: row for row in rows_for("table", 600)}
        table.reset(COLUMNS, list(rows.values()), sort_column=0)
        index = None
        patched = 0
        for step in range(16):
            text = rng.choice(["CrashLoop", "!Running", "s ago", "web-1", "0/1|^db"])
            keep = row_filter(text)
            table.set_filter(keep)
            expected = sorted((row for row in rows.values() if keep(row)), key=table._entry)
            assert table.visible_keys() == [row.key for row in expected], text
            assert table._index is not None
            patched += table._index is index
            index = table._index
            table.set_filter(None)
            upserts = []
            for key in rng.sample(sorted(rows), 20 if step % 5 else 200):
                row = random_row(rng, 0)
                row.key, row.cells = key, (rows[key].cells[0], *row.cells[1:])
                upserts.append(row)
            table.apply(upserts, [])
            rows.update({row.key: row for row in upserts})
        assert patched >= 10  # most steps patched the index rather than built one
        await pilot.pause()


async def poll(pilot, done, limit: int = 200) -> None:
    for _ in range(limit):
        if done():
            return
        await pilot.pause()
    raise AssertionError("not done after polling")


async def test_a_big_view_builds_its_filter_index_while_idle(monkeypatch) -> None:
    """After a big view's load the table builds the index after frames, a slice at a time;
    the first filter then reads it instead of building one."""
    monkeypatch.setattr(resource_table, "INDEX_AFTER_LOAD", 1000)
    monkeypatch.setattr(resource_table, "INDEX_ROWS", 300)
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        rows = {row.key: row for row in rows_for("idle", 2500)}
        table.reset(COLUMNS, list(rows.values()), sort_column=0)
        assert table._index is None  # not in the load itself
        await poll(pilot, lambda: table._index is not None)
        index = table._index
        keep = row_filter("CrashLoop")
        table.set_filter(keep)
        assert table._index is index
        expected = sorted((row for row in rows.values() if keep(row)), key=table._entry)
        assert table.visible_keys() == [row.key for row in expected]


async def test_rows_changed_while_the_index_is_built_are_seen_by_the_filter(monkeypatch) -> None:
    monkeypatch.setattr(resource_table, "INDEX_AFTER_LOAD", 1000)
    monkeypatch.setattr(resource_table, "INDEX_ROWS", 300)
    rng = random.Random(5)
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        rows = {row.key: row for row in rows_for("changes", 2500)}
        table.reset(COLUMNS, list(rows.values()), sort_column=0)
        assert table._indexing is not None
        assert not table._index_slice(1000)  # a slice taken: rows before and after it
        # Rows before and after the slices taken change STATUS in place.
        upserts = []
        for key in rng.sample(sorted(rows), 60):
            row = random_row(rng, 0)
            row.key, row.cells = key, (rows[key].cells[0], "1/1", "Evicted", "0", "1s")
            upserts.append(row)
        table.apply(upserts, [])
        rows.update({row.key: row for row in upserts})
        await poll(pilot, lambda: table._index is not None)
        keep = row_filter("Evicted")
        table.set_filter(keep)
        assert [key for key in table.visible_keys()] == sorted(
            (row.key for row in upserts), key=lambda key: table._entry(rows[key])
        )
        # A row coming in while an index is built drops it: the filter builds its own.
        table.set_filter(None)
        table._index = None
        table._index_after_load = True
        table._start_index()
        assert table._indexing is not None
        new = random_row(rng, 99999)
        table.apply([new], [])
        rows[new.key] = new
        await pilot.pause()
        assert table._indexing is None and table._index is None
        keep = row_filter("!Running")
        table.set_filter(keep)
        expected = sorted((row for row in rows.values() if keep(row)), key=table._entry)
        assert table.visible_keys() == [row.key for row in expected]
