"""The console under abuse (issue 10, items 1, 3 and 16): `podtui manifests/` over a copy of
the small test cluster, driven by Pilot. Hostile files and a vanished folder end in the
banner with the console alive; keys are hammered with the clock at top speed while the
terminal is resized and every dialog opens and closes; refused actions change nothing.

An exception that reached the user would end `run_test` with it (Textual re-raises what
the app did not handle), and each test also checks that the app still runs on its main
screen. No wall-clock sleeps: Pilot's pauses, and polling with a timeout for file events.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual import events

from podtui.app.app import SPEEDS, PodtuiApp
from podtui.app.screens.edit import EditScreen
from podtui.app.widgets.command_line import CommandLine
from podtui.reload.widgets import ReloadErrorBanner
from tests.reload.conftest import until
from tests.reload.test_console_reload import console
from tests.reload.test_reload_robustness import GOOD, HOSTILE
from tests.tui.conftest import MANIFESTS, enter_command

SIZES = ((140, 42), (80, 24), (40, 12), (200, 60), (120, 34))

PANES = ("1", "2", "3", "4", "5", "6")
DIALOGS = {
    # (pane, key): what opens; esc closes each, and closing writes nothing
    "pod views": [
        ("1", "d", "DetailScreen"),
        ("1", "x", "ExplainScreen"),
        ("1", "question_mark", "HelpScreen"),
        ("1", "R", "ReloadLogScreen"),
        ("1", "colon", "MainScreen"),  # the command line
    ],
    "pod dialogs": [
        ("1", "n", "NamespaceDialog"),
        ("1", "e", "EditScreen"),
        ("1", "ctrl+d", "ConfirmDialog"),
        ("1", "slash", "MainScreen"),  # the filter
        ("4", "x", "RefusedScreen"),
    ],
    "controller and node dialogs": [
        ("2", "s", "ScaleDialog"),
        ("2", "i", "SetImageDialog"),
        ("2", "r", "ConfirmDialog"),
        ("3", "i", "InjectDialog"),
        ("3", "r", "DrainDialog"),
    ],
}
MASHED_SCREENS = ("d", "escape", "question_mark", "escape", "t")
QUICK_KEYS = (
    # keys that change the view, not the cluster, pressed at top speed
    "N", "A", "S", "O", "ctrl+w", "0", "right_square_bracket", "left_square_bracket",
    "down", "down", "j", "up", "k", "minus", "plus",
)  # fmt: skip


def mash(app: PodtuiApp, *keys: str) -> None:
    """Send key presses without waiting for any to be handled (Pilot's `press` waits for
    the app to be idle after each)."""
    for key in keys:
        char = {"plus": "+", "minus": "-", "space": " ", "question_mark": "?"}.get(key)
        event = events.Key(key, char if char else key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


def fingerprint(app: PodtuiApp) -> dict[tuple[str, str, str], str]:
    """Every object's resourceVersion: equal fingerprints mean nothing was written."""
    store = app.session.cluster.store
    return {
        (kind, o["metadata"].get("namespace", ""), o["metadata"]["name"]): o["metadata"][
            "resourceVersion"
        ]
        for kind in store.kinds()
        for o in store.iter(kind)
    }


async def pause_clock(app: PodtuiApp, pilot) -> None:
    """Stop the clock, let a tick already running in its worker end, and run three ticks so
    that the work of the start is done (an action would otherwise settle it)."""
    app.paused = True
    await until(lambda: not app._ticking)
    app.advance(3)
    await pilot.pause()


def banner(app: PodtuiApp) -> ReloadErrorBanner:
    return app.main_screen.query_one(ReloadErrorBanner)


def alive(app: PodtuiApp) -> bool:
    return app.is_running and app.return_code is None and app._exception is None


async def back_to_main(app: PodtuiApp, pilot) -> None:
    """Escape out of whatever is open (a dialog over a screen takes two)."""
    for attempt in range(4):
        line_open = app.main_screen.query_one(CommandLine).display
        if app.screen is app.main_screen and not line_open:
            break
        if isinstance(app.screen, EditScreen) and attempt > 0:
            # esc reaches the editor's text area, which only moves the focus, until the
            # editor's esc binding has priority (issue 12, bug 1): cancel as esc will
            app.screen.action_cancel()
        else:
            await pilot.press("escape")
        await pilot.pause()
    assert app.screen is app.main_screen, app.screen


@pytest.fixture
async def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "manifests"
    shutil.copytree(MANIFESTS, folder)
    (folder / "a.yaml").write_text(GOOD)
    app = console([folder], monkeypatch)
    async with app.run_test(size=SIZES[0]) as pilot:
        assert app.hot_reload is not None
        await until(app.hot_reload.reloader.ready.is_set)
        await until(lambda: app.hot_reload.reloads_shown >= 1)
        yield app, pilot, folder
    assert app._exception is None


async def saved(app: PodtuiApp, path: Path, text: str) -> None:
    """Write `text` to `path` and wait until its reload reached the screen."""
    shown = app.hot_reload.reloads_shown
    path.write_text(text, encoding="utf-8")
    await until(lambda: app.hot_reload.reloads_shown > shown)


