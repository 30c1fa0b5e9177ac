"""The `:` command line and the `/` filter line, k9s style, at the bottom of the screen."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.reactive import reactive
from textual.suggester import SuggestFromList
from textual.widgets import Input

from podtui.app.messages import CommandSubmitted
from podtui.app.widgets.ordered_input import OrderedInput

VERBS = (
    "get",
    "describe",
    "logs",
    "create -f ",
    "apply -f ",
    "edit",
    "delete",
    "scale",
    "cordon",
    "uncordon",
    "drain",
    "evict",
    "inject",
    "ns",
    "theme",
    "pause",
    "resume",
    "step",
    "speed",
    "explain",
    "refused",
    "reloads",
    "help",
    "quit",
)


class CommandLine(OrderedInput):
    """An input that opens on `:` or `/`; Enter submits, Escape closes, ↑/↓ walk history."""

    BINDINGS = [
        Binding("escape", "close", "Close", show=False, id="command_line.close"),
        Binding("up", "history(-1)", "Previous", show=False, id="command_line.previous"),
        Binding("down", "history(1)", "Next", show=False, id="command_line.next"),
    ]

    mode: reactive[str] = reactive("command")

    def __init__(self, aliases: list[str], *, id: str | None = None) -> None:
        words = [*VERBS, *aliases, *(f"get {a}" for a in aliases)]
        super().__init__(
            placeholder="",
            id=id,
            suggester=SuggestFromList(words, case_sensitive=False),
        )
        self._history: list[str] = []
        self._history_index = 0

    def open(self, mode: str, value: str = "") -> None:
        """Show the line for a command (`:`) or a filter (`/`)."""
        self.mode = mode
        self.display = True
        self.value = value
        self.cursor_position = len(value)
        self._history_index = len(self._history)
        self.focus()

    def watch_mode(self, mode: str) -> None:
        self.set_class(mode == "filter", "filter")
        self.border_title = ":" if mode == "command" else "/"
        self.placeholder = (
            "get pods · describe pod web · create -f ./psp.yaml · edit psp permissive · po · q"
            if mode == "command"
            else "regex · !inverse · -l app=web"
        )

    def action_close(self) -> None:
        self.display = False
        self.value = ""
        self.screen.focus_next()

    def action_history(self, step: int) -> None:
        if self.mode != "command" or not self._history:
            return
        self._history_index = max(0, min(len(self._history), self._history_index + step))
        self.value = (
            self._history[self._history_index] if self._history_index < len(self._history) else ""
        )
        self.cursor_position = len(self.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if self.mode == "command" and value and (not self._history or self._history[-1] != value):
            self._history.append(value)
        self.display = False
        self.value = ""
        self.post_message(CommandSubmitted(self.mode, value))
