"""The console's side of hot reload: run the reloader from the moment the app mounts, and
show each reload where the user looks (the panes, the banner, a notification, the log)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from engine.manifests.yamldoc import Problem
from podtui.reload.log import ReloadEntry, ReloadResult
from podtui.reload.reloader import Reloader
from podtui.reload.widgets import ReloadApplied, ReloadErrorBanner

if TYPE_CHECKING:
    from podtui.app.app import PodtuiApp

TOAST_LINES = 4
"""Lines of a reload a notification shows before it says how many more the log has."""
RELOAD_LOG_BINDING = "view.reloads"


class HotReload:
    """The reloader, started in a worker of the app; its results on screen.

    Reloads apply under the session's lock from a thread (podtui.reload.Reloader), then this
    runs on the app's event loop: the panes take in the changes at once (paused or not), the
    banner over the panes lists the standing errors, the reload log screen (if open) gets
    the entry, and a notification says what happened, with live edits a save replaced.
    """

    def __init__(self, app: PodtuiApp, reloader: Reloader) -> None:
        self.app = app
        self.reloader = reloader
        self.problems: tuple[Problem, ...] = ()
        """Every file's standing errors after the last reload."""
        self.reloads_shown = 0
        """How many reloads reached the screen (tests and the benchmark wait on it)."""

    @property
    def log(self):
        return self.reloader.log

    def start(self) -> None:
        """Watch the PATHs for as long as the app runs."""
        self.app.run_worker(
            self.reloader.run(self.show), name="hot-reload", group="reload", exclusive=True
        )

    def stop(self) -> None:
        self.reloader.stop()

    def watched(self) -> str:
        """`manifests/, web.yaml`: what is watched, as the user named it."""
        from podtui.reload.state import display_name

        names = []
        for path in self.reloader.paths:
            name = display_name(path)
            names.append(name + "/" if path.is_dir() and not name.endswith("/") else name)
        return ", ".join(names)

    def log_key(self) -> str:
        """The key that opens the reload log now (after the user's keymap), else `:reloads`."""
        keys = [
            key
            for key, active in self.app.screen.active_bindings.items()
            if active.binding.id == RELOAD_LOG_BINDING
        ]
        return self.app.get_key_display(Binding(keys[0], "")) if keys else ":reloads"

    def log_hint(self) -> str:
        """`R or :reloads — the reload log` with the key in effect."""
        return f"{self.log_key()} or :reloads — the reload log"

    # -- each reload ------------------------------------------------------------------------
    def show(self, result: ReloadResult) -> None:
        from podtui.app.reload_ui.screen import ReloadLogScreen

        app = self.app
        if not app.is_running:
            return  # quitting: the screens are gone
        self.problems = result.problems
        app.apply_changes()
        for screen in app.screen_stack:
            for banner in screen.query(ReloadErrorBanner):
                banner.show_problems(result.problems)
            if isinstance(screen, ReloadLogScreen):
                screen.add_entry(result.entry)
        self._notify(result.entry)
        self.reloads_shown += 1
        app.post_message(ReloadApplied(result))

    def _notify(self, entry: ReloadEntry) -> None:
        app = self.app
        title = "Hot reload: " + (
            entry.files[0] if len(entry.files) == 1 else f"{len(entry.files)} files"
        )
        for notice in entry.notices:
            app.notify(notice, title="Hot reload", severity="warning", markup=False, timeout=10)
        if entry.initial:
            return  # the start's refusals were already shown as the console opened
        if entry.errors:
            app.notify(
                _shorten(list(entry.errors)),
                title=title,
                severity="error",
                markup=False,
                timeout=10,
            )
        changed = [line for line in entry.lines if not line.endswith(" unchanged")]
        if changed:
            app.notify(_shorten(changed), title=title, markup=False, timeout=5)


def _shorten(lines: list[str]) -> str:
    shown = lines[:TOAST_LINES]
    if len(lines) > TOAST_LINES:
        shown.append(f"… {len(lines) - TOAST_LINES} more in the reload log")
    return "\n".join(shown)
