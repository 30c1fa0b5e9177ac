"""A read-only list over the main screen: k9s' `:aliases` and `:ctx` views.

Rows are given once (these lists change only when the console restarts); `enter` hands the
chosen row's key to a callback (open that kind's pane, ...), `esc` goes back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from engine.api.kinds import all_kinds
from podtui.app import resources


class ListingScreen(Screen):
    """A titled table; enter chooses a row (when there is something to do with it)."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="listing.back"),
        Binding("enter", "choose", "Open", id="listing.open"),
    ]

    def __init__(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[tuple[str, Sequence[str]]],
        *,
        on_choose: Callable[[str], None] | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.column_names = tuple(columns)
        self.rows = list(rows)
        self.on_choose = on_choose
        self.note = note

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, id="listing-title", markup=False)
        table: DataTable = DataTable(id="listing-table", cursor_type="row", zebra_stripes=False)
        table.add_columns(*self.column_names)
        for key, cells in self.rows:
            table.add_row(*(Text(cell) for cell in cells), key=key)
        yield table
        if self.note:
            yield Label(self.note, id="listing-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return self.on_choose is not None
        return True

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if self.on_choose is None or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.dismiss()
        self.on_choose(key)

    def action_back(self) -> None:
        self.dismiss()


ALIAS_COLUMNS = ("RESOURCE", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "ALIASES")


def alias_rows() -> list[tuple[str, tuple[str, ...]]]:
    """Every kind, as `kubectl api-resources` lists them, with the other names `:` takes
    (the singular, k9s' own such as `dp`; RESOURCE.GROUP works too). Kinds the console
    knows but no engine package registers say so in APIVERSION."""
    known = {k.kind: k for k in resources.KNOWN_KINDS}
    rows = []
    registered = {info.kind for info in all_kinds()}
    for info in all_kinds():
        extra = known.get(info.kind)
        aliases = [info.singular]
        if extra is not None:
            aliases += [n for n in extra.short_names if n not in (*info.short_names, *aliases)]
        api_version = f"{info.group}/{info.versions[0]}" if info.group else info.versions[0]
        namespaced = "true" if info.namespaced else "false"
        cells = (info.plural, ",".join(info.short_names), api_version, namespaced, info.kind)
        rows.append((info.kind, (*cells, ",".join(aliases))))
    for kind, extra in known.items():
        if kind not in registered:
            short = extra.short_names[0] if extra.short_names else ""
            namespaced = "true" if extra.namespaced else "false"
            aliases = ",".join(dict.fromkeys([kind.lower(), *extra.short_names[1:]]))
            cells = (extra.plural, short, "(not simulated)", namespaced, kind)
            rows.append((kind, (*cells, aliases)))
    return sorted(rows, key=lambda row: row[1][0])


def aliases_screen(open_kind: Callable[[str], None]) -> ListingScreen:
    rows = alias_rows()
    return ListingScreen(
        f" Aliases [{len(rows)}] — every kind and the names `:` takes for it",
        ALIAS_COLUMNS,
        rows,
        on_choose=open_kind,
        note="enter opens the kind's pane · RESOURCE.GROUP works too (deployments.apps) · panes: "
        + ", ".join(f"{p.key} {p.title}" for p in resources.PANES),
    )


CONTEXT_COLUMNS = ("CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE")


def contexts_screen(context: tuple[str, str, str, str]) -> ListingScreen:
    """`:ctx`: the contexts there are, as `kubectl config get-contexts` lists them. Today
    that is the simulated cluster only; a kubeconfig's contexts join once the console
    attaches to real clusters."""
    name, cluster, user, namespace = context
    return ListingScreen(
        " Contexts [1]",
        CONTEXT_COLUMNS,
        [(name, ("*", name, cluster, user, namespace))],
        note="podtui runs its own simulated cluster: there is no kubeconfig to switch to yet",
    )
