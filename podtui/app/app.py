"""PodtuiApp: the clock, the theme and keymap, and the screens over one session."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterable

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.timer import Timer

from engine.result import ActionResult
from podtui.app import features  # the features plugged into the screens (features.MainScreen)
from podtui.app.capabilities import gate
from podtui.app.commands import PodtuiCommands
from podtui.app.key_replay import KeysFollowTheScreen
from podtui.app.messages import OpenDetail, Outcome, Ticked
from podtui.app.reload_ui.hot_reload import HotReload
from podtui.app.reload_ui.screen import ReloadLogScreen
from podtui.app.session import Session
from podtui.backends.base import CHECKPOINTS, CLOCK
from podtui.reload import Reloader

SPEEDS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
LIVE_REFRESH_HZ = 4
"""How often the panes take in a real cluster's change feed."""
MAX_REFRESH_HZ = 20
"""At high speeds several ticks run per timer beat, so the panes repaint at most this often."""


class PodtuiApp(KeysFollowTheScreen, App[int]):
    """A terminal console over a simulated Kubernetes cluster."""

    CSS_PATH = "podtui.tcss"
    TITLE = "podtui"
    COMMANDS = App.COMMANDS | {PodtuiCommands}

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/Run", id="clock.pause"),
        Binding("full_stop", "step", "Step 1s", id="clock.step"),
        Binding("plus,equals_sign", "faster", "Faster", show=False, id="clock.faster"),
        Binding("minus", "slower", "Slower", show=False, id="clock.slower"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("R", "reloads", "Reload log", show=False, id="view.reloads"),
        Binding("ctrl+c,ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
    ]

    paused: reactive[bool] = reactive(False, init=False)
    speed: reactive[float] = reactive(1.0, init=False)

    def __init__(
        self,
        session: Session,
        *,
        paused: bool = False,
        speed: float = 1.0,
        keymap: dict[str, str] | None = None,
        theme: str | None = None,
        startup: ActionResult | None = None,
        reloader: Reloader | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        # A verb over the network answers after the key press: its result is reported then.
        session.on_result = lambda result: self.post_message(Outcome(result.lines, result.errors))
        self.hot_reload = HotReload(self, reloader) if reloader is not None else None
        """Watching the PATHs and applying each save (None when nothing is watched)."""
        self.set_reactive(PodtuiApp.paused, paused)
        self.set_reactive(PodtuiApp.speed, speed)
        self._timer: Timer | None = None
        self._ticking = False
        self._startup = startup
        self.transcript: deque[str] = deque(maxlen=500)
        """Every line actions and commands printed (errors too), oldest first."""
        self.farewell: list[str] = []
        """Lines to print on the terminal once the console has quit (a checkpoint saved)."""
        self.notices: list[str] = []
        """Lines to show once the console is up (a checkpoint resumed)."""
        if keymap:
            self.set_keymap(keymap)
        if theme:
            self.theme = theme

    # -- screens ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.push_screen(features.MainScreen(self.session))
        self._restart_timer()
        if self.hot_reload is not None:
            self.hot_reload.start()
        if self._startup is not None and self._startup.errors and self.hot_reload is None:
            # With hot reload the start's refusals stand above the panes (the banner, or
            # one calm line for admission's), not in a toast over the table.
            self.post_message(Outcome([], list(self._startup.errors)))
        if self.notices:
            self.post_message(Outcome(list(self.notices), []))

    @property
    def main_screen(self):
        from podtui.app.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("no main screen")

    @on(OpenDetail)
    def _open_detail(self, message: OpenDetail) -> None:
        from podtui.app.screens.detail import DetailScreen

        if message.kind == "PodSecurityPolicy":  # with the pods each policy admitted
            from podtui.app.security.psp_detail import PspDetailScreen as DetailScreen

        self.push_screen(
            DetailScreen(
                self.session,
                message.kind,
                message.object_namespace,
                message.name,
                tab=message.tab,
                container=message.container,
                previous=message.previous,
            )
        )

    @on(Outcome)
    def _outcome(self, message: Outcome) -> None:
        """Say what an action did, in kubectl's words (refusals as errors), and show its
        effect at once, paused or not."""
        self.apply_changes()
        self.transcript.extend(message.lines)
        self.transcript.extend(message.errors)
        if message.lines:
            self.notify("\n".join(message.lines), markup=False, timeout=6)
        if message.errors:
            self.notify("\n".join(message.errors), severity="error", markup=False, timeout=10)

    # -- the clock ----------------------------------------------------------------------------
    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.session.has(CLOCK):
            # A real cluster runs by itself: the panes take in its change feed (and ages
            # move on the wall clock) a few times a second; nothing pauses it.
            self._timer = self.set_interval(1.0 / LIVE_REFRESH_HZ, self.apply_changes)
            return
        if self.paused:
            return
        interval = max(1.0 / self.speed, 1.0 / MAX_REFRESH_HZ)
        self._timer = self.set_interval(interval, self._beat)

    def _ticks_per_beat(self) -> int:
        return max(1, round(self.speed / MAX_REFRESH_HZ)) if self.speed > MAX_REFRESH_HZ else 1

    def _beat(self) -> None:
        # A tick still running means the engine is slower than the clock asks: skip a
        # beat rather than queue work (the simulation slows down; the console does not).
        if self.paused or self._ticking:
            return
        self._ticking = True
        self._run_ticks(self._ticks_per_beat())

    @work(thread=True, group="clock", exit_on_error=True)
    def _run_ticks(self, ticks: int) -> None:
        try:
            self.session.advance(ticks)
        finally:
            self.post_message(Ticked(ticks))

    @on(Ticked)
    def _ticked(self, message: Ticked) -> None:
        self._ticking = False
        self.apply_changes()

    def advance(self, ticks: int = 1) -> None:
        """Advance the engine now, on this thread, and show the result (tests, `step`)."""
        self.session.advance(ticks)
        self.apply_changes()

    def apply_changes(self) -> None:
        """Hand the change feed's batch to every screen that shows the cluster."""
        if not self.is_running:
            # Quitting: Textual closes the screens, then handles what is still queued (a
            # tick's `Ticked`, a reload); there are no panes left to update.
            return
        changes = self.session.take_changes()
        reports = self.session.take_reports()
        if reports:
            # A panel on screen that already shows a line (the drain panel) takes it: the
            # transcript keeps it, no toast covers the panel with it again.
            shows = getattr(self.screen, "show_reports", None)
            toast = shows(reports) if shows is not None else reports
            self.transcript.extend(line for line in reports if line not in toast)
            errors = [line for line in toast if "error" in line.lower()]
            lines = [line for line in toast if line not in errors]
            if lines or errors:
                self.post_message(Outcome(lines, errors))
        for screen in list(self.screen_stack):
            apply = getattr(screen, "apply_changes", None)
            if apply is not None:
                apply(changes)

    def watch_paused(self) -> None:
        self._restart_timer()
        self._refresh_header()

    def watch_speed(self) -> None:
        self._restart_timer()
        self._refresh_header()

    def _refresh_header(self) -> None:
        with contextlib.suppress(LookupError):  # before the main screen is up
            self.main_screen.refresh_header()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused

    def action_step(self) -> None:
        self.paused = True
        self.advance(1)

    def action_faster(self) -> None:
        faster = [s for s in SPEEDS if s > self.speed]
        if faster:
            self.speed = faster[0]

    def action_slower(self) -> None:
        slower = [s for s in SPEEDS if s < self.speed]
        if slower:
            self.speed = slower[-1]

    def clock_command(self, verb: str, argument: str | None) -> ActionResult:
        """`:pause`, `:resume`, `:step [N]`, `:speed X`."""
        if verb == "pause":
            self.paused = True
        elif verb == "resume":
            self.paused = False
        elif verb == "step":
            try:
                ticks = int(argument) if argument else 1
            except ValueError:
                return ActionResult(errors=[f'error: invalid number of ticks "{argument}"'])
            self.paused = True
            self.advance(max(ticks, 0))
        elif verb == "speed":
            try:
                value = float((argument or "").lstrip("x×"))
            except ValueError:
                return ActionResult(
                    errors=[f"error: speed is a number such as 0.5, 1, 10 (got {argument!r})"]
                )
            if value <= 0:
                return ActionResult(errors=["error: speed must be positive"])
            self.speed = value
        return ActionResult()

    # -- look and feel ------------------------------------------------------------------------
    def choose_theme(self, name: str) -> list[str]:
        """`:theme NAME`; with no name, the themes there are."""
        if not name:
            return [f"themes: {', '.join(sorted(self.available_themes))} (now {self.theme})"]
        if name not in self.available_themes:
            return [
                f'error: unknown theme "{name}" (known: {", ".join(sorted(self.available_themes))})'
            ]
        self.theme = name
        return []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reloads":
            return self.hot_reload is not None
        return gate(self.session, action, parameters, True)

    def action_reloads(self) -> None:
        """The reload log: every reload's lines, refusals and replaced live edits."""
        if self.hot_reload is not None and not isinstance(self.screen, ReloadLogScreen):
            self.push_screen(ReloadLogScreen(self.hot_reload))

    def quit_asks_first(self) -> bool:
        """Whether the quit action asks before it quits (live edits to offer to save)."""
        from podtui.app.checkpoint.log import log_of

        if self.session.readonly or not self.session.has(CHECKPOINTS):
            return False
        return bool(log_of(self.session).unsaved)

    def action_quit(self) -> None:  # type: ignore[override]
        """Quit; with live edits the files do not hold, first offer to save a checkpoint."""
        from podtui.app.checkpoint.quit import quit_or_offer

        quit_or_offer(self)

    def action_help(self) -> None:
        from podtui.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    @classmethod
    def binding_ids(cls) -> Iterable[str]:
        """Every binding id a keymap may remap."""
        from podtui.app.checkpoint.quit import SaveCheckpointDialog
        from podtui.app.disruption.chaos_dialog import ChaosDialog
        from podtui.app.disruption.drain_screen import DrainScreen
        from podtui.app.drill.screen import DrillScreen
        from podtui.app.screens.detail import DetailScreen
        from podtui.app.screens.dialogs import (
            ConfirmDialog,
            DrainDialog,
            InjectDialog,
            NamespaceDialog,
            ScaleDialog,
        )
        from podtui.app.screens.edit import EditScreen
        from podtui.app.screens.help import HelpScreen
        from podtui.app.screens.listing import ListingScreen
        from podtui.app.screens.main import MainScreen
        from podtui.app.screens.shell import ShellScreen
        from podtui.app.security.explain_screen import ExplainScreen
        from podtui.app.security.psp_detail import PspDetailScreen
        from podtui.app.security.refused_screen import RefusedScreen
        from podtui.app.widgets.command_line import CommandLine
        from podtui.app.widgets.resource_table import ResourceTable
        from podtui.app.workloads.set_image_dialog import SetImageDialog

        # A subclass (`podtui learn`'s LessonApp) adds its own keys to the console's.
        apps = [c for c in cls.__mro__ if issubclass(c, PodtuiApp) and "BINDINGS" in vars(c)]
        for owner in (
            *apps,
            ReloadLogScreen,
            ExplainScreen,
            RefusedScreen,
            PspDetailScreen,
            MainScreen,
            DetailScreen,
            EditScreen,
            HelpScreen,
            ListingScreen,
            ShellScreen,
            ConfirmDialog,
            InjectDialog,
            ScaleDialog,
            DrainDialog,
            NamespaceDialog,
            ResourceTable,
            CommandLine,
            DrainScreen,
            DrillScreen,
            ChaosDialog,
            SaveCheckpointDialog,
            SetImageDialog,
        ):
            for binding in owner.BINDINGS:
                if isinstance(binding, Binding) and binding.id:
                    yield binding.id
