"""The refused pods (`x` on the PSP pane, `:refused`, `:explain` alone): pods the
PodSecurityPolicy plugin refused, which never exist as objects. Enter explains one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label

from engine.printers.duration import since
from engine.security import Refusal, refused_pods
from podtui.app.rows import FAILING, TableRow
from podtui.app.security.explain_screen import ExplainScreen
from podtui.app.security.subjects import plugin_state, refusal_subject
from podtui.app.session import Session
from podtui.app.widgets.resource_table import ResourceTable

COLUMNS = ("NAMESPACE", "NAME", "REQUESTED BY", "COUNT", "LAST SEEN", "MESSAGE")
PREFIX = "PodSecurityPolicy: "


def refusal_key(refusal: Refusal) -> str:
    return f"{refusal.namespace}/{refusal.name}/{refusal.user.name}"


def refusal_row(refusal: Refusal, now, sim_now: float) -> TableRow:
    message = refusal.message.removeprefix(PREFIX)
    obj = {
        "metadata": {"namespace": refusal.namespace, "name": refusal.name},
        "lastTimestamp": refusal.last_time,
    }
    cells = (
        refusal.namespace,
        refusal.name,
        refusal.user.name,
        str(refusal.count),
        since(refusal.last_time, now),
        message,
    )
    return TableRow(refusal_key(refusal), cells, FAILING, obj, sim_now)


class RefusedScreen(Screen):
    """The pods PodSecurityPolicy refused, newest first; live."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="refused.back"),
        Binding("x", "explain", "Explain", id="refused.explain"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._refusals: dict[str, Refusal] = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="refused-title", markup=False)
        with Vertical(id="refused-pane"):
            yield ResourceTable(id="refused-table")
        yield Footer()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        rows = self._rows()
        table = self.table
        table.reset(COLUMNS, rows, sort_column=COLUMNS.index("LAST SEEN"))
        table.empty_message = "No pod was refused by PodSecurityPolicy."
        table.focus()
        self._titles()

    def _rows(self) -> list[TableRow]:
        with self.session.lock:
            cluster = self.session.cluster
            refusals = refused_pods(cluster)
            now, sim_now = cluster.now_datetime(), cluster.now
            self._state = plugin_state(cluster)
        self._refusals = {refusal_key(r): r for r in refusals}
        return [refusal_row(r, now, sim_now) for r in refusals]

    def _titles(self) -> None:
        self.query_one("#refused-title", Label).update(
            "refused pods — they never exist as objects; enter explains · " + self._state
        )
        pane = self.query_one("#refused-pane")
        pane.border_title = f" Refused pods[{self.table.row_count}] "

    def apply_changes(self, changes: dict) -> None:
        """Refusals are not objects: read the plugin's list again at every tick."""
        if not self.is_mounted:
            return
        before = set(self._refusals)
        rows = self._rows()
        self.table.apply(rows, [key for key in before if key not in self._refusals])
        self._titles()

    def selected(self) -> Refusal | None:
        key = self.table.cursor_key
        return self._refusals.get(key) if key is not None else None

    @on(ResourceTable.RowSelected)
    def _row_selected(self, event: ResourceTable.RowSelected) -> None:
        event.stop()
        self.action_explain()

    def action_explain(self) -> None:
        refusal = self.selected()
        if refusal is None:
            self.notify("no refused pod selected", severity="warning")
            return
        self.app.push_screen(ExplainScreen(self.session, refusal_subject(refusal)))

    def action_back(self) -> None:
        self.dismiss()
