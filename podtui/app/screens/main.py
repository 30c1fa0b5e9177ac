"""The main screen: header, pane tabs, the live table, the `:` line, the footer.

The screen keeps one view per kind (sort, filter, cursor), so switching panes and back
finds things as they were. Engine changes arrive through `apply_changes`; only the rows
of the kind on screen are rebuilt.
"""

from __future__ import annotations

import gc
import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from engine.describe.node import NodeAllocation, node_allocation, pods_by_node
from engine.result import ActionResult
from podtui.app import resources
from podtui.app.capabilities import gate
from podtui.app.commandline import run_command
from podtui.app.messages import CommandSubmitted, OpenDetail, Outcome
from podtui.app.rows import (
    IMMUTABLE_SORT_COLUMNS,
    RowBuilder,
    RowCache,
    TableRow,
    columns_for,
    row_key,
)
from podtui.app.screens.dialogs import NamespaceDialog
from podtui.app.screens.pod_keys import PodKeys
from podtui.app.screens.row_actions import RowActions
from podtui.app.session import ChangeKey, Session
from podtui.app.views import ViewState, row_filter
from podtui.app.widgets.command_line import CommandLine
from podtui.app.widgets.header import ClusterHeader
from podtui.app.widgets.key_footer import KeyFooter
from podtui.app.widgets.pane_bar import PaneBar
from podtui.app.widgets.resource_table import ResourceTable

DESTRUCTIVE = frozenset(
    {"delete", "kill", "inject", "edit", "cordon", "uncordon", "drain", "scale", "shell"}
)
SCALABLE = frozenset({"Deployment", "ReplicaSet", "StatefulSet"})
DEFAULT_SORT = {"Event": ("LAST SEEN", False)}
EAGER_ROWS = 5_000
"""Views of up to this many rows are printed whole before their first frame (80 ms)."""


def node_allocations(session: Session) -> dict[str, NodeAllocation]:
    """Each node's PODS, CPU, MEM (requests against allocatable), as describe node sums them."""
    by_node = pods_by_node(session.objects("Pod"))
    return {
        node["metadata"]["name"]: node_allocation(node, by_node.get(node["metadata"]["name"], []))
        for node in session.objects("Node")
    }


