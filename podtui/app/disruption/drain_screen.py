"""The drain panel: a `kubectl drain` as it runs, pod by pod, on the simulated clock.

What k9s users asked for (derailed/k9s#1150, #3912): which pods are evicted, which wait to
be gone, which a PodDisruptionBudget holds back and why (the 429's cause, kubectl's words),
the budgets doing it with their numbers, and everything kubectl printed, with its time.
It follows the engine's Drain (engine.disruption.drain), so drains started from the drain
key, from `:drain` and from scenario steps look the same; `[` `]` go between them.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, RichLog, Static

from engine.disruption.drain import (
    CANCELLED,
    DRAINED,
    FAILED,
    POD_BLOCKED,
    POD_DELETED,
    POD_EVICTED,
    POD_FAILED,
    POD_GONE,
    POD_SKIPPED,
    POD_WAITING,
    STDERR,
    Drain,
    cancel_drains,
)
from engine.disruption.summaries import budget_summary
from engine.printers.duration import human_duration
from engine.result import ActionResult
from podtui.app.disruption import journal
from podtui.app.session import Session
from podtui.app.widgets.key_footer import KeyFooter
from podtui.backends.base import CLOCK

_STAMP = re.compile(r"^\[[^\]]*\]\s*")
"""The simulated time a step's late line starts with (`[31s] `)."""
COLUMNS = ("POD", "STATE", "ATTEMPTS", "SINCE", "BLOCKED BY", "WHY")
OUTPUT_LINES = 2000

STATE_WORDS = {
    POD_WAITING: "evicted; waiting for it to be gone",
    POD_GONE: "already gone",
    POD_SKIPPED: "deletion older than --skip-wait-for-delete-timeout",
}


