"""The pod's life drawn along the time axis: phase, conditions and containers as lanes,
with restarts, probe failures and kills marked where they happened, and the events below."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from engine.printers.duration import human_duration
from engine.timeline import Lane, PodTimeline

LABEL_WIDTH = 28
TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
MARK_GLYPHS = {"restart": "↻", "probe-failure": "✗", "killed": "■", "failed": "!"}
MARK_PRIORITY = ("restart", "killed", "probe-failure", "failed")
_BAD_WAITING = (
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
)


def cell_look(lane: Lane, state: str, detail: str) -> tuple[str, str]:
    """The glyph and style name (ok, warn, bad, muted, term) of a lane in a state."""
    if lane.group == "phase":
        return {
            "Pending": ("▒", "warn"),
            "Running": ("█", "ok"),
            "Succeeded": ("█", "muted"),
            "Failed": ("█", "bad"),
            "Terminating": ("▓", "term"),
        }.get(state, ("?", "muted"))
    if lane.group == "condition":
        return {"True": ("█", "ok"), "False": ("░", "bad")}.get(state, ("·", "muted"))
    if state == "Running":
        return "█", "ok"
    if state == "Waiting":
        return ("░", "bad") if detail in _BAD_WAITING else ("░", "warn")
    if state == "Terminated":
        return ("▁", "muted") if detail.startswith("Completed") else ("▁", "bad")
    return "·", "muted"


class TimelineView(Widget):
    """Lanes of coloured cells, one column per slice of simulated time."""

    COMPONENT_CLASSES = {
        "timeline--ok",
        "timeline--warn",
        "timeline--bad",
        "timeline--muted",
        "timeline--term",
        "timeline--mark",
        "timeline--axis",
        "timeline--label",
        "timeline--heading",
    }
    DEFAULT_CSS = "TimelineView { height: auto; }"

    timeline: reactive[PodTimeline | None] = reactive(None, layout=True)

    def _style(self, name: str):
        return self.get_component_rich_style(f"timeline--{name}", partial=True)

    def render(self) -> Text:
        timeline = self.timeline
        if timeline is None:
            return Text("")
        width = max(10, self.size.width - LABEL_WIDTH - 1)
        end = timeline.ended if timeline.ended is not None else timeline.now
        span = max(end - timeline.start, 1.0)
        per_cell = span / width
        text = Text(no_wrap=True)
        text.append(
            f"{timeline.namespace}/{timeline.name}: {human_duration(span)} of its life, "
            f"{human_duration(per_cell) if per_cell >= 1 else f'{per_cell:.2g}s'} a column\n",
            self._style("heading"),
        )
        text.append_text(self._axis(timeline.start, per_cell, width))
        group = ""
        for lane in timeline.lanes:
            if lane.group != group:
                group = lane.group
                if group == "condition":
                    text.append("conditions\n", self._style("label"))
                elif group == "container":
                    text.append("containers\n", self._style("label"))
            text.append_text(self._lane(lane, timeline.start, per_cell, width))
        text.append("\n")
        text.append_text(self._legend())
        text.append("\n\n")
        text.append_text(self._events(timeline))
        return text

    def _axis(self, start: float, per_cell: float, width: int) -> Text:
        step = next((s for s in TICK_STEPS if s / per_cell >= 10), TICK_STEPS[-1])
        line = [" "] * width
        marks = [" "] * width
        value = 0.0
        while True:
            column = int(value / per_cell)
            if column >= width:
                break
            label = human_duration(value)
            marks[column] = "┬"
            if column + len(label) <= width and all(
                c == " " for c in line[column : column + len(label)]
            ):
                line[column : column + len(label)] = list(label)
            value += step
        axis = self._style("axis")
        return Text.assemble(
            (" " * LABEL_WIDTH, ""),
            ("".join(marks) + "\n", axis),
            (" " * LABEL_WIDTH, ""),
            ("".join(line) + "\n", axis),
        )

    def _lane(self, lane: Lane, start: float, per_cell: float, width: int) -> Text:
        label = lane.name if lane.group == "phase" else f"  {lane.name}"
        text = Text(label[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH), self._style("label"))
        segments = lane.segments
        marks = sorted(lane.marks, key=lambda m: m.at)
        mark_index = 0
        seg_index = 0
        for column in range(width):
            t0 = start + column * per_cell
            t1 = t0 + per_cell
            middle = (t0 + t1) / 2
            while seg_index + 1 < len(segments) and segments[seg_index + 1].start <= middle:
                seg_index += 1
            segment = segments[seg_index] if segments else None
            in_cell = []
            while mark_index < len(marks) and marks[mark_index].at < t1:
                if marks[mark_index].at >= t0:
                    in_cell.append(marks[mark_index].kind)
                mark_index += 1
            shown = next((k for k in MARK_PRIORITY if k in in_cell), None)
            if shown is not None:
                text.append(
                    MARK_GLYPHS[shown], self._style("mark" if shown == "restart" else "bad")
                )
                continue
            if (
                segment is None
                or segment.start > middle
                or (segment.end is not None and segment.end < t0)
            ):
                text.append(" ")
                continue
            glyph, style = cell_look(lane, segment.state, segment.detail)
            text.append(glyph, self._style(style))
        text.append("\n")
        return text

    def _legend(self) -> Text:
        return Text.assemble(
            (" " * LABEL_WIDTH, ""),
            ("█", self._style("ok")),
            " running/true  ",
            ("▒░", self._style("warn")),
            " pending/waiting  ",
            ("░▁", self._style("bad")),
            " failing/false  ",
            ("▓", self._style("term")),
            " terminating  ",
            ("↻", self._style("mark")),
            " restart  ",
            ("✗", self._style("bad")),
            " probe failure  ",
            ("■", self._style("bad")),
            " killed",
        )

    def _events(self, timeline: PodTimeline) -> Text:
        text = Text(no_wrap=True)
        text.append("Events (each occurrence, at its time)\n", self._style("heading"))
        if not timeline.events:
            text.append("  <none>\n")
            return text
        for occurrence in timeline.events[-200:]:
            style = self._style("warn") if occurrence.type == "Warning" else ""
            where = f"{occurrence.container}: " if occurrence.container else ""
            text.append(
                f"  {'+' + human_duration(occurrence.at - timeline.start):>8}  ",
                self._style("axis"),
            )
            text.append(f"{occurrence.type:<8} {occurrence.reason:<18} ", style)
            text.append(f"{where}{occurrence.message}\n")
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        timeline = self.timeline
        if timeline is None:
            return 1
        groups = len({lane.group for lane in timeline.lanes if lane.group != "phase"})
        events = max(1, min(len(timeline.events), 200))
        return 1 + 2 + len(timeline.lanes) + groups + 1 + 1 + 2 + 1 + events
