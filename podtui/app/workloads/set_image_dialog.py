"""`kubectl set image`'s form: one field per container of the pod template (k9s' `i`)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class SetImageDialog(ModalScreen[dict[str, str] | None]):
    """Dismisses with {container: new image} for the fields that changed (None: cancel)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, target: str, containers: list[tuple[str, str]]) -> None:
        super().__init__()
        self.target = target
        self.containers = containers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="set-image-dialog") as dialog:
            dialog.border_title = f"Set image of {self.target}"
            for index, (name, image) in enumerate(self.containers):
                with Horizontal(classes="dialog-row"):
                    yield Label(f"{name} ", classes="set-image-name", markup=False)
                    yield Input(image, id=f"image-{index}", classes="set-image-input")
            yield Label("enter: set · esc: cancel", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Set image", id="set", variant="warning")

    def on_mount(self) -> None:
        if self.containers:
            self.query_one("#image-0", Input).focus()

    def changed(self) -> dict[str, str]:
        """The containers whose field now names another image."""
        out: dict[str, str] = {}
        for index, (name, image) in enumerate(self.containers):
            value = self.query_one(f"#image-{index}", Input).value.strip()
            if value and value != image:
                out[name] = value
        return out

    @on(Input.Submitted)
    @on(Button.Pressed, "#set")
    def _set(self) -> None:
        self.dismiss(self.changed() or None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
