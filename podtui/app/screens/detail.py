"""The detail view of one object: describe, YAML, logs and the pod's timeline, kept live."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Label, Log, TabbedContent, TabPane

from engine.api import errors
from engine.describe import describe
from engine.network.traffic import traffic_line
from engine.output import to_yaml
from engine.timeline import pod_timeline
from podtui.app.resources import namespaced, plural
from podtui.app.session import ChangeKey, Session
from podtui.app.widgets.key_footer import KeyFooter
from podtui.app.widgets.text_views import DescribeView, YamlView
from podtui.app.widgets.timeline_view import TimelineView

LOG_LINES_SHOWN = 1000
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
        self._gone = False

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
                    yield Log(max_lines=LOG_LINES_SHOWN, id="logs-view", auto_scroll=True)
                with TabPane("Timeline", id="timeline"), ScrollableContainer():
                    yield TimelineView(id="timeline-view")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.is_pod and self.container is None:
            names = self._container_names()
            self.set_reactive(DetailScreen.container, names[0] if names else None)
        self.refresh_all()

    # -- reading the engine -----------------------------------------------------------------
    def _object(self) -> dict | None:
        return self.session.cluster.store.get(self.kind, self.namespace, self.object_name)

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
                self.query_one(DescribeView).show(describe(self.session.cluster, obj))
                self.query_one(YamlView).show(to_yaml(obj))
                if self.is_pod:
                    self._refresh_logs()
                    self._refresh_traffic(obj)
                    self.query_one(TimelineView).timeline = pod_timeline(
                        self.session.cluster, obj, self.session.recorder
                    )
        if self.is_pod:
            self.query_one(TimelineView).refresh(layout=True)

    def _refresh_traffic(self, pod: dict) -> None:
        self.query_one("#detail-traffic", Label).update(traffic_line(self.session.cluster, pod))

    def _refresh_logs(self) -> None:
        title = f"{self.object_name} › {self.container or '-'}"
        if self.previous:
            title += "  (previous run)"
        lines = self.session.cluster.logs(
            self.namespace, self.object_name, self.container, previous=self.previous
        )
        if not lines:
            title += "  — no output" + (" (no previous run)" if self.previous else " yet")
        self.query_one("#logs-title", Label).update(title)
        log = self.query_one(Log)
        shown = self._log_lines
        if lines[: len(shown)] == shown and len(lines) >= len(shown):
            new = lines[len(shown) :]
            if new:
                log.write_lines(new)
        else:
            log.clear()
            if lines:
                log.write_lines(lines)
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
                    self.query_one(TimelineView).timeline = pod_timeline(
                        self.session.cluster, obj, self.session.recorder
                    )

    # -- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss()

    def action_tab(self, tab: str) -> None:
        if tab in ("logs", "timeline") and not self.is_pod:
            self.notify(f"{tab} are for pods", severity="warning")
            return
        self.query_one(TabbedContent).active = tab

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tab" and parameters and parameters[0] in ("logs", "timeline"):
            return self.is_pod
        if action in ("next_container", "toggle_previous"):
            # Logs keys: only for pods, and shown in the footer on the Logs tab.
            if not self.is_pod:
                return False
            return self.query_one(TabbedContent).active == "logs"
        if action == "edit":
            return not self.session.readonly
        return True

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
            # Another log entirely: clear the widget too, or the new lines are appended
            # under the old ones (an empty `_log_lines` reads as "nothing shown yet").
            self._log_lines = []
            self.query_one(Log).clear()
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
