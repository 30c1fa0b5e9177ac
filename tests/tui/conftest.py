"""Console test fixtures: a small cluster, a paused app, no blinking cursors.

Snapshots must be deterministic: the clock starts paused, tests advance it explicitly
(`app.advance(n)` or ticks before the app starts), the seed is fixed, and no wall-clock
time is ever shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, TextArea

from engine.sim import load_inputs
from podtui.app.app import PodtuiApp
from podtui.app.session import Session

MANIFESTS = Path(__file__).parent / "manifests"
TERMINAL = (120, 34)


def make_session(
    paths: list[Path] | None = None, *, ticks: int = 0, readonly: bool = False, seed: int = 0
) -> Session:
    """A booted cluster with the test manifests applied, `ticks` seconds in."""
    inputs = load_inputs([str(p) for p in (paths or [MANIFESTS])])
    assert not inputs.problems, [str(p) for p in inputs.problems]
    session, outcome = Session.boot(
        inputs.manifests, seed=seed, readonly=readonly, base_dir=(paths or [MANIFESTS])[0]
    )
    assert not outcome.errors, outcome.errors
    session.advance(ticks)
    return session


def make_app(
    *, ticks: int = 30, readonly: bool = False, keymap: dict[str, str] | None = None
) -> PodtuiApp:
    """The console over the test cluster, paused `ticks` seconds in."""
    return PodtuiApp(make_session(ticks=ticks, readonly=readonly), paused=True, keymap=keymap)


@pytest.fixture(autouse=True)
def no_blinking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors do not blink, so a screenshot never catches one half-way."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


async def enter_command(pilot, line: str) -> None:
    """`:LINE` then enter, as a user gives it: the `:` key opens the command line, LINE is
    pasted into it and the enter key submits it.

    Pasted rather than pressed key by key: each Pilot key press waits for the app to go
    idle twice (at least 40 ms of real time), which made typing commands most of the
    suite's wall time. Typing itself is tested where it matters (history, suggestions).
    """
    await pilot.press(":")
    paste = events.Paste(line)
    paste.set_sender(pilot.app)
    pilot.app.post_message(paste)
    await pilot.press("enter")
    await pilot.pause()


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run (Pilot's pause) until `condition` holds; fail after `timeout` s.

    For what runs on the app's own schedule (the clock's timer, a worker): the test
    waits as long as it takes on a loaded machine and not a moment longer.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await pilot.pause()
