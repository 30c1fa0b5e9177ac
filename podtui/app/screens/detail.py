"""The detail view of one object: describe, YAML, logs and the pod's timeline, kept live."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Label, TabbedContent, TabPane

from engine.api import errors
from engine.output import to_yaml
from podtui.app.calls import collect_inline, run_inline
from podtui.app.capabilities import gate
from podtui.app.resources import namespaced, plural
from podtui.app.session import ChangeKey, Session
from podtui.app.widgets.key_footer import KeyFooter
from podtui.app.widgets.log_view import SINCE_KEYS, LogOptions, LogView
from podtui.app.widgets.text_views import DescribeView, YamlView
from podtui.app.widgets.timeline_view import TimelineView
from podtui.backends.base import TIMELINE

TABS = ("describe", "yaml", "logs", "timeline")


class DetailScreen(Screen):
    """One object, four ways. Escape goes back to the pane."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="detail.back"),
        Binding("d", "tab('describe')", "Describe", id="detail.describe"),
        Binding("y", "tab('yaml')", "YAML", id="detail.yaml"),
        Binding("l", "tab('logs')", "Logs", id="detail.logs"),
        Binding("t", "tab('timeline')", "Timeline", id="detail.timeline"),
        Binding("c", "next_container", "Container", id="detail.container"),
        Binding("p", "toggle_previous", "Previous logs", id="detail.previous"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        # k9s' log view toggles, on the Logs tab (where `t` is timestamps; `T` the timeline).
        Binding("t", "toggle_log('timestamps')", "Timestamps", id="logs.timestamps"),
        Binding("w", "toggle_log('wrap')", "Wrap", show=False, id="logs.wrap"),
        Binding("s", "toggle_log('autoscroll')", "Autoscroll", show=False, id="logs.autoscroll"),
        Binding("slash", "search_log", "Search", id="logs.search"),
        Binding("T", "timeline_tab", "Timeline", show=False, id="detail.timeline_always"),
        *(
            Binding(key, f"since('{name}')", name, show=False, id=f"logs.since_{name}")
            for key, (name, _) in SINCE_KEYS.items()
        ),
    ]

    container: reactive[str | None] = reactive(None)
    previous: reactive[bool] = reactive(False)

    def __init__(
        self,
        session: Session,
        kind: str,
        namespace: str,
        name: str,
        *,
        tab: str = "describe",
        container: str | None = None,
        previous: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.kind = kind
        self.namespace = namespace if namespaced(kind) else ""
        self.object_name = name
        self.initial_tab = tab if tab in TABS else "describe"
        self.set_reactive(DetailScreen.container, container)
        self.set_reactive(DetailScreen.previous, previous)
        self._log_lines: list[str] = []
        self.log_options = LogOptions()
        self._gone = False
        self._fetched_logs: list[str] = []
        self._fetched_logs: list[str] = []

    @property
    def is_pod(self) -> bool:
        return self.kind == "Pod"

    @property
    def key(self) -> ChangeKey:
        return (self.kind, self.namespace, self.object_name)

    def compose(self) -> ComposeResult:
        title = f"{self.kind.lower()}/{self.object_name}"
        if self.namespace:
            title += f" -n {self.namespace}"
        yield Label(title, id="detail-title", markup=False)
        if self.is_pod:
            # Which Services send this pod traffic now (its ready endpoints), kept live.
            yield Label("", id="detail-traffic", markup=False)
        with TabbedContent(initial=self.initial_tab, id="detail-tabs"):
            with TabPane("Describe", id="describe"), ScrollableContainer():
                yield DescribeView(id="describe-view")
            with TabPane("YAML", id="yaml"), ScrollableContainer():
                yield YamlView(id="yaml-view")
            if self.is_pod:
                with TabPane("Logs", id="logs"):
                    yield Label("", id="logs-title", markup=False)
                    yield LogView(id="logs-view")
                    yield Input(placeholder="search the log (regex)", id="logs-search")
                with TabPane("Timeline", id="timeline"), ScrollableContainer():
                    yield TimelineView(id="timeline-view")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.is_pod:
            self.query_one("#logs-search", Input).display = False
        if self.is_pod and self.container is None:
            names = self._container_names()
            self.set_reactive(DetailScreen.container, names[0] if names else None)
        self.refresh_all()

    # -- reading the engine -----------------------------------------------------------------
    def _object(self) -> dict | None:
        return self.session.get(self.kind, self.namespace, self.object_name)

    def _container_names(self) -> list[str]:
        with self.session.lock:
            obj = self._object()
        spec = (obj or {}).get("spec") or {}
        return [c["name"] for c in spec.get("containers") or []] + [
            c["name"] for c in spec.get("initContainers") or []
        ]

    def refresh_all(self) -> None:
        """Re-read the object and redraw every tab."""
        with self.session.lock:
            obj = self._object()
            if obj is None:
                from engine.api.kinds import kind_info

                info = kind_info(self.kind)
                resource = info.resource if info else plural(self.kind)
                text = errors.not_found(resource, self.object_name).kubectl()
                self.query_one(DescribeView).show(text)
                self._gone = True
            else:
                self._gone = False
                self._describe()
                self.query_one(YamlView).show(to_yaml(obj))
                if self.is_pod:
                    self._refresh_logs()
                    self._refresh_traffic(obj)
                    self._refresh_timeline(obj)
        if self.is_pod:
            self.query_one(TimelineView).refresh(layout=True)

    def _describe(self) -> None:
        """`kubectl describe` through the backend: at once in process, else when fetched."""
        backend = self.session.backend
        describing = backend.describe(self.kind, self.namespace, self.object_name)
        if backend.inline:
            self.query_one(DescribeView).show(run_inline(describing))
            return

        async def fetched() -> None:
            try:
                text = await describing
            except Exception as err:  # an APIError, a lost connection: kubectl's words
                kubectl = getattr(err, "kubectl", None)
                text = kubectl() if callable(kubectl) else f"error: {err}"
            if self.is_mounted:
                self.query_one(DescribeView).show(text)

        self.run_worker(fetched(), group="describe", exclusive=True)

    def _refresh_timeline(self, pod: dict) -> None:
        if self.session.has(TIMELINE):
            from engine.timeline import pod_timeline

            self.query_one(TimelineView).timeline = pod_timeline(
                self.session.backend.simulator(TIMELINE), pod, self.session.recorder
            )

    def _refresh_traffic(self, pod: dict) -> None:
        label = self.query_one("#detail-traffic", Label)
        if not self.session.has(TIMELINE):
            label.display = False  # which Services send it traffic: the simulator's view
            return
        from engine.network.traffic import traffic_line

        label.update(traffic_line(self.session.backend.simulator(TIMELINE), pod))

    def _read_logs(self) -> list[str]:
        """The log through the backend: at once in process; over the network the last
        fetch, and a fetch started for the next refresh."""
        options = self.log_options
        lines = self.session.backend.logs(
            self.namespace,
            self.object_name,
            self.container,
            previous=self.previous,
            timestamps=options.timestamps,
            since=options.since_seconds,
        )
        if self.session.backend.inline:
            return collect_inline(lines)

        async def fetched() -> None:
            found = [line async for line in lines]
            if found != self._fetched_logs and self.is_mounted:
                self._fetched_logs = found
                self._refresh_logs()

        self.run_worker(fetched(), group="logs", exclusive=True, exit_on_error=False)
        return self._fetched_logs

    def _refresh_logs(self) -> None:
        options = self.log_options
        title = f"{self.object_name} › {self.container or '-'}"
        if self.previous:
            title += "  (previous run)"
        lines = self._read_logs()
        if not lines:
            title += "  — no output" + (" (no previous run)" if self.previous else " yet")
        if options.describe():
            title += "   [" + options.describe() + "]"
        self.query_one("#logs-title", Label).update(title)
        highlight = self.app.current_theme.accent or ""
        self.query_one(LogView).show(lines, options, f"reverse {highlight}".strip())
        self._log_lines = list(lines)

    def apply_changes(self, changes: dict) -> None:
        """Take in a tick: the object if it changed; logs and timeline always (time moved)."""
        if not self.is_mounted:
            return
        if self.key in changes:
            self.refresh_all()
            return
        if self.is_pod and not self._gone:
            with self.session.lock:
                obj = self._object()
                if obj is not None:
                    self._refresh_logs()
                    self._refresh_traffic(obj)
                    self._refresh_timeline(obj)

    # -- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        search = self.query_one("#logs-search", Input) if self.is_pod else None
        if search is not None and search.display:
            search.display = False  # esc closes the search line first
            self.query_one(LogView).focus()
            return
        if self.log_options.search:
            self.log_options.search = ""  # then clears the search, as k9s' esc does
            self._redraw_logs()
            return
        self.dismiss()

    def action_tab(self, tab: str) -> None:
        if tab in ("logs", "timeline") and not self.is_pod:
            self.notify(f"{tab} are for pods", severity="warning")
            return
        self.query_one(TabbedContent).active = tab

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return gate(self.session, action, parameters, self._check_action(action, parameters))

    def _check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "timeline_tab":
            return self.is_pod
        if action == "tab" and parameters and parameters[0] in ("logs", "timeline"):
            if not self.is_pod:
                return False
            # `t` on the Logs tab is timestamps, as in k9s (`T` is the timeline there).
            return not (parameters[0] == "timeline" and self._on_logs())
        if action in ("toggle_log", "since", "search_log"):
            return self._on_logs()
        if action in ("next_container", "toggle_previous"):
            # Logs keys: only for pods, and shown in the footer on the Logs tab.
            if not self.is_pod:
                return False
            return self.query_one(TabbedContent).active == "logs"
        if action == "edit":
            return not self.session.readonly
        return True

    def _on_logs(self) -> bool:
        if not self.is_pod or not self.is_mounted:
            return False
        return self.query_one(TabbedContent).active == "logs"

    def action_timeline_tab(self) -> None:
        self.action_tab("timeline")

    def action_toggle_log(self, option: str) -> None:
        options = self.log_options
        setattr(options, option, not getattr(options, option))
        self._redraw_logs()

    def action_since(self, name: str) -> None:
        self.log_options.since = name
        self.log_options.autoscroll = name != "head"
        self._redraw_logs()

    def action_search_log(self) -> None:
        search = self.query_one("#logs-search", Input)
        search.value = self.log_options.search
        search.display = True
        search.focus()

    @on(Input.Submitted, "#logs-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        self.log_options.search = event.value.strip()
        event.input.display = False
        self.query_one(LogView).focus()
        self._redraw_logs()

    def _redraw_logs(self) -> None:
        with self.session.lock:
            self._refresh_logs()
        self.refresh_bindings()

    def action_next_container(self) -> None:
        names = self._container_names()
        if not names:
            return
        index = names.index(self.container) if self.container in names else -1
        self.container = names[(index + 1) % len(names)]
        self.query_one(TabbedContent).active = "logs"

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        self.query_one(TabbedContent).active = "logs"

    def watch_container(self) -> None:
        if self.is_mounted and self.is_pod:
            # Another log entirely: start the view afresh, or lines the two logs share
            # would read as "already shown" and the new ones be appended under the old.
            self._log_lines = []
            self.query_one(LogView).reset()
            with self.session.lock:
                self._refresh_logs()

    def watch_previous(self) -> None:
        self.watch_container()

    def action_edit(self) -> None:
        from podtui.app.screens.edit import EditScreen

        self.app.push_screen(EditScreen(self.session, self.kind, self.namespace, self.object_name))

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()
