"""The reload log pane and the banner of standing errors, for the console to mount."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import RichLog, Static

from engine.manifests.yamldoc import Problem
from podtui.reload.log import ReloadEntry, ReloadResult
from podtui.reload.reloader import Reloader

BANNER_LINES = 4
"""Problems the banner lists before it says how many more there are."""


class ReloadApplied(Message):
    """A reload happened: post it from the reloader's callback, handle it in the app."""

    def __init__(self, result: ReloadResult) -> None:
        super().__init__()
        self.result = result


class ReloadLogPane(RichLog):
    """Each reload: wall and simulated time, kubectl's lines, refusals and notices."""

    DEFAULT_CSS = """
    ReloadLogPane {
        height: 1fr;
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, *, max_lines: int = 2000, id: str | None = "reload-log", **kwargs) -> None:
        super().__init__(
            max_lines=max_lines, wrap=True, markup=False, highlight=False, id=id, **kwargs
        )
        self.entries_shown = 0
        """How many reload entries the pane has written (tests and benchmarks wait on it)."""

    def add_entry(self, entry: ReloadEntry) -> None:
        colors = self.app.get_css_variables()
        self.write(Text(entry.title(), style=f"bold {colors.get('primary', '')}"))
        for line in entry.summary():
            warn = line.startswith("Warning:") or line.endswith(" pruned")
            self.write(Text("  " + line, style=colors.get("warning", "") if warn else ""))
        for notice in entry.notices:
            self.write(Text("  " + notice, style=colors.get("warning", "")))
        for error in entry.errors:
            self.write(Text("  " + error, style=colors.get("error", "")))
        self.entries_shown += 1


class ReloadErrorBanner(Static):
    """The files that could not be applied, shown until a save fixes them."""

    DEFAULT_CSS = """
    ReloadErrorBanner {
        display: none;
        height: auto;
        max-height: 7;
        padding: 0 1;
        background: $error 15%;
        border-left: thick $error;
    }
    ReloadErrorBanner.-problems {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = "reload-errors", hint: str = "", **kwargs) -> None:
        super().__init__("", id=id, **kwargs)
        self.problems: tuple[Problem, ...] = ()
        self.hint = hint
        """A last line saying where to see more (the console: which key opens the log)."""

    def show_problems(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        if not problems:
            self.remove_class("-problems")
            self.update("")
            return
        lines = [str(p).splitlines()[0] for p in problems[:BANNER_LINES]]
        if len(problems) > BANNER_LINES:
            lines.append(f"… and {len(problems) - BANNER_LINES} more (see the reload log)")
        text = Text("\n".join(lines))
        if self.hint:
            text.append("\n" + self.hint, style="dim")
        self.update(text)
        self.add_class("-problems")


class ReloadPanel(Vertical):
    """The banner and the log together, with the reloader running in a worker.

    The console mounts it and calls `start(reloader)` from `on_mount`; every reload is
    shown here, live edits that a save replaced are notified, and a `ReloadApplied`
    message bubbles up for anything else the console wants to do.
    """

    DEFAULT_CSS = """
    ReloadPanel {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = "reload-panel", **kwargs) -> None:
        super().__init__(id=id, **kwargs)
        self.reloader: Reloader | None = None

    def compose(self) -> ComposeResult:
        yield ReloadErrorBanner()
        yield ReloadLogPane()

    def start(self, reloader: Reloader) -> None:
        """Watch and apply in a worker for as long as the panel is mounted."""
        self.reloader = reloader
        self.run_worker(
            reloader.run(self.show_result), name="hot-reload", group="reload", exclusive=True
        )

    def show_result(self, result: ReloadResult) -> None:
        self.query_one(ReloadLogPane).add_entry(result.entry)
        self.query_one(ReloadErrorBanner).show_problems(result.problems)
        for notice in result.entry.notices:
            self.app.notify(notice, title="Hot reload", severity="warning")
        self.post_message(ReloadApplied(result))
