"""Small modal dialogs: confirm a delete, pick a fault, scale, pick a namespace.

The drain form is podtui.app.screens.drain_dialog.DrainDialog (re-exported here)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from podtui.app.screens.drain_dialog import DrainDialog  # noqa: F401 (re-exported)
from podtui.app.widgets.ordered_input import OrderedInput


class ConfirmDialog(ModalScreen[bool]):
    """`Delete pod/web?` — Cancel is focused, as k9s users asked for (derailed/k9s#146)."""

    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="dialog.cancel"),
        Binding("y", "confirm", "Confirm", id="dialog.confirm"),
    ]

    def __init__(self, question: str, detail: str = "", confirm_label: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog") as dialog:
            dialog.border_title = self.confirm_label
            yield Label(self.question, classes="dialog-question", markup=False)
            if self.detail:
                yield Label(self.detail, classes="dialog-detail", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.dismiss(True)


@dataclass(frozen=True)
class FaultChoice:
    """What the fault menu chose: the fault and its options."""

    fault: str
    container: str | None = None
    probe: str = "liveness"
    node: str | None = None


POD_FAULTS: tuple[tuple[str, str], ...] = (
    ("crash", "Crash the container (exit code 1)"),
    ("oom", "OOM-kill the container (exit code 137, OOMKilled)"),
    ("probeFail:liveness", "Fail its liveness probe for 5m"),
    ("probeFail:readiness", "Fail its readiness probe for 5m"),
    ("probeFail:startup", "Fail its startup probe for 5m"),
    ("imagePullFail", "Fail pulls of its images for 5m (and drop them from the node)"),
    ("sandboxKill", "Kill the pod sandbox (its pause container)"),
)


class InjectDialog(ModalScreen[FaultChoice | None]):
    """The fault menu: what to break in the selected pod (or node)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, target: str, containers: list[str], node: str | None, *, pod: bool) -> None:
        super().__init__()
        self.target = target
        self.containers = containers
        self.node = node
        self.pod = pod

    def compose(self) -> ComposeResult:
        options: list[Option] = []
        if self.pod:
            options.extend(Option(label, id=fault) for fault, label in POD_FAULTS)
        if self.node:
            options.append(
                Option(f"Node down: stop {self.node}'s kubelet (no heartbeats)", id="nodeDown")
            )
            options.append(Option(f"Node up: restart {self.node}'s kubelet", id="nodeUp"))
        with Vertical(classes="dialog", id="inject-dialog") as dialog:
            dialog.border_title = f"Inject a fault into {self.target}"
            if self.pod and len(self.containers) > 1:
                yield Select(
                    [(name, name) for name in self.containers],
                    value=self.containers[0],
                    allow_blank=False,
                    id="container",
                )
            yield OptionList(*options, id="faults")
            yield Label("enter: inject · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#faults", OptionList).focus()

    @on(OptionList.OptionSelected, "#faults")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        fault_id = event.option.id or ""
        fault, _, probe = fault_id.partition(":")
        container = None
        if self.pod and self.containers:
            container = self.containers[0]
            if len(self.containers) > 1:
                value = self.query_one("#container", Select).value
                container = value if isinstance(value, str) else container
        self.dismiss(
            FaultChoice(
                fault,
                container=container if fault not in ("nodeDown", "nodeUp") else None,
                probe=probe or "liveness",
                node=self.node if fault in ("nodeDown", "nodeUp") else None,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScaleDialog(ModalScreen[int | None]):
    """`kubectl scale --replicas=N`: how many replicas.

    It has its own footer, so the keys shown are always the dialog's, and says what is
    wrong with the number in the dialog itself, which stays open. (enter is the input's
    own key: a priority binding here would submit before the digits typed just ahead of
    it reached the input.)"""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, target: str, replicas: int) -> None:
        super().__init__()
        self.target = target
        self.replicas = replicas

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="scale-dialog") as dialog:
            dialog.border_title = f"Scale {self.target}"
            yield Label("Replicas:")
            yield OrderedInput(str(self.replicas), type="integer", id="replicas")
            yield Label("", id="scale-error", classes="dialog-error", markup=False)
            yield Label("enter: scale · esc: cancel", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scale-error", Label).display = False

    @on(Input.Submitted, "#replicas")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = self.query_one("#replicas", Input).value
        try:
            replicas = int(value)
        except ValueError:
            # kubectl's words; a negative count goes on to the scale step, which refuses
            # it in kubectl's words too.
            error = self.query_one("#scale-error", Label)
            error.update(f'error: invalid argument "{value}" for "--replicas" flag')
            error.display = True
            return
        self.dismiss(replicas)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NamespaceDialog(ModalScreen[str | None]):
    """Pick the namespace the panes show; dismisses with a name, `ALL`, or None (cancel)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]
    ALL = "\x00all"

    def __init__(self, namespaces: list[str], current: str | None) -> None:
        super().__init__()
        self.namespaces = namespaces
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option("all namespaces", id=self.ALL)]
        options += [Option(name, id=name) for name in self.namespaces]
        with Vertical(classes="dialog", id="namespace-dialog") as dialog:
            dialog.border_title = "Namespace"
            yield OptionList(*options, id="namespaces")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        target = self.current or self.ALL
        try:
            option_list.highlighted = option_list.get_option_index(target)
        except Exception:  # an unknown namespace: leave the cursor at the top
            option_list.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
