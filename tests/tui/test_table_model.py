"""The table's model at scale: the sorted index a filter reads in order, filters that judge a
whole column at once, and rows kept per object resourceVersion between loads of a view.

Each fast path is checked against the plain one it replaces, over randomized rows."""

from __future__ import annotations

import random

import pytest
from textual.app import App, ComposeResult

from podtui.app.rows import RowBuilder, RowCache, TableRow, columns_for, natural_key
from podtui.app.views import row_filter
from podtui.app.widgets.resource_table import ResourceTable

COLUMNS = ("NAME", "STATUS", "RESTARTS", "AGE")
STATUSES = ("Running", "CrashLoopBackOff", "Pending", "Completed")


def random_row(rng: random.Random, index: int, version: int = 0) -> TableRow:
    name = f"web-{index}"
    created = f"2025-01-01T00:{rng.randint(0, 59):02d}:00Z"
    obj = {"metadata": {"name": name, "namespace": "default", "creationTimestamp": created}}
    labels = {
        key: rng.choice(["a", "b", "10", "3"])
        for key in rng.sample(["app", "tier", "n"], rng.randint(0, 3))
    }
    cells = (name, rng.choice(STATUSES), str(rng.randint(0, 12)), f"{rng.randint(1, 90)}s")
    return TableRow(f"default/{name}", cells, "", obj, 0.0, labels, version)


FILTERS = [
    "web-1",
    "^web-1.*0$",
    "!Running",
    "crash|pending",
    "^1",
    "[",
    "-l app=a",
    "-l app!=a",
    "-l app in (a,b),tier",
    "-l !tier",
    "-l n>5",
    "-l n<5,app",
]


@pytest.mark.parametrize("text", FILTERS)
def test_a_filter_judges_a_whole_table_as_it_judges_each_row(text: str) -> None:
    rng = random.Random(text)
    rows = [random_row(rng, index) for index in range(2000)]
    keep = row_filter(text)
    assert keep is not None
    expected = [keep(row) for row in rows]
    assert list(keep.select(rows)) == expected  # type: ignore[attr-defined]
    assert 0 < sum(expected) < len(rows) or text in ("[",)


def test_a_filter_over_rows_of_different_widths_still_judges_each_row() -> None:
    rows = [
        TableRow("a", ("web", "Running"), "", {}),
        TableRow("b", ("db",), "", {}),
    ]
    keep = row_filter("Running")
    assert list(keep.select(rows)) == [True, False]  # type: ignore[union-attr]


def test_natural_key_splits_numbers_from_words() -> None:
    assert natural_key("Web-10-X") == ("web-", 10, "-x")
    assert natural_key("") == ("",)
    assert natural_key("12") == ("", 12, "")
    assert sorted(["pod-10", "pod-9", "Pod-1a"], key=natural_key) == ["Pod-1a", "pod-9", "pod-10"]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(id="table")


def expected_keys(table: ResourceTable, rows: dict[str, TableRow], keep) -> list[str]:
    """What the table must show: every row through the filter, sorted from scratch."""
    shown = [row for row in rows.values() if keep is None or keep(row)]
    order = sorted(shown, key=table._entry)
    keys = [row.key for row in order]
    return keys[::-1] if table.sort_reverse else keys


@pytest.mark.parametrize("column", [0, 1, 2, 3])
async def test_a_filtered_sorted_table_follows_every_change_as_a_fresh_sort_would(
    column: int,
) -> None:
    rng = random.Random(column)
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        rows = {row.key: row for row in (random_row(rng, index) for index in range(300))}
        table.reset(COLUMNS, list(rows.values()), sort_column=column, reverse=column == 2)
        next_index = 300
        for step in range(40):
            if step % 10 == 0:
                keep = row_filter(rng.choice(["!Running", "web-1", "-l app=a", ""]))
                table.set_filter(keep)
            upserts = [random_row(rng, rng.randrange(next_index), step) for _ in range(15)]
            upserts = list({row.key: row for row in upserts}.values())
            for row in upserts[:5]:
                # Same cells (a change the table shows the same): nothing moves.
                old = rows.get(row.key)
                if old is not None:
                    row.cells = old.cells
                    row.obj = old.obj
            new = [random_row(rng, next_index + i) for i in range(3)]
            next_index += 3
            removals = rng.sample(sorted(rows), 4)
            upserts = [row for row in upserts if row.key not in removals]
            table.apply(upserts + new, removals)
            for key in removals:
                rows.pop(key)
            rows.update({row.key: row for row in upserts + new})
            assert table.visible_keys() == expected_keys(table, rows, keep)
            assert table.total_count == len(rows)
        table.set_filter(None)
        assert table.visible_keys() == expected_keys(table, rows, None)
        await pilot.pause()


