"""Quitting with live edits: offer to save a checkpoint first.

Live edits (scale, delete, edit, drain, faults ... anything the manifest files do not hold)
are lost when the console quits: the files would boot a different cluster. The app's quit
action asks `quit_or_offer` first; with unsaved live edits it opens `SaveCheckpointDialog`:
save to a path and quit, quit without saving, or cancel (stay). Without live edits, or
read-only, it quits at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from podtui.app.checkpoint.log import CheckpointLog, log_of

if TYPE_CHECKING:
    from podtui.app.app import PodtuiApp

DEFAULT_NAME = "podtui.checkpoint"
SAVED = "saved"
DISCARD = "discard"
SHOWN_EDITS = 3


def default_path() -> str:
    """`podtui.checkpoint` in the working folder, or the first free `podtui-N.checkpoint`."""
    candidate = Path(DEFAULT_NAME)
    index = 1
    while candidate.exists():
        index += 1
        candidate = Path(f"podtui-{index}.checkpoint")
    return str(candidate)


class SaveCheckpointDialog(ModalScreen[str | None]):
    """Save the cluster before quitting? Dismisses with SAVED, DISCARD or None (cancel)."""

    DEFAULT_CSS = """
    #checkpoint-dialog { border: round $warning; border-title-color: $warning; }
    #checkpoint-dialog #checkpoint-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="checkpoint.cancel")]

    def __init__(self, log: CheckpointLog) -> None:
        super().__init__()
        self.checkpoint_log = log
        self.lines: list[str] = []
        """What the save printed (the app prints them after it quits)."""

    def compose(self) -> ComposeResult:
        edits = self.checkpoint_log.unsaved
        shown = ", ".join(edits[:SHOWN_EDITS])
        if len(edits) > SHOWN_EDITS:
            shown += f" and {len(edits) - SHOWN_EDITS} more"
        with Vertical(classes="dialog", id="checkpoint-dialog") as dialog:
            dialog.border_title = "Quit"
            yield Label(
                f"{len(edits)} live edit(s) the manifest files do not hold: save a checkpoint?",
                classes="dialog-question",
                markup=False,
            )
            yield Label(shown, classes="dialog-detail", markup=False)
            yield Label("Checkpoint file:")
            yield Input(default_path(), id="checkpoint-path")
            yield Label("", id="checkpoint-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Quit without saving", id="discard", variant="error")
                yield Button("Save and quit", id="save", variant="primary")
            yield Label(
                "resume with podtui --load FILE · esc: cancel", classes="dialog-hint", markup=False
            )

    def on_mount(self) -> None:
        self.query_one("#checkpoint-path", Input).focus()

    @on(Input.Submitted, "#checkpoint-path")
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        path = self.query_one("#checkpoint-path", Input).value.strip()
        error = self.query_one("#checkpoint-error", Label)
        if not path:
            error.update("error: give a file to save the checkpoint to")
            return
        result = self.checkpoint_log.save(path)
        if result.errors:
            error.update("\n".join(result.errors))
            return
        self.lines = list(result.lines)
        self.dismiss(SAVED)

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(DISCARD)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def quit_or_offer(app: PodtuiApp) -> None:
    """The app's quit action: quit, or first offer to save unsaved live edits."""
    session = app.session
    log = log_of(session)
    if isinstance(app.screen, SaveCheckpointDialog):
        return  # already asking
    if session.readonly or not log.unsaved:
        app.exit(0)
        return
    dialog = SaveCheckpointDialog(log)

    def answered(choice: str | None) -> None:
        if choice is None:
            return
        app.farewell = list(dialog.lines)
        app.exit(0)

    app.push_screen(dialog, answered)
