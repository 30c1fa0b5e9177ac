"""The header: simulated time and speed, pod counts by phase, and their recent history."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label, Static

from engine.printers.duration import human_duration
from engine.timeutil import format_time
from podtui.app.plugins import admission_note, header_notes
from podtui.app.session import (
    COMPLETED,
    FAILING,
    PENDING,
    RUNNING,
    SPARK_POINTS,
    TERMINATING,
    Sample,
    Session,
)
from podtui.app.widgets.count_sparkline import CountSparkline
from podtui.backends.base import CLOCK


def speed_label(speed: float) -> str:
    """`×1`, `×0.5`, `×10`."""
    return f"×{speed:g}"


def fit_line(parts: list[tuple[Text, bool]], width: int) -> Text:
    """Parts joined by three spaces; when too wide for `width`: two spaces, then without
    the droppable parts (the brand, the wall-clock-like timestamp), then cut with `…`."""
    for gap, keep_all in (("   ", True), ("  ", True), ("  ", False)):
        shown = [text for text, droppable in parts if keep_all or not droppable]
        line = Text(gap).join(shown)
        if not width or line.cell_len <= width:
            return line
    line.truncate(width, overflow="ellipsis")
    return line


class ClockLine(Static):
    """`▶ running ×1  2025-01-01 00:01:30Z  +1m30s  ns default`: where the simulation is."""

    paused: reactive[bool] = reactive(True)
    speed: reactive[float] = reactive(1.0)
    now_text: reactive[str] = reactive("")
    elapsed: reactive[float] = reactive(0.0)
    namespace: reactive[str] = reactive("default")
    user: reactive[str] = reactive("")
    readonly: reactive[bool] = reactive(False)
    psp: reactive[str] = reactive("")
    """`PSP admission on` while PodSecurityPolicy admission is on (podtui.app.plugins:
    podtui.app.security adds it)."""
    notes: reactive[tuple[tuple[str, str], ...]] = reactive(())
    """(text, component class): chaos mode and running drains (podtui.app.plugins:
    podtui.app.disruption.badges adds them)."""
    simulated: reactive[bool] = reactive(True)
    """The clock is the simulator's (it pauses and runs); else the line shows the link."""
    connection: reactive[tuple[str, str]] = reactive(("", ""))
    """(state, why it is down) of a real cluster's link (Backend.connection)."""
    context: reactive[str] = reactive("")

    def _link(self) -> Text:
        state, message = self.connection
        if state == "connected":
            return Text(
                "● connected", self.get_component_rich_style("header--clock-running", partial=True)
            )
        if state == "connecting":
            return Text("◌ connecting…", self.get_component_rich_style("header--dim", partial=True))
        return Text(
            f"✖ DISCONNECTED, retrying: {message}",
            self.get_component_rich_style("header--readonly", partial=True),
        )

    def render(self) -> Text:
        state = ("⏸ paused", "clock-paused") if self.paused else ("▶ running", "clock-running")
        dim = self.get_component_rich_style("header--dim", partial=True)
        # (parts, droppable): what to leave out first when the line does not fit.
        if self.simulated:
            parts: list[tuple[Text, bool]] = [
                (Text("podtui", "bold"), True),
                (
                    Text.assemble(
                        (
                            state[0],
                            self.get_component_rich_style(f"header--{state[1]}", partial=True),
                        ),
                        " ",
                        (speed_label(self.speed), "bold"),
                    ),
                    False,
                ),
                (Text(self.now_text, "bold"), True),
                (Text(f"+{human_duration(self.elapsed)}", dim), False),
            ]
        else:
            # A real cluster's clock is the wall's: no pause, no speed, no elapsed time.
            parts = [
                (Text("podtui", "bold"), True),
                (self._link(), False),
                (Text.assemble("ctx ", (self.context, "bold")), False),
            ]
        parts += [
            (Text.assemble("ns ", (self.namespace, "bold")), False),
            (Text.assemble("as ", (self.user, "bold")), False),
        ]
        if self.readonly:
            readonly = self.get_component_rich_style("header--readonly", partial=True)
            parts.append((Text("read-only", readonly), False))
        for note, component in self.notes:
            parts.append(
                (Text(note, self.get_component_rich_style(component, partial=True)), False)
            )
        if self.psp:
            parts.append(
                (Text(self.psp, self.get_component_rich_style("header--psp", partial=True)), False)
            )
        return fit_line(parts, self.size.width)

    COMPONENT_CLASSES = {
        "header--clock-paused",
        "header--clock-running",
        "header--dim",
        "header--readonly",
        "header--psp",
        "header--chaos",
        "header--drill",
        "header--drain",
    }


