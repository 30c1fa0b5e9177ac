"""Rows changed off screen are printed late: the table takes a record of the new object and
prints it when it is drawn, when a filter or a sort reads its cells, or in the catch-up
after the frame. Each test checks what the user sees is what printing at once would show."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from podtui.app.rows import TableRow
from podtui.app.views import row_filter
from podtui.app.widgets.resource_table import ResourceTable

COLUMNS = ("NAME", "STATUS", "AGE")


def obj(name: str, status: str = "Running") -> dict:
    return {
        "metadata": {
            "name": name,
            "namespace": "default",
            "creationTimestamp": "2025-01-01T00:00:00Z",
            "labels": {"app": "web"},
        },
        "status": status,
    }


def record(o: dict) -> TableRow:
    """What RowBuilder.record makes: the object, no cells."""
    meta = o["metadata"]
    return TableRow(
        f"default/{meta['name']}", (), "", o, labels=dict(meta["labels"]), printed=False
    )


class Printer:
    """Prints rows from their objects and counts what it printed."""

    def __init__(self) -> None:
        self.printed: list[str] = []
        self.busy = False

    def row(self, o: dict) -> TableRow:
        meta = o["metadata"]
        return TableRow(f"default/{meta['name']}", (meta["name"], o["status"], "1m"), "", o)

    def __call__(self, rows: list[TableRow], wait: bool) -> list[TableRow] | None:
        if self.busy and not wait:
            return None
        self.printed.extend(row.key for row in rows)
        return [self.row(row.obj) for row in rows]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(id="table")


async def start(pilot, app: TableApp, count: int = 100) -> tuple[ResourceTable, Printer]:
    table = app.query_one(ResourceTable)
    printer = Printer()
    table.printer = printer
    table.reset(COLUMNS, [printer.row(obj(f"web-{i:03d}")) for i in range(count)])
    table.focus()
    await pilot.pause()
    return table, printer


def line(app: TableApp, y: int) -> str:
    table = app.query_one(ResourceTable)
    return "".join(segment.text for segment in table.render_line(y)).rstrip()


async def test_a_row_changed_off_screen_is_not_printed_with_the_batch() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, printer = await start(pilot, app)
        table.apply([record(obj("web-090", "CrashLoopBackOff"))], [])
        assert printer.printed == []
        assert table.unprinted_count == 1
        assert table.get_row("default/web-090").obj["status"] == "CrashLoopBackOff"
        # The catch-up after the frame prints it.
        await pilot.pause()
        await pilot.pause()
        assert printer.printed == ["default/web-090"]
        assert table.unprinted_count == 0
        assert table.get_row("default/web-090").cells[1] == "CrashLoopBackOff"


async def test_a_row_changed_on_screen_is_printed_with_the_batch() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, printer = await start(pilot, app)
        table.apply([record(obj("web-002", "Error"))], [])
        assert printer.printed == ["default/web-002"]
        assert table.unprinted_count == 0
        await pilot.pause()
        assert "Error" in line(app, 3)


async def test_scrolling_shows_a_row_whose_object_changed_while_off_screen() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, printer = await start(pilot, app)
        printer.busy = True  # the engine is mid-tick: no catch-up
        table.apply([record(obj("web-090", "CrashLoopBackOff"))], [])
        await pilot.pause()
        assert table.unprinted_count == 1
        printer.busy = False
        table.move_cursor_to_key("default/web-090")
        await pilot.pause()
        assert table.unprinted_count == 0
        shown = [line(app, y) for y in range(1, table.size.height)]
        assert any(text.startswith("web-090") and "CrashLoopBackOff" in text for text in shown)


async def test_columns_widen_when_a_row_off_screen_gets_a_wider_cell() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table, _printer = await start(pilot, app)
        assert line(app, 0).index("AGE") == len("web-000   Running   ")
        table.apply([record(obj("web-090", "CreateContainerConfigError"))], [])
        await pilot.pause()
        await pilot.pause()
        assert table.unprinted_count == 0
        assert line(app, 0).index("AGE") == len("web-000   CreateContainerConfigError   ")
        # And narrow again when it goes back.
        table.apply([record(obj("web-090", "Running"))], [])
        await pilot.pause()
        await pilot.pause()
        assert line(app, 0).index("AGE") == len("web-000   Running   ")


async def test_a_filter_judges_rows_changed_off_screen_by_their_new_cells() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, printer = await start(pilot, app)
        printer.busy = True
        table.apply([record(obj(f"web-{i:03d}", "Error")) for i in (50, 70, 90)], [])
        assert table.unprinted_count == 3
        printer.busy = False
        table.set_filter(row_filter("Error"))
        assert table.visible_keys() == ["default/web-050", "default/web-070", "default/web-090"]
        await pilot.pause()


async def test_a_sort_by_status_sorts_rows_changed_off_screen_by_their_new_cells() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, printer = await start(pilot, app)
        printer.busy = True
        table.apply([record(obj("web-090", "Completed"))], [])
        assert table.unprinted_count == 1
        printer.busy = False
        table.sort_by(1)
        assert table.visible_keys()[0] == "default/web-090"
        await pilot.pause()


async def test_a_table_with_a_filter_prints_each_changed_row_at_once() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, printer = await start(pilot, app)
        table.set_filter(row_filter("web"))
        table.apply([record(obj("web-090", "Error"))], [])
        assert printer.printed == ["default/web-090"]
        assert table.unprinted_count == 0
        await pilot.pause()


def pod_manifest(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }


async def test_the_pods_pane_shows_a_pod_that_crashed_off_screen_when_scrolled_to() -> None:
    """The console over the engine: a crash far below the screen is not printed with the
    tick, and `G` (last row) shows it as kubectl would print it."""
    from engine import actions
    from engine.cluster import Cluster, default_node
    from engine.printers.registry import print_row
    from podtui.app.app import PodtuiApp
    from podtui.app.session import Session

    cluster = Cluster(seed=0)
    cluster.boot(default_nodes=False)
    cluster.api.create(default_node("node-1", {"cpu": "64", "memory": "256Gi", "pods": "110"}))
    for index in range(60):
        cluster.api.create(pod_manifest(f"pod-{index:02d}"))
    cluster.run_until(20)
    session = Session.simulating(cluster)
    session.take_changes()
    app = PodtuiApp(session, paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.main_screen.table
        assert table.total_count == 60
        table.printer = counting = Counting(table.printer)
        before = table.get_row("default/pod-59").cells
        with session.lock:
            actions.inject(cluster, "crash", pod="pod-59")
        app.advance(2)
        assert "default/pod-59" not in counting.keys
        assert table.unprinted_count >= 1
        await pilot.press("G")
        await pilot.pause()
        row = table.get_row("default/pod-59")
        assert row is not None and row.printed
        with session.lock:
            pod = cluster.store.get("Pod", "default", "pod-59")
            expected = tuple(print_row(pod, session.now_datetime()))
        assert expected[1:4] != before[1:4]  # READY, STATUS, RESTARTS
        assert row.cells == expected
        assert "default/pod-59" in counting.keys


class Counting:
    """Wraps the screen's printer and notes which rows it printed."""

    def __init__(self, printer) -> None:
        self.printer = printer
        self.keys: list[str] = []

    def __call__(self, rows: list[TableRow], wait: bool) -> list[TableRow] | None:
        printed = self.printer(rows, wait)
        if printed is not None:
            self.keys.extend(row.key for row in rows)
        return printed


