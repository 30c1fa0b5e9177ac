"""The reload log screen (`R`, `:reloads`): every reload with wall and simulated time,
kubectl's lines, refusals and replaced live edits, under the banner of standing errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Label

from podtui.app.reload_ui.banner import ConsoleReloadBanner
from podtui.reload.log import ReloadEntry
from podtui.reload.widgets import ReloadErrorBanner, ReloadLogPane

if TYPE_CHECKING:
    from podtui.app.reload_ui.hot_reload import HotReload


class ReloadLogScreen(Screen):
    """The reload log, live. Escape goes back."""

    BINDINGS = [Binding("escape,q", "back", "Back", id="reloads.back")]

    def __init__(self, hot_reload: HotReload) -> None:
        super().__init__()
        self.hot_reload = hot_reload

    def compose(self) -> ComposeResult:
        files = len(self.hot_reload.reloader.folders.files)
        yield Label(
            f"reload log — watching {self.hot_reload.watched()} "
            f"({files} file{'s' if files != 1 else ''}) · podtui never writes these files",
            id="reload-title",
            markup=False,
        )
        yield ConsoleReloadBanner(in_log=True)
        yield ReloadLogPane()
        yield Footer()

    def on_mount(self) -> None:
        pane = self.query_one(ReloadLogPane)
        for entry in self.hot_reload.log:
            pane.add_entry(entry)
        if not len(self.hot_reload.log):
            pane.write("waiting for the first load…")
        self.query_one(ReloadErrorBanner).show_problems(self.hot_reload.problems)
        pane.focus()

    def add_entry(self, entry: ReloadEntry) -> None:
        self.query_one(ReloadLogPane).add_entry(entry)

    def action_back(self) -> None:
        self.dismiss()
