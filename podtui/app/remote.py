"""`podtui --kubeconfig FILE [--context NAME]`: a first, read-only console on a real cluster.

The Pods and Nodes panes over the kube backend (list + watch reflectors), with the
connection state in the header and the simulator-only actions listed disabled with their
reasons. It reuses the console's ResourceTable and row builder (the same printers as the
panes on the simulator); the full console moves onto `podtui.backends` in a later change
(docs/backends.md says how), and then this module goes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from podtui.app.rows import RowBuilder, columns_for, row_key
from podtui.app.widgets.resource_table import ResourceTable
from podtui.backends.base import CAPABILITIES, Backend, ConnectionState

KINDS = {"pods": "Pod", "nodes": "Node"}
REFRESH_SECONDS = 1.0
"""Ages are wall-clock on a real cluster: rows are rebuilt once a second."""
DISABLED_KEYS = {"clock": "space/+/-", "faults": "f", "recording": "R"}


class RemoteApp(App):
    TITLE = "podtui"
    CSS = """
    #remote-header { height: 1; background: $panel; color: $foreground; }
    #remote-panes { height: 1; color: $text-muted; }
    #remote-disabled { dock: bottom; height: auto; color: $text-muted; }
    ResourceTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("1", "pane('pods')", "Pods"),
        Binding("2", "pane('nodes')", "Nodes"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, backend: Backend, context: str, server: str) -> None:
        super().__init__()
        self.backend = backend
        self.context = context
        self.server = server
        self.pane = "pods"
        self._unsubscribe = None

    def compose(self) -> ComposeResult:
        yield Static(id="remote-header")
        yield Static(id="remote-panes")
        yield ResourceTable(id="remote-table")
        yield Static(self._disabled_text(), id="remote-disabled")

    def _disabled_text(self) -> str:
        lines = ["Simulator only, disabled here:"]
        for name in CAPABILITIES:
            capability = self.backend.capability(name)
            if not capability.available:
                lines.append(f"  {DISABLED_KEYS.get(name, '')} {name}: {capability.reason}")
        lines.append("  read-only: the verbs come with the full console (docs/backends.md)")
        return "\n".join(lines)

    async def on_mount(self) -> None:
        for kind in KINDS.values():
            self.backend.watch(lambda change: None, [kind])  # start both reflectors now
        on_connection = getattr(self.backend, "on_connection", None)
        if on_connection is not None:
            on_connection(lambda _c: self._show_header())
        self.action_pane("pods")
        self.set_interval(REFRESH_SECONDS, self._refresh_rows)
        self._show_header()

    def _show_header(self) -> None:
        connection = self.backend.connection
        state = {
            ConnectionState.CONNECTED: "connected",
            ConnectionState.CONNECTING: "connecting…",
            ConnectionState.DISCONNECTED: f"DISCONNECTED, retrying: {connection.message}",
        }[connection.state]
        now = datetime.now(UTC).strftime("%H:%M:%S")
        # The state comes before the server's address so a narrow terminal still shows it.
        text = f" podtui  {now}  context {self.context}  read-only  {state}  {self.server}"
        self.query_one("#remote-header", Static).update(text)

    def _rows(self):
        kind = KINDS[self.pane]
        builder = RowBuilder(kind, columns_for(kind, wide=False, all_namespaces=True))
        now = datetime.now(UTC)
        return builder, [builder.build(obj, now, 0.0) for obj in self.backend.objects(kind)]

    def action_pane(self, pane: str) -> None:
        self.pane = pane
        builder, rows = self._rows()
        table = self.query_one(ResourceTable)
        table.reset(builder.columns.names, rows)
        bar = "  ".join(
            f"[{n}] {name.capitalize()}" + (" ◀" if name == pane else "")
            for n, name in enumerate(KINDS, 1)
        )
        self.query_one("#remote-panes", Static).update(f" {bar}   q quit")
        table.focus()

    def _refresh_rows(self) -> None:
        table = self.query_one(ResourceTable)
        _builder, rows = self._rows()
        keys = {row.key for row in rows}
        gone = [key for key in table.visible_keys() if key not in keys]
        table.apply(rows, gone)
        self._show_header()


def run_remote(kubeconfig: str, context: str | None) -> int:
    """Open the read-only console over the cluster a kubeconfig (and context) names."""
    import os
    import sys

    from podtui.backends.kube import KubeBackend, KubeClient

    if not os.path.isfile(kubeconfig):
        # kubectl's words for a --kubeconfig that is not there.
        print(f"error: stat {kubeconfig}: no such file or directory", file=sys.stderr)
        return 1

    async def main() -> int:
        try:
            client = await KubeClient.from_kubeconfig(kubeconfig, context)
        except Exception as err:  # the loader raises ConfigException, OSError, yaml errors
            print(f"error: {kubeconfig}: {err}", file=sys.stderr)
            return 1
        backend = KubeBackend(client)
        try:
            await RemoteApp(backend, client.context, client.host).run_async()
        finally:
            await backend.close()
        return 0

    return asyncio.run(main())


__all__ = ["RemoteApp", "row_key", "run_remote"]
