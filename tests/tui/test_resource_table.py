"""ResourceTable: keyed updates, sorting, filtering, and a cursor that stays on its row."""

from __future__ import annotations

from textual.app import App, ComposeResult

from podtui.app.rows import TableRow
from podtui.app.widgets.resource_table import ResourceTable

COLUMNS = ("NAME", "STATUS", "RESTARTS", "AGE")


def pod_row(
    name: str, status: str = "Running", restarts: str = "0", created: str = "2025-01-01T00:00:00Z"
) -> TableRow:
    obj = {"metadata": {"name": name, "namespace": "default", "creationTimestamp": created}}
    return TableRow(f"default/{name}", (name, status, restarts, "1m"), "", obj)


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="table")

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        self.selected.append(event.key)


async def test_rows_are_sorted_by_name_naturally() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row("web-10"), pod_row("web-9"), pod_row("api")])
        await pilot.pause()
        assert table.visible_keys() == ["default/api", "default/web-9", "default/web-10"]


async def test_sorting_the_same_column_again_reverses_it() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(
            COLUMNS,
            [pod_row("a", restarts="3"), pod_row("b", restarts="10"), pod_row("c", restarts="1")],
        )
        table.sort_by(2)
        assert [k[-1] for k in table.visible_keys()] == ["c", "a", "b"]
        table.sort_by(2)
        assert [k[-1] for k in table.visible_keys()] == ["b", "a", "c"]
        await pilot.pause()


async def test_age_sorts_by_creation_time_youngest_first() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(
            COLUMNS,
            [
                pod_row("old", created="2025-01-01T00:00:00Z"),
                pod_row("new", created="2025-01-01T00:05:00Z"),
            ],
        )
        table.sort_by(3)
        assert table.visible_keys() == ["default/new", "default/old"]
        await pilot.pause()


async def test_an_update_changes_only_that_row_in_place() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row(f"pod-{i}") for i in range(5)])
        table.apply([pod_row("pod-3", status="CrashLoopBackOff")], [])
        await pilot.pause()
        assert table.get_row("default/pod-3").cells[1] == "CrashLoopBackOff"
        assert table.visible_keys() == [f"default/pod-{i}" for i in range(5)]


async def test_removed_rows_go_and_new_rows_land_in_sort_order() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row("a"), pod_row("c"), pod_row("e")])
        table.apply([pod_row("b"), pod_row("d")], ["default/c"])
        await pilot.pause()
        assert table.visible_keys() == ["default/a", "default/b", "default/d", "default/e"]


async def test_the_cursor_stays_on_its_row_while_rows_change_around_it() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row(f"pod-{i:03d}") for i in range(0, 200, 2)])
        table.focus()
        assert table.move_cursor_to_key("default/pod-100")
        await pilot.pause()
        screen_row = table.index_of("default/pod-100") - round(table.scroll_offset.y)
        # Rows appear above and below the cursor, others go, and the cursor's own row changes.
        table.apply(
            [pod_row(f"pod-{i:03d}") for i in range(1, 99, 2)]
            + [pod_row("pod-100", status="Terminating")],
            [f"default/pod-{i:03d}" for i in range(102, 140, 2)],
        )
        await pilot.pause()
        assert table.cursor_key == "default/pod-100"
        assert table.cursor_row.cells[1] == "Terminating"
        # ...and it is still at the same height on screen.
        assert table.index_of("default/pod-100") - round(table.scroll_offset.y) == screen_row


async def test_when_the_cursor_row_goes_the_cursor_takes_the_next_one() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row(n) for n in ("a", "b", "c")])
        table.move_cursor_to_key("default/b")
        table.apply([], ["default/b"])
        await pilot.pause()
        assert table.cursor_key == "default/c"


async def test_a_filter_hides_rows_and_keeps_the_cursor_when_it_can() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row(n) for n in ("api", "web-1", "web-2")])
        table.move_cursor_to_key("default/web-2")
        table.set_filter(lambda row: row.cells[0].startswith("web"))
        await pilot.pause()
        assert table.visible_keys() == ["default/web-1", "default/web-2"]
        assert table.cursor_key == "default/web-2"
        assert (table.row_count, table.total_count) == (2, 3)
        # A filtered-out row that changes so it matches comes into view.
        table.apply(
            [TableRow("default/api", ("web-api", "Running", "0", "1m"), "", pod_row("api").obj)], []
        )
        assert table.row_count == 3


async def test_keys_move_the_cursor_and_enter_selects() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.reset(COLUMNS, [pod_row(f"pod-{i}") for i in range(30)])
        table.focus()
        await pilot.press("down", "down", "j", "k")
        assert table.cursor_key == "default/pod-2"
        await pilot.press("G")
        assert table.cursor_key == "default/pod-29"
        await pilot.press("g", "enter")
        await pilot.pause()
        assert table.cursor_key == "default/pod-0"
        assert app.selected == ["default/pod-0"]
