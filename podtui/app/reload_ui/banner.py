"""Above the panes: the banner of files that could not be applied (until a save fixes them or
the user dismisses it), and one calm line for the pods admission refused.

A refusal by admission (`Error from server (Forbidden)`) is the cluster working as it
should — the bundled sample refuses pods on purpose, to teach PodSecurityPolicy — so it
gets one quiet line, not the red banner, which is kept for real problems: files that do
not parse or validate, and refusals that are not admission's (AlreadyExists, Invalid ...).
Paths are shown relative to the folder the user passed, as they would name the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual import events
from textual.widgets import Static

from engine.manifests.yamldoc import Problem
from podtui.reload.widgets import BANNER_LINES, ReloadErrorBanner

FORBIDDEN = "Error from server (Forbidden)"
_REFUSED_POD = re.compile(r'pods "([^"]+)" is forbidden')


def is_admission_refusal(problem: Problem) -> bool:
    """A pod (or object) admission refused: the API server's 403, not a broken file."""
    return FORBIDDEN in problem.message


def short_file(file: str, roots: Sequence[Path]) -> str:
    """A manifest path relative to the PATH folder it came from (`security/psp.yaml`).

    A watched PATH itself (`manifests/: folder not found`, `manifests: permission denied`)
    is shown as the user typed it: relative to itself it would be `.`.
    """
    absolute = Path(file).absolute()
    for root in roots:
        root = root.absolute()
        if absolute == root:
            return file
        if root.is_dir():
            try:
                return str(absolute.relative_to(root))
            except ValueError:
                continue
    return file


def shorten(problem: Problem, roots: Sequence[Path]) -> str:
    """`FILE:LINE: message` with FILE (and the same path in the message) made relative."""
    short = short_file(problem.file, roots)
    return str(problem).replace(problem.file, short)


def _watched_roots(app: object) -> list[Path]:
    hot_reload = getattr(app, "hot_reload", None)
    return list(hot_reload.reloader.paths) if hot_reload is not None else []


class ConsoleReloadBanner(ReloadErrorBanner):
    """The reload error banner on the main screen: broken files only, one line each
    (elided), `… and N more`, the key of the reload log, and dismissible (click, or `esc`
    on the main screen) until the problems change."""

    DEFAULT_CSS = """
    ConsoleReloadBanner { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, in_log: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.in_log = in_log
        """On the reload log screen: no hint (the log is right there)."""
        self.dismissed: tuple[Problem, ...] | None = None
        """The problems shown when the user hid the banner; new ones bring it back."""

    def on_mount(self) -> None:
        hot_reload = getattr(self.app, "hot_reload", None)
        if hot_reload is None:
            return
        self.hint = "" if self.in_log else hot_reload.log_hint()
        self.show_problems(hot_reload.problems)

    def show_problems(self, problems: Sequence[Problem]) -> None:
        broken = tuple(p for p in problems if not is_admission_refusal(p))
        self.problems = broken
        for note in self.screen.query(AdmissionNote) if self.is_attached else ():
            note.show_refusals([p for p in problems if is_admission_refusal(p)])
        if not broken or broken == self.dismissed:
            self.remove_class("-problems")
            self.update("")
            return
        self.dismissed = None
        roots = _watched_roots(self.app)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for problem in broken[:BANNER_LINES]:
            text.append(shorten(problem, roots).splitlines()[0] + "\n")
        if len(broken) > BANNER_LINES:
            text.append(f"… and {len(broken) - BANNER_LINES} more (see the reload log)\n")
        if self.in_log:
            text.rstrip()
        else:
            text.append("esc or click hides this · " + self.hint, style="dim")
        self.update(text)
        self.add_class("-problems")

    def dismiss(self) -> bool:
        """Hide the banner until the problems change; False if it was not showing."""
        if not self.has_class("-problems"):
            return False
        self.dismissed = self.problems
        self.remove_class("-problems")
        return True

    def on_click(self, event: events.Click) -> None:
        self.dismiss()


class AdmissionNote(Static):
    """`3 pods refused by admission — R to see why (a, b, c)`: one calm line."""

    DEFAULT_CSS = """
    AdmissionNote {
        display: none;
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AdmissionNote.-refused { display: block; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.refusals: tuple[Problem, ...] = ()

    def on_mount(self) -> None:
        hot_reload = getattr(self.app, "hot_reload", None)
        if hot_reload is not None:
            self.show_refusals([p for p in hot_reload.problems if is_admission_refusal(p)])

    def show_refusals(self, refusals: Sequence[Problem]) -> None:
        self.refusals = tuple(refusals)
        if not refusals:
            self.remove_class("-refused")
            self.update("")
            return
        names = [m.group(1) for p in refusals if (m := _REFUSED_POD.search(p.message))]
        count = len(refusals)
        what = "pod" if len(names) == count else "object"
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("ⓘ ", style="bold")
        text.append(f"{count} {what}{'s' if count != 1 else ''} refused by admission")
        hot_reload = getattr(self.app, "hot_reload", None)
        key = hot_reload.log_key() if hot_reload is not None else ":reloads"
        text.append(" — ")
        text.append(key, style="bold")
        text.append(" to see why")
        if names:  # last, so a narrow terminal elides the names, not the key
            text.append(f" ({', '.join(names)})")
        self.update(text)
        self.add_class("-refused")

    def on_click(self, event: events.Click) -> None:
        self.app.run_action("reloads")
