"""The banner of files that could not be applied, above the panes, until a save fixes them."""

from __future__ import annotations

from podtui.reload.widgets import ReloadErrorBanner


class ConsoleReloadBanner(ReloadErrorBanner):
    """The reload error banner on the main screen: it shows the standing errors the console
    knows of as soon as it mounts, and says which key opens the reload log."""

    def on_mount(self) -> None:
        hot_reload = getattr(self.app, "hot_reload", None)
        if hot_reload is None:
            return
        self.hint = hot_reload.log_hint()
        self.show_problems(hot_reload.problems)
