"""`s` on a pod (k9s' shell): `kubectl exec -it POD -c CONTAINER -- sh` into the simulated
container. Each line runs in engine.containers.exec_session (the interpreter the
containers run), under the session's lock; the clock keeps going meanwhile."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, RichLog

from engine.containers.exec_session import ShellSession
from podtui.app.session import Session

HISTORY = 200


class ShellScreen(Screen):
    """A terminal of one shell session; `exit` or ctrl+d ends it, esc leaves it."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="shell.back"),
        Binding("ctrl+d", "end", "Exit shell", id="shell.exit", priority=True),
        Binding("up", "history(-1)", "Previous", show=False, id="shell.previous"),
        Binding("down", "history(1)", "Next", show=False, id="shell.next"),
    ]

    def __init__(self, session: Session, shell: ShellSession, notes: list[str]) -> None:
        super().__init__()
        self.session = session
        self.shell = shell
        self.notes = notes
        self._history: list[str] = []
        self._index = 0

    def compose(self) -> ComposeResult:
        shell = self.shell
        yield Label(
            f" kubectl exec -it {shell.pod} -n {shell.namespace} -c {shell.container} -- sh",
            id="shell-title",
            markup=False,
        )
        yield RichLog(id="shell-output", wrap=True, markup=False, max_lines=5000)
        with Horizontal(id="shell-line"):
            yield Label(shell.prompt, id="shell-prompt", markup=False)
            yield Input(id="shell-input")
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        for note in self.notes:
            log.write(Text(note, style="dim"))
        self.query_one(Input).focus()

    @on(Input.Submitted, "#shell-input")
    def _line(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value
        event.input.value = ""
        log = self.query_one(RichLog)
        log.write(Text.assemble((self.shell.prompt, "bold"), line))
        if line.strip():
            self._history = [*self._history, line][-HISTORY:]
        self._index = len(self._history)
        with self.session.lock:
            output = self.shell.run(line)
        if output.text:
            log.write(Text(output.text.rstrip("\n")))
        self.query_one("#shell-prompt", Label).update(self.shell.prompt)
        if output.exited:
            self.app.notify(
                f"shell in {self.shell.pod}/{self.shell.container} exited ({output.status})",
                markup=False,
                timeout=4,
            )
            self.dismiss()

    def action_history(self, step: int) -> None:
        if not self._history:
            return
        self._index = max(0, min(len(self._history), self._index + step))
        field = self.query_one(Input)
        field.value = self._history[self._index] if self._index < len(self._history) else ""
        field.cursor_position = len(field.value)

    def action_end(self) -> None:
        with self.session.lock:
            self.shell.run("exit")
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()