async def test_a_filter_after_rows_changed_in_place_judges_their_new_cells() -> None:
    """The table keeps the rows in sorted order for the next filter and puts the rows that
    changed without moving (same NAME, the sort column) at their places: each filter must
    still see every row as it is now, as a fresh sort would."""
    rng = random.Random(7)
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        rows = {row.key: row for row in (random_row(rng, index) for index in range(400))}
        table.reset(COLUMNS, list(rows.values()), sort_column=0)
        for step in range(12):
            keep = row_filter(rng.choice(["!Running", "crash|pending", "-l app=a", "web-1"]))
            table.set_filter(keep)
            assert table.visible_keys() == expected_keys(table, rows, keep)
            # A few rows (some steps: most of them) change STATUS and labels, not NAME.
            count = 300 if step % 4 == 3 else 10
            upserts = []
            for key in rng.sample(sorted(rows), count):
                row = random_row(rng, int(key.rsplit("-", 1)[1]), step)
                row.obj = rows[key].obj
                upserts.append(row)
            table.apply(upserts, [])
            rows.update({row.key: row for row in upserts})
            table.set_filter(None)
        await pilot.pause()


def pod(name: str, version: int, phase: str = "Running") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "resourceVersion": str(version),
            "creationTimestamp": "2025-01-01T00:00:00Z",
        },
        "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        "status": {"phase": phase},
    }


def test_a_view_loaded_again_keeps_the_rows_of_objects_that_did_not_change() -> None:
    from engine.timeutil import DEFAULT_START

    columns = columns_for("Pod", wide=False, all_namespaces=False)
    cache = RowCache()
    objs = [pod(f"web-{i}", i + 1) for i in range(4)]
    first = RowBuilder("Pod", columns, cache).build_all(objs, DEFAULT_START, 0.0)
    # One object written since (a new resourceVersion), one replaced by a new dict.
    objs[1]["status"]["phase"] = "Pending"
    objs[1]["metadata"]["resourceVersion"] = "10"
    objs[2] = pod("web-2", 3)
    again = RowBuilder("Pod", columns, cache).build_all(objs, DEFAULT_START, 0.0)
    assert [a is b for a, b in zip(first, again, strict=True)] == [True, False, False, True]
    assert again[1].cells[2] == "Pending"
    # A row built for a change is the one the next load takes.
    builder = RowBuilder("Pod", columns, cache)
    objs[3]["metadata"]["resourceVersion"] = "11"
    changed = builder.build(objs[3], DEFAULT_START, 0.0)
    assert RowBuilder("Pod", columns, cache).build_all(objs, DEFAULT_START, 0.0)[3] is changed


def test_the_row_cache_forgets_deleted_objects_past_twice_the_view() -> None:
    from engine.timeutil import DEFAULT_START

    columns = columns_for("Pod", wide=False, all_namespaces=False)
    cache = RowCache()
    builder = RowBuilder("Pod", columns, cache)
    builder.build_all([pod("web-0", 1)], DEFAULT_START, 0.0)
    for index in range(1, 2000):  # pods that come and go while the view is on screen
        builder.build(pod(f"churn-{index}", index + 1), DEFAULT_START, 0.0)
    assert len(cache.views[("Pod", columns)]) <= 2 * 1 + 1000


@pytest.mark.parametrize(
    "namespace", ["default", "kube-system", "team-2", "Ab", "", "a/b", "é", "ns10x"]
)
def test_a_rows_order_among_equal_cells_is_the_natural_order_of_its_key(namespace: str) -> None:
    from podtui.app.widgets.resource_table import _key_order

    for name in ["web-10", "web-9", "Web-1a", "0", "x", "db-01-2", "a10b20"]:
        key = f"{namespace}/{name}" if namespace else name
        assert _key_order(key, name, natural_key(name)) == natural_key(key)
        assert _key_order(key, name, None) == natural_key(key)