async def test_a_view_reset_with_records_prints_the_rows_on_screen_then_the_rest() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        printer = Printer()
        table.printer = printer
        records = [record(obj(f"web-{i:03d}", "Running")) for i in range(100)]
        for row in records:  # what RowBuilder.record fills: the name
            row.cells = (row.obj["metadata"]["name"], "", "")
        printer.busy = True  # no catch-up yet
        table.reset(COLUMNS, records)
        assert len(printer.printed) <= table.size.height
        assert table.unprinted_count == 100 - len(printer.printed)
        assert line(app, 1).startswith("web-000   Running")
        printer.busy = False
        table._catch_up()
        await until_printed(pilot, table)
        assert sorted(printer.printed) == sorted(row.key for row in records)


async def test_a_view_reset_with_records_and_a_filter_prints_them_all_at_once() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ResourceTable)
        printer = Printer()
        table.printer = printer
        records = [record(obj(f"web-{i:03d}", "Error" if i % 2 else "Running")) for i in range(40)]
        table.reset(COLUMNS, records, keep=row_filter("Error"))
        assert table.unprinted_count == 0
        assert table.row_count == 20
        await pilot.pause()


async def until_printed(pilot, table: ResourceTable) -> None:
    for _ in range(200):
        if not table.unprinted_count:
            return
        await pilot.pause()
    raise AssertionError(f"{table.unprinted_count} rows still unprinted")