class TestHostileFilesInTheConsole:
    async def test_each_ends_in_the_banner_with_the_console_alive(self, running) -> None:
        app, pilot, folder = running
        before = app.session.cluster.store.get("ConfigMap", "default", "a")
        for case in sorted(HOSTILE):
            await saved(app, folder / "a.yaml", HOSTILE[case])
            await pilot.pause()
            problems = [str(p) for p in banner(app).problems]
            assert problems and all(p.startswith("manifests/a.yaml:") for p in problems), case
            assert problems[0].split(":")[1].isdigit(), problems  # FILE:LINE
            assert banner(app).display and alive(app)
            assert app.session.cluster.store.get("ConfigMap", "default", "a") == before
            await saved(app, folder / "a.yaml", GOOD)  # fixed: the banner goes
            await pilot.pause()
            assert banner(app).problems == () and not banner(app).display
        await pilot.press("R")  # the log has them all, and closes
        await pilot.pause()
        await back_to_main(app, pilot)


class TestTheWatchedFolderInTheConsole:
    async def test_the_banner_says_while_it_is_missing_and_it_is_watched_again(
        self, running, tmp_path: Path
    ) -> None:
        app, pilot, folder = running
        kept = shutil.copytree(folder, tmp_path / "kept")
        await pause_clock(app, pilot)
        before = fingerprint(app)
        shutil.rmtree(folder)
        await until(lambda: any("folder not found" in str(p) for p in banner(app).problems))
        (problem,) = banner(app).problems
        assert str(problem).startswith("manifests/: folder not found; its ")
        # as shown (paths relative to the watched folder, but not the folder itself: `.`)
        assert str(banner(app).render()).startswith("manifests/: folder not found; its ")
        assert fingerprint(app) == before  # nothing pruned
        kept.rename(folder)
        await until(lambda: not banner(app).problems)
        (folder / "later.yaml").write_text(GOOD.replace("name: a", "name: later"))
        await until(lambda: app.session.cluster.store.get("ConfigMap", "default", "later"))
        assert alive(app)


class TestHammering:
    async def test_keys_mashed_at_top_speed_while_resizing_and_saving_broken_files(
        self, running
    ) -> None:
        app, pilot, folder = running
        for _ in SPEEDS:
            await pilot.press("plus")
        assert app.speed == SPEEDS[-1] and not app.paused
        start = app.session.cluster.now
        hostile = sorted(HOSTILE.values())
        for round_, pane in enumerate(PANES[:4]):
            await pilot.resize_terminal(*SIZES[round_ % len(SIZES)])
            (folder / f"broken-{round_}.yaml").write_text(hostile[round_], encoding="utf-8")
            # faster than the console takes them: screens open over keys still queued
            mash(app, pane, *QUICK_KEYS, *MASHED_SCREENS)
            await pilot.pause()
            await back_to_main(app, pilot)
            assert alive(app)
        await until(lambda: len(banner(app).problems) >= 4)
        assert all(str(p).startswith("manifests/broken-") for p in banner(app).problems)
        assert alive(app) and app.session.cluster.now > start

    @pytest.mark.parametrize("group", sorted(DIALOGS))
    async def test_every_dialog_opens_and_closing_it_changes_nothing(
        self, running, group: str
    ) -> None:
        app, pilot, _ = running
        await pause_clock(app, pilot)
        for round_, (pane, key, expected) in enumerate(DIALOGS[group]):
            await pilot.resize_terminal(*SIZES[round_ % len(SIZES)])
            await pilot.press(pane)
            await pilot.pause()
            before = fingerprint(app)
            await pilot.press(key)
            await pilot.pause()
            opened = app.screen
            line = app.main_screen.query_one(CommandLine).display
            assert type(opened).__name__ == expected and (opened is not app.main_screen or line)
            await back_to_main(app, pilot)
            assert fingerprint(app) == before, (pane, key)
        assert alive(app)


class TestRefusedActions:
    @pytest.mark.parametrize(
        "line",
        [
            "scale deployment/nope --replicas=3",
            "scale deployment/web --replicas=-1",
            "delete pod nope",
            "cordon nope",
            "drain nope",
            "apply -f manifests/broken.yaml",
            "apply -f nowhere.yaml",
            "edit pod/nope",
            "nonsense verb",
        ],
    )
    async def test_a_refused_command_changes_nothing_and_says_why(self, running, line: str) -> None:
        app, pilot, folder = running
        (folder.parent / "outside").mkdir()
        await pause_clock(app, pilot)
        if "broken" in line:
            # not watched here: the file is only read by apply -f
            (folder.parent / "outside" / "broken.yaml").write_text(HOSTILE["nul"])
            line = line.replace("manifests/", "outside/")
        before, said = fingerprint(app), len(app.transcript)
        await enter_command(pilot, line)
        await pilot.pause()
        await back_to_main(app, pilot)
        assert fingerprint(app) == before
        errors = list(app.transcript)[said:]
        assert errors and all("Traceback" not in e for e in errors), errors
        assert alive(app)

    async def test_an_invalid_replica_count_in_the_scale_dialog_changes_nothing(
        self, running
    ) -> None:
        app, pilot, _ = running
        await pause_clock(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        before = fingerprint(app)
        await pilot.press("s")
        await pilot.pause()
        if app.screen is app.main_screen:
            pytest.skip("no scalable row under the cursor")
        await pilot.press("ctrl+a", "ctrl+k", "minus", "1", "enter")
        await pilot.pause()
        await back_to_main(app, pilot)
        assert fingerprint(app) == before
        assert alive(app)
