"""A PodSecurityPolicy's detail view: describe, YAML and the pods it admitted (their
`kubernetes.io/psp` annotation names it), live. Enter on a pod opens that pod."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.widgets import TabbedContent, TabPane

from engine.security import admitted_pods
from podtui.app.messages import OpenDetail
from podtui.app.rows import RowBuilder, columns_for
from podtui.app.screens.detail import DetailScreen
from podtui.app.session import Session
from podtui.app.widgets.resource_table import ResourceTable

ADMITTED = "admitted"


class PspDetailScreen(DetailScreen):
    """DetailScreen with an `Admitted pods` tab."""

    BINDINGS = [Binding("a", "tab('admitted')", "Admitted pods", id="detail.admitted")]

    def __init__(self, session: Session, kind: str, namespace: str, name: str, **options) -> None:
        super().__init__(session, kind, namespace, name, **options)
        self.wanted_tab = options.get("tab", "describe")
        self._builder = RowBuilder("Pod", columns_for("Pod", wide=False, all_namespaces=True))
        self._keys: set[str] = set()

    async def on_mount(self) -> None:
        tabs = self.query_one(TabbedContent)
        table = ResourceTable(id="admitted-table")
        await tabs.add_pane(TabPane("Admitted pods", table, id=ADMITTED))
        table.empty_message = f"No pod was admitted by {self.object_name}."
        self._load_admitted(reset=True)
        if self.wanted_tab == ADMITTED:
            tabs.active = ADMITTED
            table.focus()

    @property
    def admitted_table(self) -> ResourceTable:
        return self.query_one("#admitted-table", ResourceTable)

    def _load_admitted(self, *, reset: bool = False) -> None:
        with self.session.lock:
            cluster = self.session.cluster
            now, sim_now = cluster.now_datetime(), cluster.now
            rows = [
                self._builder.build(pod, now, sim_now)
                for pod in admitted_pods(cluster, self.object_name)
            ]
        table = self.admitted_table
        keys = {row.key for row in rows}
        if reset:
            table.reset(self._builder.columns.names, rows, sort_column=1)
        else:
            table.apply(rows, [key for key in self._keys if key not in keys])
        self._keys = keys
        tab = self.query_one(TabbedContent).get_tab(ADMITTED)
        tab.label = f"Admitted pods ({len(rows)})"  # type: ignore[assignment]

    def apply_changes(self, changes: dict) -> None:
        super().apply_changes(changes)
        if (
            self.is_mounted
            and self.query("#admitted-table")
            and any(kind == "Pod" for kind, _, _ in changes)
        ):
            self._load_admitted()

    @on(ResourceTable.RowSelected)
    def _pod_selected(self, event: ResourceTable.RowSelected) -> None:
        if event.table.id != "admitted-table":
            return
        event.stop()
        row = self.admitted_table.get_row(event.key)
        if row is not None:
            meta = row.obj["metadata"]
            self.post_message(OpenDetail("Pod", meta.get("namespace", ""), meta["name"]))