def cluster_of(pods: int):
    from engine.cluster import Cluster, default_node

    cluster = Cluster(seed=0)
    cluster.boot(default_nodes=False)
    cluster.api.create(default_node("node-1", {"cpu": "64", "memory": "256Gi", "pods": "110"}))
    for index in range(pods):
        cluster.api.create(pod_manifest(f"pod-{index:02d}"))
    cluster.run_until(20)
    return cluster


async def pods_pane_lines(monkeypatch, eager_rows: int, keys: tuple[str, ...]) -> list[str]:
    from podtui.app.app import PodtuiApp
    from podtui.app.screens import main
    from podtui.app.session import Session

    monkeypatch.setattr(main, "EAGER_ROWS", eager_rows)
    session = Session.simulating(cluster_of(90))
    session.take_changes()
    app = PodtuiApp(session, paused=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.main_screen.table
        await pilot.press(*keys)
        await until_printed(pilot, table)
        await pilot.pause()
        return [
            "".join(segment.text for segment in table.render_line(y))
            for y in range(table.size.height)
        ]


@pytest.mark.parametrize("keys", [(), ("G",), ("pagedown", "pagedown", "up")])
async def test_a_big_view_printed_late_looks_as_one_printed_whole(monkeypatch, keys) -> None:
    whole = await pods_pane_lines(monkeypatch, 10_000, keys)
    late = await pods_pane_lines(monkeypatch, 10, keys)
    assert late == whole
    assert any("pod-" in text for text in late)


def test_the_name_a_record_holds_is_the_name_every_printer_prints() -> None:
    """RowBuilder.record fills NAME with metadata.name, and the table sorts records by it
    before they are printed: every printer's `name` column must print exactly that."""
    from datetime import UTC, datetime

    from engine.api.kinds import all_kinds
    from engine.cluster import Cluster
    from podtui.app.rows import RowBuilder, columns_for

    Cluster(seed=0).boot()  # every package's kinds and printers registered
    now = datetime(2025, 1, 2, tzinfo=UTC)
    for info in all_kinds():
        for wide, every in ((False, False), (True, True)):
            columns = columns_for(info.kind, wide=wide, all_namespaces=every)
            builder = RowBuilder(info.kind, columns)
            thing = {
                "kind": info.kind,
                "metadata": {
                    "name": "x-1",
                    "namespace": "ns",
                    "creationTimestamp": "2025-01-01T00:00:00Z",
                },
            }
            printed = builder.cells(thing, now)
            skeleton = builder.record(thing).cells
            for name, cell, kept in zip(columns.names, printed, skeleton, strict=True):
                if kept:
                    assert kept == cell, (info.kind, name)
            if "NAME" in columns.names:
                assert skeleton[columns.names.index("NAME")] == "x-1", info.kind


async def test_width_counts_after_late_prints_are_those_of_every_row_counted_afresh() -> None:
    """Rows printed late are counted in batches, column by column: the counts must be what
    counting every row's cells from scratch gives."""
    import random
    from collections import Counter

    rng = random.Random(3)
    statuses = ("Running", "Error", "CrashLoopBackOff", "Completed", "ContainerCreating")
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, _printer = await start(pilot, app, count=300)
        for _ in range(6):
            changed = rng.sample(range(300), 120)
            table.apply([record(obj(f"web-{i:03d}", rng.choice(statuses))) for i in changed], [])
            await until_printed(pilot, table)
            rows = [table.get_row(key) for key in table.visible_keys()]
            afresh = [Counter(len(row.cells[i]) for row in rows) for i in range(len(COLUMNS))]
            assert table._width_counts == afresh
