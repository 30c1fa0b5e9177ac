"""Chaos mode's form: how often, which pods, where, and the seed that makes it repeatable."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from engine.disruption.recorder import format_seconds
from engine.labels import SelectorError, parse_selector
from engine.timeutil import DurationError, parse_duration
from podtui.app.disruption.chaos import ChaosSettings


class ChaosDialog(ModalScreen[ChaosSettings | None]):
    """Dismisses with the settings to start chaos mode with (None: cancel)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, settings: ChaosSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        settings = self.settings
        with Vertical(classes="dialog", id="chaos-dialog") as dialog:
            dialog.border_title = "Chaos mode: kill random pods"
            for field_id, label, value, hint in (
                ("interval", "every ", format_seconds(settings.mean_interval), "on average"),
                ("selector", "pods  ", settings.selector, "label selector; empty: any pod"),
                ("namespace", "in    ", settings.namespace or "", "empty: every namespace"),
                ("seed", "seed  ", str(settings.seed), "same seed, same kills"),
            ):
                with Horizontal(classes="dialog-row"):
                    yield Label(label, classes="chaos-label")
                    yield Input(value, id=field_id, classes="chaos-value")
                    yield Label(hint, classes="chaos-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Start chaos", id="start", variant="error")

    def on_mount(self) -> None:
        self.query_one("#interval", Input).focus()

    def read(self) -> ChaosSettings:
        """The form as settings; raises ValueError with the field's problem."""
        value = self.query_one
        try:
            interval = parse_duration(value("#interval", Input).value.strip())
        except DurationError as err:
            raise ValueError(f"every: {err}") from err
        if interval <= 0:
            raise ValueError("every: the mean interval must be positive")
        selector = value("#selector", Input).value.strip()
        try:
            parse_selector(selector)
        except SelectorError as err:
            raise ValueError(f"pods: {err}") from err
        seed_text = value("#seed", Input).value.strip() or "0"
        try:
            seed = int(seed_text)
        except ValueError as err:
            raise ValueError(f'seed: "{seed_text}" is not a whole number') from err
        namespace = value("#namespace", Input).value.strip() or None
        return ChaosSettings(interval, selector, namespace, seed)

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        try:
            settings = self.read()
        except ValueError as err:
            self.notify(f"error: {err}", severity="error", markup=False)
            return
        self.dismiss(settings)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