class DrainScreen(Screen):
    """One drain, live. `esc` goes back; `[` `]` other drains; `x` stops it like ctrl-c."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="drain.back"),
        Binding("left_square_bracket", "cycle(-1)", "Previous drain", id="drain.previous"),
        Binding("right_square_bracket", "cycle(1)", "Next drain", id="drain.next"),
        Binding("x", "cancel_drain", "Stop drain", id="drain.cancel"),
        Binding("d", "describe_pod", "Describe pod", id="drain.describe"),
    ]

    def __init__(self, session: Session, drain: Drain) -> None:
        super().__init__()
        self.session = session
        self.drain = drain
        self._lines_shown = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="drain-title", markup=False)
        yield Static("", id="drain-summary", markup=False)
        table: DataTable = DataTable(id="drain-pods", cursor_type="row", zebra_stripes=False)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="drain-budgets", markup=False)
        yield Label("kubectl drain's output", id="drain-output-title")
        yield RichLog(id="drain-output", max_lines=OUTPUT_LINES, wrap=True, markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.show_drain(True))
        self.show_drain(True)
        self.query_one("#drain-pods", DataTable).focus()

    # -- the engine's side ------------------------------------------------------------------------
    def apply_changes(self, changes: object) -> None:
        """Called after every tick and action (PodtuiApp.apply_changes)."""
        if self.is_mounted:
            self.show_drain(False)

    def show_reports(self, reports: list[str]) -> list[str]:
        """Lines of running steps while the panel is up: the drain's own lines are in its
        output already, chaos kills join it there; returns the lines it does not show."""
        with self.session.lock:
            texts = {line.text for line in self.drain.lines}
        log = self.query_one("#drain-output", RichLog)
        rest = []
        for report in reports:
            text = _STAMP.sub("", report, count=1)
            if text in texts:
                continue
            if text.startswith("chaos: "):
                stamp = report[: len(report) - len(text)]
                log.write(Text.assemble((stamp, self._style("muted")), (text, self._style("bad"))))
                continue
            rest.append(report)
        return rest

    def _drains(self) -> list[Drain]:
        return self.session.backend.drains()  # type: ignore[return-value]

    def _now(self, drain: Drain) -> float:
        """The drain's clock: the simulated one in process, the loop's over the network."""
        clock = getattr(drain, "now", None)
        return clock() if callable(clock) else self.session.now

    # -- drawing --------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        theme = self.app.current_theme
        colour = {
            "ok": theme.success,
            "warn": theme.warning,
            "bad": theme.error,
            "accent": theme.accent,
        }.get(name)
        if name == "muted":
            return Style(dim=True)
        return Style(color=colour) if colour else Style()

    def show_drain(self, rebuild: bool) -> None:
        with self.session.lock:
            drain = self.drain
            now = self._now(drain)
            title, summary, budgets = self._texts(drain, now)
            rows = self._fit_why([self._row(progress, now) for progress in drain.pods])
            new_lines = drain.lines[self._lines_shown :] if not rebuild else list(drain.lines)
            self._lines_shown = len(drain.lines)
        self.query_one("#drain-title", Label).update(title)
        self.query_one("#drain-summary", Static).update(summary)
        self.query_one("#drain-budgets", Static).update(budgets)
        table = self.query_one("#drain-pods", DataTable)
        if rebuild or table.row_count != len(rows):
            cursor = table.cursor_row
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
        else:
            for key, cells in rows:
                for column, cell in zip(table.columns, cells, strict=True):
                    table.update_cell(key, column, cell)
        log = self.query_one("#drain-output", RichLog)
        if rebuild:
            log.clear()
        for line in new_lines:
            style = self._style("bad") if line.stream == STDERR else Style()
            if line.text.startswith("Warning:"):
                style = self._style("warn")
            log.write(
                Text.assemble(
                    (f"[{human_duration(line.at)}] ", self._style("muted")), (line.text, style)
                )
            )

    def _fit_why(
        self, rows: list[tuple[str, tuple[Text, ...]]]
    ) -> list[tuple[str, tuple[Text, ...]]]:
        """WHY, the last column, cut with `…` to the room the others leave on screen; the
        budgets below the table give a refusal's whole reason."""
        width = self.size.width
        if not width or not rows:
            return rows
        others = [
            max(len(COLUMNS[i]), *(cells[i].cell_len for _, cells in rows))
            for i in range(len(COLUMNS) - 1)
        ]
        # Each cell has one cell of padding either side; two more for the scrollbar.
        room = max(width - sum(w + 2 for w in others) - 2 - 2, len(COLUMNS[-1]) + 1)
        fitted = []
        for key, cells in rows:
            why = cells[-1].copy()
            why.truncate(room, overflow="ellipsis")
            fitted.append((key, (*cells[:-1], why)))
        return fitted

    def on_resize(self) -> None:
        if self.is_mounted:
            self.show_drain(True)

    def _texts(self, drain: Drain, now: float) -> tuple[Text, Text, Text]:
        drains = self._drains()
        position = f"  ({drains.index(drain) + 1} of {len(drains)})" if drain in drains else ""
        state_style = {
            DRAINED: "ok",
            FAILED: "bad",
            CANCELLED: "muted",
        }.get(drain.state, "warn")
        end = drain.finished_at if drain.finished_at is not None else now
        title = Text.assemble(
            (f" drain node/{drain.node} ", "bold"),
            (f" {drain.state} ", self._style(state_style) + Style(bold=True, reverse=True)),
            # When it started, in the simulated time the header shows; a real cluster's
            # drain runs on the loop's clock, which means nothing to read: its duration only.
            (f"  started at {human_duration(drain.started_at)}," if self.session.has(CLOCK) else " ")
            + f" {human_duration(end - drain.started_at)} ",
            ("so far" if drain.finished_at is None else "in all"),
            position,
        )
        summary = Text()
        summary.append("kubectl drain " + " ".join(drain.options.to_args()), "bold")
        if drain.deadline is not None and drain.finished_at is None:
            left = drain.deadline - now
            summary.append(f"   timeout in {human_duration(max(left, 0))}", self._style("warn"))
        counts = drain.counts()
        parts = [f"{count} {state}" for state, count in sorted(counts.items())]
        summary.append(f"\n{len(drain.pods)} pod(s) to evict: " + (", ".join(parts) or "none"))
        if drain.warnings:
            summary.append(f"\nWarning: {drain.warnings}", self._style("warn"))
        return title, summary, self._budget_text(drain)

    def _budget_text(self, drain: Drain) -> Text:
        blocking = drain.blocking_budgets()
        text = Text()
        if not blocking:
            if drain.state == DRAINED:
                text.append("No budget held this drain back at the end.", self._style("muted"))
            else:
                text.append("No PodDisruptionBudget is blocking it now.", self._style("muted"))
            return text
        text.append("Blocking budgets (evictions get 429 Too Many Requests)\n", "bold")
        for name, pods in sorted(blocking.items()):
            namespace = pods[0].partition("/")[0] if pods else "default"
            pdb = self.session.get("PodDisruptionBudget", namespace, name)
            text.append(f"  pdb/{name}", self._style("bad") + Style(bold=True))
            if pdb is not None:
                summary = budget_summary(pdb)
                text.append(
                    f"  ALLOWED DISRUPTIONS {summary.allowed}  healthy {summary.current_healthy}"
                    f" of {summary.desired_healthy} desired, {summary.expected_pods} expected"
                )
                if summary.reason:
                    text.append(f"  {summary.reason}", self._style("warn"))
            causes = sorted(
                {p.reason for p in drain.pods if p.blocked_by == name and p.state == POD_BLOCKED}
            )
            for cause in causes:
                text.append(f"\n    {cause}", self._style("muted"))
            text.append(f"\n    holds {', '.join(pods)}\n")
        return text

    def _row(self, progress, now: float) -> tuple[str, tuple[Text, ...]]:
        state = progress.state
        style = "muted"
        if state in (POD_EVICTED, POD_DELETED, POD_GONE, POD_SKIPPED):
            style = "ok"
        elif state == POD_BLOCKED:
            style = "warn"
        elif state == POD_FAILED:
            style = "bad"
        elif state == POD_WAITING:
            style = "accent"
        why = progress.error or progress.reason or STATE_WORDS.get(state, "")
        cells = (
            Text(progress.key),
            Text(state, self._style(style)),
            Text(str(progress.attempts)),
            Text(human_duration(max(now - progress.since, 0))),
            Text(progress.blocked_by or "", self._style("warn")),
            Text(why, self._style("bad" if state == POD_FAILED else "muted")),
        )
        return progress.key, cells

    # -- keys -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_drain":
            return not self.session.readonly and not self.drain.done
        if action == "cycle":
            return len(self._drains()) > 1
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_cycle(self, step: int) -> None:
        drains = self._drains()
        if not drains:
            return
        index = drains.index(self.drain) if self.drain in drains else 0
        self.drain = drains[(index + step) % len(drains)]
        self.show_drain(True)
        self.refresh_bindings()

    def action_cancel_drain(self) -> None:
        # The cancelDrain step's engine action, recorded as that step (a saved session or
        # checkpoint replays it); it stops every running drain of the node.
        node = self.drain.node
        if self.session.has(CLOCK):
            journal.record(self.session, "cancelDrain", node)
            with self.session.lock:
                result = cancel_drains(self.session.cluster, node)
        else:
            result = _cancel_drains(self.session.backend.drains(), node)
        for line in result.errors:
            self.notify(line, severity="error", markup=False)
        for line in result.lines:
            self.notify(line, markup=False)
        self.show_drain(False)
        self.refresh_bindings()

    def action_describe_pod(self) -> None:
        table = self.query_one("#drain-pods", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        namespace, _, name = key.partition("/")
        from podtui.app.messages import OpenDetail

        self.app.post_message(OpenDetail("Pod", namespace, name, "describe"))


def _cancel_drains(drains: list, node: str) -> ActionResult:
    """engine.disruption.drain.cancel_drains over a backend's drains (a real cluster's)."""
    running = [run for run in drains if run.node == node and not run.done]
    if not running:
        return ActionResult(errors=[f"error: no drain of node/{node} is running"])
    for run in running:
        run.cancel()
    return ActionResult(lines=[f"drain of node/{node} stopped; the node stays cordoned"])
