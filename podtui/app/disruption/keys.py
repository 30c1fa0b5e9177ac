"""The disruption keys of the main screen: `r` opens the drain form (nodes), `D` the drain
panel, `X` chaos mode; and the panel under the Nodes and PDBs tables.

Mixed into MainScreen, whose BINDINGS hold the keys; the writes go through the `:` verbs
(podtui.app.disruption.verbs), which call the engine and record what they did.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from engine.disruption.drain import Drain, DrainOptions
from podtui.app.commandline import run_command
from podtui.app.disruption import chaos
from podtui.app.disruption.chaos_dialog import ChaosDialog
from podtui.app.disruption.drain_screen import DrainScreen
from podtui.app.disruption.drains import latest_drain
from podtui.app.disruption.journal import journal_of
from podtui.app.disruption.panel import DisruptionPanel
from podtui.app.screens.drain_dialog import DrainDialog
from podtui.backends.base import RECORDING

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen
    from podtui.app.widgets.resource_table import ResourceTable

    _Base = MainScreen
else:
    _Base = object


class DisruptionKeys(_Base):
    """Mixed into MainScreen: drains, chaos mode and the Nodes / PDBs panel."""

    def start_journal(self) -> None:
        """Record from the first moment the console shows the cluster."""
        if self.session.has(RECORDING):
            journal_of(self.session)

    def check_disruption_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a disruption key applies here (None: not a disruption key)."""
        if action == "drains":
            return bool(self.session.backend.drains())
        if action == "chaos":
            return not self.session.readonly and self.kind == "Pod"
        return None

    # -- drains -----------------------------------------------------------------------------
    def open_drain_dialog(self, node: str) -> None:
        """`r` on a node: kubectl drain's flags, then the drain and its panel."""

        def chosen(options: DrainOptions | None) -> None:
            if options is not None:
                line = "drain " + " ".join(options.to_args())
                self.report(run_command(line, self.session, self))

        self.app.push_screen(DrainDialog(node), chosen)

    def open_drain(self, drain: Drain) -> None:
        """Show a drain in the drain panel (what `:drain` and `:drains` ask for)."""
        self.app.push_screen(DrainScreen(self.session, drain))

    def action_drains(self) -> None:
        """`D`: the newest drain of the selected node, or the newest drain of all."""
        node = None
        row = self.table.cursor_row
        if self.kind == "Node" and row is not None:
            node = (row.obj.get("metadata") or {}).get("name")
        found = latest_drain(self.session, node) or latest_drain(self.session)
        if found is not None:
            self.open_drain(found)

    # -- chaos ------------------------------------------------------------------------------
    def action_chaos(self) -> None:
        """`X`: stop chaos mode, or start it from a form (the Pods pane's `-l` filter, its
        namespace and the session's seed filled in)."""
        if chaos.running(self.session) is not None:
            self.report(run_command("chaos stop", self.session, self))
            return
        previous = chaos.monkey_of(self.session)
        if previous is not None:
            settings = chaos.settings_of(previous)
        else:
            filter_text = self.view().filter_text.strip()
            selector = filter_text[3:].strip() if filter_text.startswith("-l ") else ""
            settings = chaos.ChaosSettings(
                selector=selector, namespace=self.namespace, seed=self.session.cluster.seed
            )

        def chosen(result: chaos.ChaosSettings | None) -> None:
            if result is None:
                return
            words = ["chaos", "start", f"--interval={result.mean_interval:g}s"]
            words.append(f"--seed={result.seed}")
            if result.selector:
                words += ["-l", result.selector]
            words += ["-n", result.namespace] if result.namespace else ["-A"]
            self.report(run_command(shlex.join(words), self.session, self))

        self.app.push_screen(ChaosDialog(settings), chosen)

    # -- the panel under the table ---------------------------------------------------------------
    @property
    def disruption_panel(self) -> DisruptionPanel:
        return self.query_one("#disruption-panel", DisruptionPanel)

    def refresh_panels(self) -> None:
        """Redraw the panel for the selected row (after a tick, a cursor move, a new pane)."""
        if not self.is_mounted:
            return
        row = self.table.cursor_row
        with self.session.lock:
            obj = None
            if row is not None:
                meta = row.obj.get("metadata") or {}
                obj = self.session.get(self.kind, meta.get("namespace") or "", meta.get("name", ""))
            self.disruption_panel.show_for(self.session, self.kind, obj)

    def on_resource_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        self.refresh_panels()