class PodCount(Label):
    """`Running 5`: one count, coloured like the rows it counts."""

    # layout=True: `Running 9` → `Running 10` needs one more column; without a new
    # layout the label keeps its old width and wraps the number out of sight.
    value: reactive[int] = reactive(0, layout=True)

    def __init__(self, caption: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.caption = caption

    def render(self) -> Text:
        return Text.assemble((self.caption, ""), " ", (str(self.value), "bold"))


class ClusterHeader(Widget):
    """Two lines above the panes: the clock, then the pods and their recent past."""

    DEFAULT_CSS = """
    ClusterHeader { height: 2; }
    """
    MEDIUM_WIDTH = 112
    """Below this, the counts line (111 cells with 12-cell sparklines) takes 6-cell ones
    (podtui.tcss: ClusterHeader.-medium)."""
    NARROW_WIDTH = 94
    """Below this, the counts alone (the sparklines would push Terminating off the edge)."""

    def on_resize(self) -> None:
        width = self.size.width
        self.set_class(width < self.NARROW_WIDTH, "-narrow")
        self.set_class(self.NARROW_WIDTH <= width < self.MEDIUM_WIDTH, "-medium")

    def compose(self) -> ComposeResult:
        yield ClockLine(id="clock-line")
        with Horizontal(id="pod-counts"):
            yield PodCount("Pods", id="count-total")
            yield PodCount(RUNNING, id="count-running", classes="count running")
            yield CountSparkline([0], id="spark-running", classes="spark running")
            yield PodCount(PENDING, id="count-pending", classes="count pending")
            yield CountSparkline([0], id="spark-pending", classes="spark pending")
            yield PodCount(FAILING, id="count-failing", classes="count failing")
            yield CountSparkline([0], id="spark-failing", classes="spark failing")
            yield PodCount(COMPLETED, id="count-completed", classes="count completed")
            yield PodCount(TERMINATING, id="count-terminating", classes="count terminating")

    def show(
        self,
        session: Session,
        *,
        paused: bool,
        speed: float,
        namespace: str | None,
    ) -> None:
        """Refresh from the session (the caller holds no lock: counts are plain ints)."""
        clock = self.query_one(ClockLine)
        clock.simulated = session.has(CLOCK)
        if clock.simulated:
            clock.paused = paused
            clock.speed = speed
            clock.now_text = format_time(session.now_datetime())
            clock.elapsed = session.now
        else:
            connection = session.backend.connection
            clock.connection = (connection.state.value, connection.message)
            clock.context = session.context_name
        clock.namespace = namespace or "all"
        clock.user = session.user.name
        clock.readonly = session.readonly
        clock.psp = admission_note(session)
        clock.notes = header_notes(session)
        counts = session.counts
        self.query_one("#count-total", PodCount).value = session.pod_total
        for category, name in (
            (RUNNING, "running"),
            (PENDING, "pending"),
            (FAILING, "failing"),
            (COMPLETED, "completed"),
            (TERMINATING, "terminating"),
        ):
            self.query_one(f"#count-{name}", PodCount).value = counts[category]
        samples: Sequence[Sample] = list(session.samples)
        padding = [0] * (SPARK_POINTS - len(samples))
        series = (
            ("running", [s.running for s in samples]),
            ("pending", [s.pending for s in samples]),
            ("failing", [s.failing for s in samples]),
        )
        # One scale for the three, from zero: a bar's height is its count.
        top = max((max(values, default=0) for _, values in series), default=0)
        for name, values in series:
            spark = self.query_one(f"#spark-{name}", CountSparkline)
            spark.top = max(top, 1)
            # Padded to the full window so time runs right to left at a steady pace.
            spark.data = [*padding, *values]
