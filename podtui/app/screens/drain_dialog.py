"""The drain form: k9s' fields (GracePeriod, Timeout, Ignore DaemonSets, Delete EmptyDir
Data, Force, Disable Eviction) as kubectl drain's flags, with kubectl's defaults, and the
command line they make shown as you change them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from engine.disruption.drain import DrainOptions, DrainUsageError

CHECKBOXES = (
    ("ignore-daemonsets", "Ignore DaemonSet-managed pods"),
    ("delete-emptydir-data", "Delete pods with emptyDir data"),
    ("force", "Delete pods no controller manages"),
    ("disable-eviction", "Delete instead of evicting (bypasses every PDB)"),
)


class DrainDialog(ModalScreen[DrainOptions | None]):
    """`kubectl drain NODE` and its flags; dismisses with the options (None: cancel)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, node: str, options: DrainOptions | None = None) -> None:
        super().__init__()
        self.node = node
        self.initial = options or DrainOptions(node)

    def compose(self) -> ComposeResult:
        initial = self.initial
        with Vertical(classes="dialog", id="drain-dialog") as dialog:
            dialog.border_title = f"Drain node/{self.node}"
            with Horizontal(classes="dialog-row"):
                yield Label("--grace-period ", classes="drain-flag")
                yield Input(str(initial.grace_period), id="grace-period", classes="drain-value")
                yield Label("seconds; -1: each pod's own", classes="drain-help")
            with Horizontal(classes="dialog-row"):
                yield Label("--timeout      ", classes="drain-flag")
                yield Input(_duration(initial.timeout), id="timeout", classes="drain-value")
                yield Label("0s: wait forever", classes="drain-help")
            for flag, help_text in CHECKBOXES:
                value = getattr(initial, flag.replace("-", "_"))
                yield Checkbox(f"--{flag}  {help_text}", value, id=flag)
            yield Label("", id="drain-command", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Drain", id="drain", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()
        self._show_command()

    def options(self) -> DrainOptions:
        """The form as DrainOptions; raises DrainUsageError with kubectl's words."""
        args = [self.node]
        for flag, _ in CHECKBOXES:
            if self.query_one(f"#{flag}", Checkbox).value:
                args.append(f"--{flag}")
        for flag in ("grace-period", "timeout"):
            value = self.query_one(f"#{flag}", Input).value.strip()
            if value:
                args.append(f"--{flag}={value}")
        return DrainOptions.from_args(args)

    @on(Checkbox.Changed)
    @on(Input.Changed)
    def _show_command(self) -> None:
        label = self.query_one("#drain-command", Label)
        try:
            label.update("kubectl drain " + " ".join(self.options().to_args()))
            label.remove_class("invalid")
        except DrainUsageError as err:
            label.update(f"error: {str(err).splitlines()[0]}")
            label.add_class("invalid")

    @on(Input.Submitted)
    @on(Button.Pressed, "#drain")
    def _drain(self) -> None:
        try:
            options = self.options()
        except DrainUsageError as err:
            self.notify(f"error: {err}", severity="error", markup=False)
            return
        self.dismiss(options)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _duration(seconds: float) -> str:
    from engine.timeutil import format_go_duration

    return format_go_duration(seconds) if seconds else "0s"