class MainScreen(PodKeys, RowActions, Screen):
    """Panes over the live cluster.

    The frame: the feature packages plug into it (podtui.app.features.MainScreen mixes
    their keys in and fills the hooks below), so this module imports none of them. The
    BINDINGS hold every key, the features' too, so the footer's order is one list.
    """

    BINDINGS = [
        Binding(":", "command", "Command", id="command.open"),
        # k9s quits on q from its main view; podtui asks first (a live session is lost).
        Binding("q", "quit_console", "Quit", id="app.quit_ask"),
        Binding("slash", "filter", "Filter", id="table.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="table.clear_filter"),
        Binding("1", "pane('pods')", "Pods", show=False, id="pane.pods"),
        Binding("2", "pane('controllers')", "Controllers", show=False, id="pane.controllers"),
        Binding("3", "pane('nodes')", "Nodes", show=False, id="pane.nodes"),
        Binding("4", "pane('psps')", "PSPs", show=False, id="pane.psps"),
        Binding("5", "pane('pdbs')", "PDBs", show=False, id="pane.pdbs"),
        Binding("6", "pane('events')", "Events", show=False, id="pane.events"),
        Binding(
            "right_square_bracket", "cycle_kind(1)", "Next kind", show=False, id="pane.next_kind"
        ),
        Binding(
            "left_square_bracket",
            "cycle_kind(-1)",
            "Previous kind",
            show=False,
            id="pane.previous_kind",
        ),
        Binding("ctrl+a", "aliases", "Aliases", show=False, id="view.aliases"),
        Binding("n", "pick_namespace", "Namespace", show=False, id="namespace.pick"),
        Binding("0", "all_namespaces", "All namespaces", show=False, id="namespace.all"),
        Binding("d", "detail('describe')", "Describe", id="view.describe"),
        Binding("y", "detail('yaml')", "YAML", show=False, id="view.yaml"),
        Binding("l", "detail('logs')", "Logs", id="view.logs"),
        Binding("t", "detail('timeline')", "Timeline", id="view.timeline"),
        Binding("ctrl+d", "delete", "Delete", id="action.delete"),
        Binding("ctrl+k", "kill", "Kill", id="action.kill"),
        Binding("i", "inject", "Inject", id="action.inject"),
        Binding("e", "edit", "Edit", show=False, id="action.edit"),
        Binding("c", "cordon", "Cordon", id="action.cordon"),
        Binding("u", "uncordon", "Uncordon", id="action.uncordon"),
        Binding("r", "drain", "Drain", id="action.drain"),
        Binding("s", "scale", "Scale", id="action.scale"),
        # k9s' pod keys: s is a shell on pods (scale on the controllers), a attaches.
        Binding("s", "shell", "Shell", show=False, id="action.shell"),
        Binding("a", "attach", "Attach", show=False, id="view.attach"),
        Binding("F", "port_forward", "Port-forward", show=False, id="action.port_forward"),
        # x: on the PSP pane the refused pods; on pods, workloads and events, explain.
        Binding("x", "refused", "Refused pods", id="view.refused"),
        Binding("x", "explain", "Explain admission", show=False, id="view.explain"),
        # k9s' controller keys: r and i are drain and inject elsewhere; check_action picks.
        Binding("r", "restart", "Restart", id="action.restart"),
        Binding("ctrl+l", "rollback", "Rollback", id="action.rollback"),
        Binding("i", "set_image", "Set image", id="action.set_image"),
        Binding("z", "replica_sets", "ReplicaSets", show=False, id="view.replicasets"),
        Binding("J", "jump_owner", "Jump to owner", show=False, id="view.owner"),
        Binding("D", "drains", "Drains", id="view.drains"),
        Binding("X", "chaos", "Chaos", id="action.chaos"),
        Binding("N", "sort('NAME')", "Sort by name", show=False, id="sort.name"),
        Binding("A", "sort('AGE')", "Sort by age", show=False, id="sort.age"),
        Binding("S", "sort('STATUS')", "Sort by status", show=False, id="sort.status"),
        Binding("O", "sort_next", "Sort by next column", show=False, id="sort.next"),
        Binding("ctrl+w", "toggle_wide", "Wide columns", show=False, id="table.wide"),
    ]

    pane_id: reactive[str] = reactive("pods", init=False)
    kind: reactive[str] = reactive("Pod", init=False)
    namespace: reactive[str | None] = reactive("default", init=False)
    wide: reactive[bool] = reactive(False, init=False)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._views: dict[str, ViewState] = {}
        self._kind_in_pane: dict[str, str] = {}
        self._builder: RowBuilder | None = None
        self._row_cache = RowCache()
        self._ready = False

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        yield PaneBar(id="pane-bar")
        yield from self.compose_above_pane()
        with Vertical(id="pane"):
            yield ResourceTable(id="table")
            yield Static("", id="empty-state", markup=False)
            yield from self.compose_under_table()
        yield CommandLine(resources.alias_names(), id="command-line")
        yield KeyFooter()

    # -- where the features plug in (podtui.app.features.MainScreen) --------------------------
    def compose_above_pane(self) -> ComposeResult:
        """Widgets between the pane tabs and the table (the reload banner, the admission note)."""
        return iter(())

    def compose_under_table(self) -> ComposeResult:
        """Widgets in the pane under the table (the disruption panel)."""
        return iter(())

    def dismiss_banners(self) -> None:
        """`esc` with nothing else to clear: hide what stands above the pane."""

    def check_feature_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a feature's key applies here (None: no feature's key)."""
        return None

    def start_journal(self) -> None:
        """Start recording the session as the console first shows the cluster."""

    def refresh_panels(self) -> None:
        """Redraw the panels that follow the selected row."""

    def jump_label(self) -> str:
        """The pane's subtitle after a jump (enter on a controller, z, J); "" without one."""
        return ""

    def jump_back(self) -> bool:
        """`esc` after a jump: back where it came from (False: there was no jump)."""
        return False

    def show_pods_of_selected(self) -> bool:
        """`enter` on a controller: its pods (False: the row is no controller)."""
        return False

    def open_drain_dialog(self, node: str) -> None:
        """`r` on a node: the drain form."""

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    def on_mount(self) -> None:
        self.query_one(CommandLine).display = False
        table = self.table
        table.printer = self._print_rows
        self.start_journal()
        self.load_view()
        table.focus()
        self.refresh_header()
        self._ready = True

    # -- views ------------------------------------------------------------------------------
    def view(self, kind: str | None = None) -> ViewState:
        kind = kind or self.kind
        if kind not in self._views:
            column, reverse = DEFAULT_SORT.get(kind, (None, False))
            self._views[kind] = ViewState(sort_column=column, reverse=reverse)
        return self._views[kind]

    def _remember_cursor(self) -> None:
        if self.is_mounted and self.table.columns:
            state = self.view()
            state.cursor_key = self.table.cursor_key
            columns = self.table.columns
            if columns:
                state.sort_column = columns[self.table.sort_column]
                state.reverse = self.table.sort_reverse

    def show_kind(
        self, kind: str, namespace: str | bool | None = True, name: str | None = None
    ) -> None:
        """Switch to a kind's view (its pane's tab), optionally a namespace and a name filter."""
        self._remember_cursor()
        pane = resources.pane_for_kind(kind)
        self._kind_in_pane[pane.id] = kind
        if namespace is not True:
            self.set_reactive(MainScreen.namespace, namespace)
        if name is not None:
            self.view(kind).filter_text = f"^{re.escape(name)}$"
        self.set_reactive(MainScreen.pane_id, pane.id)
        self.set_reactive(MainScreen.kind, kind)
        self.load_view()

    def load_view(self) -> None:
        """(Re)build the table of the current kind from the store."""
        # Building a view allocates a few objects per row and frees none: the collector's
        # passes over them find nothing (a third of the CPU of building 50,000 records,
        # measured), so it waits until the view is built.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._load_view()
        finally:
            if enabled:
                gc.enable()
        # The cluster and the rows just built live as long as the view: move them out of
        # the collector's sight, or a full collection walks 10,000 pods' worth of dicts
        # (0.8 s, measured) in the middle of a keystroke.
        gc.freeze()

    def _load_view(self) -> None:
        kind = self.kind
        bar = self.query_one(PaneBar)
        bar.pane_id = self.pane_id
        bar.kind = kind
        table = self.table
        empty = self.query_one("#empty-state", Static)
        state = self.view()
        all_namespaces = self.namespace is None
        columns = columns_for(kind, wide=self.wide, all_namespaces=all_namespaces)
        self._builder = RowBuilder(kind, columns, self._row_cache)
        registered = resources.registered(kind) is not None
        sort_index = 0
        if state.sort_column in columns.names:
            sort_index = columns.names.index(state.sort_column)
        rows: list[TableRow] = []
        if registered:
            session = self.session
            with session.lock:
                scope = self.namespace if resources.namespaced(kind) else None
                now, elapsed = session.now_datetime(), session.now
                if columns.allocation_at is not None:
                    self._builder.allocations = node_allocations(session)
                objs = session.objects(kind, scope)
                # A big view shows before its rows are printed: the table prints those on
                # screen, and the rest after the frame (unless a filter or the sort reads
                # them). A small one is printed whole, as its first frame is quick anyway.
                lazy = (
                    len(objs) > EAGER_ROWS
                    and not state.filter_text
                    and columns.names[sort_index] in IMMUTABLE_SORT_COLUMNS
                )
                rows = self._builder.build_all(objs, now, elapsed, lazy=lazy)
        table.reset(
            columns.names,
            rows,
            sort_column=sort_index,
            reverse=state.reverse,
            cursor_key=state.cursor_key,
            keep=row_filter(state.filter_text),
        )
        table.display = registered
        empty.display = not registered
        if not registered:
            package = resources.simulating_package(kind)
            empty.update(
                f"{resources.title(kind)} are not simulated yet.\n\n"
                f"This build of the engine has no {kind} kind"
                + (f" (it comes with {package})" if package else "")
                + f", so there is nothing to show and `create -f` of a {kind} is refused.\n"
                "The pane fills in by itself once the engine simulates the kind."
            )
        self._update_titles()
        self.refresh_bindings()
        self.refresh_panels()

    def _update_titles(self) -> None:
        table = self.table
        kind = self.kind
        scope = ""
        if resources.namespaced(kind):
            scope = f"({self.namespace or 'all'})"
        count = table.row_count
        total = table.total_count
        counter = f"[{count}]" if count == total else f"[{count}/{total}]"
        pane = self.query_one("#pane", Vertical)
        title = f" {resources.title(kind)}{scope}{counter} "
        if pane.border_title != title:
            pane.border_title = title
        state = self.view()
        subtitle = [self.jump_label()] if self.jump_label() else []
        if state.filter_text:
            subtitle.append(f"/{state.filter_text}")
        if self.wide:
            subtitle.append("wide")
        subtitle_text = " " + "  ".join(subtitle) + " " if subtitle else ""
        if pane.border_subtitle != subtitle_text:
            pane.border_subtitle = subtitle_text
        if resources.registered(kind) is not None and count == 0:
            if total:
                table.empty_message = f"No {resources.plural(kind)} match /{state.filter_text}"
            elif resources.namespaced(kind) and self.namespace:
                table.empty_message = f"No resources found in {self.namespace} namespace."
            else:
                table.empty_message = "No resources found"
        else:
            table.empty_message = ""

    def refresh_header(self) -> None:
        app = self.app
        self.query_one(ClusterHeader).show(
            self.session,
            paused=getattr(app, "paused", True),
            speed=getattr(app, "speed", 1.0),
            namespace=self.namespace,
        )

    # -- the change feed ----------------------------------------------------------------------
    def apply_changes(self, changes: dict[ChangeKey, object]) -> None:
        """Take in one batch of engine changes: only rows of the kind on screen."""
        if not self._ready:
            return  # not composed yet: on_mount reads the store anyway
        kind = self.kind
        builder = self._builder
        table = self.table
        if builder is not None and resources.registered(kind) is not None:
            scope = self.namespace if resources.namespaced(kind) else None
            upserts: list[TableRow] = []
            removals: list[str] = []
            session = self.session
            with session.lock:
                now, elapsed = session.now_datetime(), session.now
                if builder.columns.allocation_at is not None and any(
                    key[0] == "Pod" or (key[0] == "Node" and key[2] not in builder.allocations)
                    for key in changes
                ):
                    # A pod bound, finished or gone changes its node's PODS, CPU, MEM; a
                    # node not seen yet (a real cluster's reflector lists the nodes after
                    # the pane opened) needs them.
                    before = builder.allocations
                    builder.allocations = node_allocations(session)
                    upserts.extend(
                        builder.build(node, now, elapsed)
                        for node in session.objects("Node")
                        if before.get(node["metadata"]["name"])
                        != builder.allocations.get(node["metadata"]["name"])
                        and ("Node", "", node["metadata"]["name"]) not in changes
                    )
                for (changed_kind, namespace, _name), change in changes.items():
                    if changed_kind != kind or (scope is not None and namespace != scope):
                        continue
                    if change.type == "DELETED":  # type: ignore[attr-defined]
                        removals.append(row_key(change.obj))  # type: ignore[attr-defined]
                    elif change.type == "MODIFIED":  # type: ignore[attr-defined]
                        # Printed by the table only if it is on screen or read (see apply).
                        upserts.append(builder.record(change.obj))  # type: ignore[attr-defined]
                    else:
                        upserts.append(builder.build(change.obj, now, elapsed))  # type: ignore[attr-defined]
                if upserts or removals:
                    table.apply(upserts, removals)
                table.refresh_times()
            if upserts or removals:
                self._update_titles()
        self.refresh_panels()
        self.refresh_header()

    def _print_rows(self, rows: list[TableRow], wait: bool) -> list[TableRow] | None:
        """The rows printed from their objects at the current time, for the table (rows on
        screen whose AGE-like cells are stale, rows changed off screen). Without `wait`,
        None rather than wait for a tick in progress."""
        builder = self._builder
        lock = self.session.lock
        if builder is None or not lock.acquire(blocking=wait):
            return None
        session = self.session
        try:
            now, elapsed = session.now_datetime(), session.now
            return [builder.reprint(row, now, elapsed) for row in rows]
        finally:
            lock.release()

    # -- events from widgets --------------------------------------------------------------------
    @on(ResourceTable.RowSelected)
    def _row_selected(self, event: ResourceTable.RowSelected) -> None:
        if self.show_pods_of_selected():  # enter on a controller: its pods, as in k9s
            return
        if self.kind == "Namespace" and self.table.cursor_row is not None:
            # k9s' namespace view: enter switches to that namespace's pods.
            self.set_reactive(MainScreen.namespace, self.table.cursor_row.obj["metadata"]["name"])
            self.show_kind("Pod")
            self.refresh_header()
            return
        self.action_detail("describe")

    @on(ResourceTable.HeaderClicked)
    def _header_clicked(self, event: ResourceTable.HeaderClicked) -> None:
        self.table.sort_by(event.column)
        self._remember_cursor()

    @on(PaneBar.Chosen)
    def _pane_chosen(self, event: PaneBar.Chosen) -> None:
        if event.kind is not None:
            self.show_kind(event.kind)
        else:
            self.action_pane(event.pane_id)

    @on(CommandSubmitted)
    def _command_submitted(self, event: CommandSubmitted) -> None:
        self.table.focus()
        if event.mode == "filter":
            self.view().filter_text = event.value
            self.table.set_filter(row_filter(event.value))
            self._update_titles()
            return
        if not event.value:
            return
        result = run_command(event.value, self.session, self)
        self.report(result)

    # -- the Console protocol (what `:` commands ask for) -------------------------------------------
    def open_detail(
        self,
        kind: str,
        namespace: str,
        name: str,
        tab: str = "describe",
        container: str | None = None,
        previous: bool = False,
    ) -> None:
        self.post_message(OpenDetail(kind, namespace, name, tab, container, previous))

    def open_editor(self, kind: str, namespace: str, name: str) -> None:
        from podtui.app.screens.edit import EditScreen

        self.app.push_screen(EditScreen(self.session, kind, namespace, name))

    def set_namespace(self, namespace: str | None) -> None:
        self._remember_cursor()
        self.namespace = namespace

    def set_theme(self, theme: str) -> list[str]:
        return self.app.choose_theme(theme)  # type: ignore[attr-defined]

    def clock(self, verb: str, argument: str | None) -> ActionResult:
        return self.app.clock_command(verb, argument)  # type: ignore[attr-defined]

    def show_aliases(self) -> None:
        from podtui.app.screens.listing import aliases_screen

        self.app.push_screen(aliases_screen(lambda kind: self.show_kind(kind)))

    def show_contexts(self) -> None:
        from podtui.app.screens.listing import contexts_screen

        session = self.session
        name, described = session.context
        user = session.user.name
        self.app.push_screen(
            contexts_screen((name, f"{name} ({described})", user, self.namespace or "all"))
        )

    def show_help(self) -> None:
        self.app.action_help()  # type: ignore[attr-defined]

    def quit(self) -> None:
        self.app.action_quit()  # type: ignore[attr-defined]  (may offer a checkpoint first)

    def report(self, result: ActionResult) -> None:
        self.post_message(Outcome(result.lines, result.errors))

    # -- watchers -------------------------------------------------------------------------------------
    def watch_namespace(self) -> None:
        self.load_view()
        self.refresh_header()

    def watch_wide(self) -> None:
        self._remember_cursor()
        self.load_view()

    # -- key actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key that needs what the backend lacks stays in the footer, dimmed (capabilities).
        return gate(self.session, action, parameters, self._check_action(action, parameters))

    def _check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.app.is_running:
            # Quitting: Textual closes the screens, then handles the keys still queued; a
            # key pressed just before ctrl+q must not act on panes that are gone.
            return False
        if action in DESTRUCTIVE and self.session.readonly:
            return False
        verdict = self.check_feature_action(action, parameters)
        if verdict is not None:
            return verdict
        kind = self.kind
        if action in ("kill", "view_logs", "shell", "attach", "port_forward") or (
            action == "detail" and parameters and parameters[0] in ("logs", "timeline")
        ):
            return kind == "Pod"
        if action in ("cordon", "uncordon", "drain"):
            return kind == "Node"
        if action == "inject":
            return kind in ("Pod", "Node")
        if action == "scale":
            return kind in SCALABLE
        if action in ("cycle_kind",):
            return len(resources.pane_for_kind(kind).kinds) > 1
        return True

    async def action_quit_console(self) -> None:
        """`q`: the app's own quit action (ctrl+q), asking first. With live edits that quit
        action asks already (save a checkpoint, quit without saving, or cancel): one question."""
        from podtui.app.screens.dialogs import ConfirmDialog

        if self.app.quit_asks_first():  # type: ignore[attr-defined]
            await self.app.run_action("quit")
            return

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await self.app.run_action("quit")

        self.app.push_screen(
            ConfirmDialog("Quit podtui?", "the simulated cluster ends with it", "Quit"), confirmed
        )

    def action_aliases(self) -> None:
        self.show_aliases()

    def action_command(self) -> None:
        self.query_one(CommandLine).open("command")

    def action_filter(self) -> None:
        self.query_one(CommandLine).open("filter", self.view().filter_text)

    def action_clear_filter(self) -> None:
        if self.jump_back():  # esc after a jump (enter, z, J): back where it came from
            return
        state = self.view()
        if state.filter_text:
            state.filter_text = ""
            self.table.set_filter(None)
            self._update_titles()
            return
        self.dismiss_banners()  # nothing else to clear: hide the banner

    def action_pane(self, pane_id: str) -> None:
        pane = next((p for p in resources.PANES if p.id == pane_id), None)
        if pane is None:
            return
        self.show_kind(self._kind_in_pane.get(pane_id, pane.kinds[0]))

    def action_cycle_kind(self, step: int) -> None:
        pane = resources.pane_for_kind(self.kind)
        if len(pane.kinds) < 2:
            return
        index = pane.kinds.index(self.kind)
        self.show_kind(pane.kinds[(index + step) % len(pane.kinds)])

    def action_pick_namespace(self) -> None:
        with self.session.lock:
            names = [ns["metadata"]["name"] for ns in self.session.objects("Namespace")]

        def chosen(result: str | None) -> None:
            if result is None:
                return
            self.set_namespace(None if result == NamespaceDialog.ALL else result)

        self.app.push_screen(NamespaceDialog(names, self.namespace), chosen)

    def action_all_namespaces(self) -> None:
        self.set_namespace(None)

    def action_sort(self, column: str) -> None:
        columns = self.table.columns
        if column not in columns:
            self.notify(f"no {column} column here", severity="warning")
            return
        self.table.sort_by(columns.index(column))
        self._remember_cursor()

    def action_sort_next(self) -> None:
        columns = self.table.columns
        if columns:
            self.table.sort_by((self.table.sort_column + 1) % len(columns), reverse=False)
            self._remember_cursor()

    def action_toggle_wide(self) -> None:
        self.wide = not self.wide
