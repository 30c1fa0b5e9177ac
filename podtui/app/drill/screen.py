"""The drill report pane: `podtui drill`'s findings over the console's PATHs and seed.

The drills run in a worker thread on their own clusters (never the console's), so the
console stays responsive; a line says which drill is running, and `esc` then stops them
(the runner asks between every few simulated seconds) and says so. Then a table of findings
(as `podtui drill`'s table), the selected finding's evidence below it, and `enter` replays
that drill in the console up to the moment it went wrong (podtui.app.drill.replay).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from engine.drill import findings as F
from engine.drill.findings import Finding
from engine.drill.runner import DRILLS, STEADY_STATE, DrillResult, DrillsStopped, run_drills
from engine.printers.duration import human_duration
from engine.sim import Inputs
from podtui.app.session import Session
from podtui.app.widgets.column_fit import elide, fit_widths
from podtui.app.widgets.key_footer import KeyFooter

COLUMNS = ("SEVERITY", "DRILL", "NAMESPACE", "WORKLOAD", "FINDING")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class DrillScreen(Screen):
    """The drills' findings; `enter` replays the selected one's drill; `esc` goes back."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="drill.back"),
        Binding("enter", "replay", "Replay to finding", id="drill.replay"),
    ]

    def __init__(self, session: Session, inputs: Inputs, names: list[str]) -> None:
        super().__init__()
        self.session = session
        self.inputs = inputs
        self.names = names or list(DRILLS)
        self.results: list[DrillResult] | None = None
        self.findings: list[tuple[Finding, DrillResult]] = []
        self.running = True
        """The worker is running the drills (until they end, fail or stop)."""
        self._stop = threading.Event()
        """Set by `esc` (or the pane going away): the runner stops at its next check."""
        self._current = STEADY_STATE

    def compose(self) -> ComposeResult:
        yield Label("", id="drill-title", markup=False)
        yield Static("", id="drill-progress", markup=False)
        yield DataTable(id="drill-findings", cursor_type="row", zebra_stripes=False)
        yield Label("evidence", id="drill-evidence-title")
        yield Static("", id="drill-evidence", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.query_one(DataTable).focus()
        self._title(f"running {len(self.names)} drill(s)…")
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._show())
        with self.session.lock:
            seed = self.session.cluster.seed
            start = self.session.cluster.clock.start
        self._run(seed, start)

    def _title(self, status: str) -> None:
        from podtui.reload.state import display_name

        files = ", ".join(display_name(Path(p)) for p in self.inputs.paths)
        self.query_one("#drill-title", Label).update(f"Drills: {status} · over {files}")

    # -- running ----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="drill", exit_on_error=False)
    def _run(self, seed: int, start) -> None:
        def progress(name: str) -> None:
            self._from_thread(self._progress, name)

        try:
            results = run_drills(
                self.inputs,
                self.names,
                seed=seed,
                start=start,
                progress=progress,
                stop=self._stop.is_set,
            )
        except DrillsStopped as stopped:
            self._from_thread(self._stopped, str(stopped))
            return
        except Exception as err:  # a bug in a drill: a line on the pane, never a traceback
            detail = " ".join(str(err).split())[:200]
            self._from_thread(
                self._failed, f"error: the drills failed ({type(err).__name__}: {detail})"
            )
            return
        self._from_thread(self._done, results)

    def _from_thread(self, call, *args) -> None:
        def on_screen() -> None:
            if self.is_attached:  # not after `esc`
                call(*args)

        with contextlib.suppress(RuntimeError):  # the app has quit meanwhile
            self.app.call_from_thread(on_screen)

    def _step(self, name: str) -> str:
        order = [STEADY_STATE, *self.names]
        step = order.index(name) + 1 if name in order else 0
        return f"{name} ({step}/{len(order)})"

    def _progress(self, name: str) -> None:
        self._current = name
        if self._stop.is_set():
            return  # `esc` said stopping; the runner stops at its next check
        self.query_one("#drill-progress", Static).update(
            f"running {self._step(name)} on a cluster of its own…"
        )

    def _failed(self, line: str) -> None:
        self.running = False
        self.query_one("#drill-progress", Static).update(Text(line, style=self._style(F.ERROR)))
        self._title("failed")

    def _stopped(self, name: str) -> None:
        self.running = False
        self.query_one("#drill-progress", Static).update(
            Text(
                f"stopped during {self._step(name)}: no further drill ran · esc goes back",
                style=self._style(F.WARNING),
            )
        )
        self._title("stopped")

    def _done(self, results: list[DrillResult]) -> None:
        self.running = False
        self.results = results
        self.findings = [(f, result) for result in results for f in result.findings]
        self._show()

    # -- drawing ----------------------------------------------------------------------------------
    def _style(self, severity: str) -> Style:
        theme = self.app.current_theme
        return Style(color=theme.error if severity == F.ERROR else theme.warning, bold=True)

    def _show(self) -> None:
        if self.results is None:
            return
        errors = sum(1 for f, _ in self.findings if f.severity == F.ERROR)
        warnings = len(self.findings) - errors
        verdicts = ", ".join(
            f"{r.drill} {'FAIL' if any(f.severity == F.ERROR for f in r.findings) else 'ok'}"
            for r in self.results
        )
        self._title(verdicts)
        progress = self.query_one("#drill-progress", Static)
        progress.update(
            f"{_count(errors, 'error')}, {_count(warnings, 'warning')} · enter replays the "
            "drill in the console up to where it went wrong"
        )
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        cells = [
            (f.severity, f.drill, f.namespace or "-", f.workload, f.why) for f, _ in self.findings
        ]
        widths = self._fit(cells)
        for index, (finding, _) in enumerate(self.findings):
            row = [elide(cell, width) for cell, width in zip(cells[index], widths, strict=True)]
            table.add_row(
                Text(row[0], style=self._style(finding.severity)),
                *(Text(cell) for cell in row[1:]),
                key=str(index),
            )
        if self.findings:
            table.move_cursor(row=min(cursor, len(self.findings) - 1))
        else:
            progress.update("No findings: every drill passed.")
        self._evidence()

    def _fit(self, cells: list[tuple[str, ...]]) -> list[int]:
        """Each column's width on this screen: a long FINDING is cut with `…` (the evidence
        panel below gives it whole) rather than running off the right edge."""
        natural = [
            max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(COLUMNS)
        ]
        minimums = [len(name) for name in COLUMNS]
        # A DataTable cell is padded by one column each side (the gaps, and one more at each
        # end of the row); two more for the scrollbar.
        width = self.size.width or self.app.size.width
        return fit_widths(natural, minimums, width - 4, gap=2)

    def on_resize(self) -> None:
        self._show()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._evidence()

    @on(DataTable.RowSelected)
    def _selected_row(self, _event: DataTable.RowSelected) -> None:
        # The table takes `enter` itself (its select_cursor): the screen's binding shows the
        # key in the footer, this runs it.
        self.action_replay()

    def _selected(self) -> tuple[Finding, DrillResult] | None:
        table = self.query_one(DataTable)
        if not self.findings or table.cursor_row is None:
            return None
        return self.findings[min(table.cursor_row, len(self.findings) - 1)]

    def _evidence(self) -> None:
        selected = self._selected()
        text = Text()
        if selected is not None:
            finding, _ = selected
            text.append(f"{finding.rule}: {finding.why}\n", style=self._style(finding.severity))
            for line in finding.evidence:
                text.append(f"[{human_duration(line.at)}] ", style=Style(dim=True))
                text.append(f"{line.text}\n")
            if not finding.evidence:
                text.append("(no evidence lines)", style=Style(dim=True))
        self.query_one("#drill-evidence", Static).update(text)

    # -- keys -------------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.running and not self._stop.is_set():
            # Stop the drills and say so here; the next `esc` goes back.
            self._stop.set()
            self.query_one("#drill-progress", Static).update(
                f"stopping the drills during {self._step(self._current)}…"
            )
            self._title("stopping")
            return
        self._stop.set()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        # Closed or quitting while the drills run: the worker stops at its next check.
        self._stop.set()

    def action_replay(self) -> None:
        selected = self._selected()
        if selected is None:
            self.notify("no finding selected", severity="warning")
            return
        from podtui.app.drill.replay import replay_in_console

        finding, result = selected
        replay_in_console(self.app, self.inputs.manifests, result, finding)  # type: ignore[arg-type]
