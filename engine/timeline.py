"""A pod's life along the time axis: phase, conditions, container states, restarts and
probe failures, for the console's timeline view (and any other reader).

A `TimelineRecorder` watches the change feed and notes every transition at the simulated
time it happened; `pod_timeline` turns that history (or, for a pod the recorder never saw,
what the pod's status, its events and the kubelet's worker still know) into lanes of
segments and marks. Times are seconds since the cluster started, like `cluster.now`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.printers.duration import parse_timestamp

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.store import Change

HISTORY_KEPT = 500
"""Transitions and event occurrences kept per pod (the oldest go first)."""

CONDITION_ORDER = (
    "PodScheduled",
    "PodReadyToStartContainers",
    "Initialized",
    "ContainersReady",
    "Ready",
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of time in one state; `end` is None while it lasts."""

    start: float
    end: float | None
    state: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment on a lane: a restart, a probe failure, a kill."""

    at: float
    kind: str  # "restart" | "probe-failure" | "killed" | "back-off" | "event"
    detail: str


@dataclass
class Lane:
    """One row of the timeline: the pod's phase, a condition, or a container."""

    name: str
    group: str  # "phase" | "condition" | "container"
    segments: list[Segment] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of an event about the pod (a repeated event occurs several times)."""

    at: float
    type: str
    reason: str
    message: str
    container: str | None


@dataclass
class PodTimeline:
    """Everything the timeline view draws for one pod."""

    namespace: str
    name: str
    start: float
    now: float
    lanes: list[Lane]
    events: list[Occurrence]
    ended: float | None = None
    """When the pod object went away (deleted), if it did."""


# -- recording -------------------------------------------------------------------------------
@dataclass
class _PodHistory:
    namespace: str
    name: str
    created: float
    transitions: deque = field(default_factory=lambda: deque(maxlen=HISTORY_KEPT))
    """(time, lane name, group, state, detail) in the order they happened."""
    occurrences: deque = field(default_factory=lambda: deque(maxlen=HISTORY_KEPT))
    last: dict[str, tuple[str, str]] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    lanes: list[tuple[str, str]] = field(default_factory=list)
    deleted: float | None = None


def _container_state(status: dict) -> tuple[str, str]:
    state = status.get("state") or {}
    if state.get("running") is not None:
        return "Running", ""
    if state.get("terminated") is not None:
        terminated = state["terminated"]
        reason = terminated.get("reason") or f"ExitCode:{terminated.get('exitCode', 0)}"
        return "Terminated", f"{reason} (exit code {terminated.get('exitCode', 0)})"
    waiting = state.get("waiting") or {}
    return "Waiting", waiting.get("reason", "")


def _pod_states(pod: dict) -> list[tuple[str, str, str, str]]:
    """(lane, group, state, detail) for every lane of a pod as it is now."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    phase = status.get("phase", "Pending")
    phase_detail = status.get("reason", "")
    if meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        phase, phase_detail = "Terminating", phase
    out = [("Phase", "phase", phase, phase_detail)]
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    for name in CONDITION_ORDER:
        if name in conditions:
            condition = conditions[name]
            out.append(
                (name, "condition", condition.get("status", ""), condition.get("reason", ""))
            )
    statuses = {
        s.get("name"): s
        for s in (status.get("initContainerStatuses") or [])
        + (status.get("containerStatuses") or [])
    }
    for group, containers in (("init", spec.get("initContainers")), ("", spec.get("containers"))):
        for container in containers or []:
            name = container.get("name", "")
            lane = f"{group}:{name}" if group else name
            found = statuses.get(name)
            state, detail = _container_state(found) if found else ("Waiting", "")
            out.append((lane, "container", state, detail))
    return out


class TimelineRecorder:
    """Notes, from the change feed, when each pod changed phase, condition or container
    state, and every occurrence of an event about it."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._pods: dict[str, _PodHistory] = {}
        self._event_counts: dict[tuple[str, str], int] = {}
        for pod in cluster.store.iter("Pod"):
            self._observe_pod(pod)
        self._unsubscribe = cluster.watch(self._on_change, {"Pod", "Event"})

    def close(self) -> None:
        self._unsubscribe()

    def has(self, uid: str) -> bool:
        return uid in self._pods

    def _on_change(self, change: Change) -> None:
        if change.kind == "Pod":
            if change.type == "DELETED":
                history = self._pods.get(change.obj["metadata"].get("uid", ""))
                if history is not None:
                    history.deleted = self.cluster.now
            else:
                self._observe_pod(change.obj)
        else:
            self._observe_event(change)

    def _observe_pod(self, pod: dict) -> None:
        meta = pod["metadata"]
        uid = meta.get("uid", "")
        history = self._pods.get(uid)
        now = self.cluster.now
        if history is None:
            created = _seconds(self.cluster, meta.get("creationTimestamp"), now)
            history = _PodHistory(meta.get("namespace", ""), meta["name"], created)
            self._pods[uid] = history
        restarted = self._restarted_lanes(history, pod)
        for lane, container in restarted.items():
            self._note_restart(history, lane, container, now)
        for lane, group, state, detail in _pod_states(pod):
            if (lane, group) not in history.lanes:
                history.lanes.append((lane, group))
            if history.last.get(lane) != (state, detail) or lane in restarted:
                history.last[lane] = (state, detail)
                history.transitions.append((now, lane, group, state, detail))
        for lane, container in restarted.items():
            count = container.get("restartCount", 0)
            history.transitions.append((now, lane, "restart", str(count), ""))
        status = pod.get("status") or {}
        for container in (status.get("initContainerStatuses") or []) + (
            status.get("containerStatuses") or []
        ):
            history.restarts[container.get("name", "")] = container.get("restartCount", 0)

    def _restarted_lanes(self, history: _PodHistory, pod: dict) -> dict[str, dict]:
        """Container lanes (and statuses) whose restart count went up since last seen."""
        status = pod.get("status") or {}
        out = {}
        for prefix, statuses in (
            ("init:", status.get("initContainerStatuses")),
            ("", status.get("containerStatuses")),
        ):
            for container in statuses or []:
                name = container.get("name", "")
                if container.get("restartCount", 0) > history.restarts.get(name, 0):
                    out[f"{prefix}{name}"] = container
        return out

    def _note_restart(self, history: _PodHistory, lane: str, container: dict, now: float) -> None:
        """A container restarted between two observations: its previous run ended when
        lastState.terminated says, so the lane shows that end before the new run."""
        terminated = (container.get("lastState") or {}).get("terminated")
        if not terminated or history.last.get(lane, ("", ""))[0] != "Running":
            return  # no run ended unseen: the lane already shows how it ended
        latest = history.transitions[-1][0] if history.transitions else history.created
        finished = min(max(_seconds(self.cluster, terminated.get("finishedAt"), now), latest), now)
        reason = terminated.get("reason") or f"ExitCode:{terminated.get('exitCode', 0)}"
        detail = f"{reason} (exit code {terminated.get('exitCode', 0)})"
        history.transitions.append((finished, lane, "container", "Terminated", detail))

    def _observe_event(self, change: Change) -> None:
        event = change.obj
        involved = event.get("involvedObject") or {}
        if involved.get("kind") != "Pod":
            return
        key = (event["metadata"].get("namespace", ""), event["metadata"]["name"])
        if change.type == "DELETED":
            self._event_counts.pop(key, None)
            return
        history = self._pods.get(involved.get("uid", ""))
        count = (event.get("series") or {}).get("count") or event.get("count") or 1
        seen = self._event_counts.get(key, 0)
        self._event_counts[key] = count
        if history is None or count <= seen:
            return
        history.occurrences.append(
            Occurrence(
                self.cluster.now,
                event.get("type", ""),
                event.get("reason", ""),
                str(event.get("message", "")),
                _container_of(involved.get("fieldPath")),
            )
        )

    def timeline(self, uid: str) -> PodTimeline | None:
        """The recorded timeline of a pod (None when the recorder never saw it)."""
        history = self._pods.get(uid)
        if history is None:
            return None
        now = self.cluster.now
        lanes = {name: Lane(_lane_title(name, group), group) for name, group in history.lanes}
        for at, lane_name, group, state, detail in history.transitions:
            if group == "restart":
                lane = lanes.get(lane_name)
                if lane is not None:
                    lane.marks.append(Mark(at, "restart", f"restart #{state}"))
                continue
            lane = lanes[lane_name]
            if lane.segments and lane.segments[-1].start >= at:
                # Two states at one instant: the later one is what was seen.
                lane.segments.pop()
            _close(lane, at)
            lane.segments.append(Segment(at, None, state, detail))
        end = history.deleted
        if end is not None:
            for lane in lanes.values():
                _close(lane, end)
        timeline = PodTimeline(
            history.namespace,
            history.name,
            history.created,
            now,
            _ordered(list(lanes.values())),
            list(history.occurrences),
            end,
        )
        _mark_events(timeline)
        return timeline


_GROUP_ORDER = {"phase": 0, "container": 1, "condition": 2}


def _ordered(lanes: list[Lane]) -> list[Lane]:
    """Phase first, then containers (init containers first, as in the spec), then the
    conditions in the order a pod passes through them."""

    def key(item: tuple[int, Lane]) -> tuple[int, int, int]:
        index, lane = item
        if lane.group == "condition" and lane.name in CONDITION_ORDER:
            return (_GROUP_ORDER["condition"], CONDITION_ORDER.index(lane.name), index)
        return (_GROUP_ORDER.get(lane.group, 3), 0, index)

    return [lane for _, lane in sorted(enumerate(lanes), key=key)]


def _lane_title(name: str, group: str) -> str:
    if group != "container":
        return name
    if name.startswith("init:"):
        return f"init {name[5:]}"
    return name


def _close(lane: Lane, at: float) -> None:
    if lane.segments and lane.segments[-1].end is None:
        last = lane.segments[-1]
        lane.segments[-1] = Segment(last.start, at, last.state, last.detail)


def _container_of(field_path: str | None) -> str | None:
    """`spec.containers{app}` → `app`."""
    if not field_path or "{" not in field_path:
        return None
    return field_path.split("{", 1)[1].rstrip("}")


def _seconds(cluster: Cluster, timestamp: object, default: float) -> float:
    moment = parse_timestamp(timestamp)
    if moment is None:
        return default
    return (moment - cluster.clock.start).total_seconds()


_EVENT_MARKS = {
    "Unhealthy": "probe-failure",
    "Killing": "killed",
    "BackOff": "back-off",
    "Failed": "failed",
    "OOMKilling": "killed",
}


def _mark_events(timeline: PodTimeline) -> None:
    """Probe failures, kills and back-offs become marks on their container's lane."""
    by_title = {lane.name: lane for lane in timeline.lanes if lane.group == "container"}
    phase = next((lane for lane in timeline.lanes if lane.group == "phase"), None)
    for occurrence in timeline.events:
        kind = _EVENT_MARKS.get(occurrence.reason)
        if kind is None:
            continue
        lane = None
        if occurrence.container is not None:
            lane = by_title.get(occurrence.container) or by_title.get(
                f"init {occurrence.container}"
            )
        lane = lane or phase
        if lane is not None:
            lane.marks.append(
                Mark(occurrence.at, kind, f"{occurrence.reason}: {occurrence.message}")
            )
    for lane in timeline.lanes:
        lane.marks.sort(key=lambda m: m.at)


# -- reading -----------------------------------------------------------------------------------
def pod_timeline(
    cluster: Cluster, pod: dict, recorder: TimelineRecorder | None = None
) -> PodTimeline:
    """The pod's timeline: recorded history when there is one, else reconstructed from
    its status, its events and the kubelet's worker (which keeps two runs per container)."""
    uid = pod["metadata"].get("uid", "")
    if recorder is not None:
        recorded = recorder.timeline(uid)
        if recorded is not None:
            return recorded
    return _reconstruct(cluster, pod)


def _reconstruct(cluster: Cluster, pod: dict) -> PodTimeline:
    meta = pod["metadata"]
    status = pod.get("status") or {}
    now = cluster.now
    created = _seconds(cluster, meta.get("creationTimestamp"), 0.0)
    lanes: list[Lane] = []
    occurrences: list[Occurrence] = []
    for event in cluster.events.events_for(pod):
        count = event.get("count") or 1
        first = _seconds(cluster, event.get("firstTimestamp") or event.get("eventTime"), created)
        last = _seconds(cluster, event.get("lastTimestamp"), first)
        container = _container_of((event.get("involvedObject") or {}).get("fieldPath"))
        for at in (first, last) if count > 1 else (first,):
            occurrences.append(
                Occurrence(
                    at,
                    event.get("type", ""),
                    event.get("reason", ""),
                    event.get("message", ""),
                    container,
                )
            )
    occurrences.sort(key=lambda o: o.at)

    phase = Lane("Phase", "phase")
    started = _seconds(cluster, status.get("startTime"), created)
    current = status.get("phase", "Pending")
    if current != "Pending" and started > created:
        phase.segments.append(Segment(created, started, "Pending"))
    phase.segments.append(Segment(started if current != "Pending" else created, None, current))
    lanes.append(phase)
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    for name in CONDITION_ORDER:
        condition = conditions.get(name)
        if condition is None:
            continue
        lane = Lane(name, "condition")
        changed = _seconds(cluster, condition.get("lastTransitionTime"), created)
        value = condition.get("status", "")
        if changed > created:
            # Only the last transition is kept in the status; before it, who knows.
            lane.segments.append(Segment(created, changed, "Unknown"))
        lane.segments.append(
            Segment(max(changed, created), None, value, condition.get("reason", ""))
        )
        lanes.append(lane)
    worker = _worker(cluster, pod)
    spec = pod.get("spec") or {}
    for prefix, containers in (("init ", spec.get("initContainers")), ("", spec.get("containers"))):
        for container in containers or []:
            name = container.get("name", "")
            lane = Lane(f"{prefix}{name}", "container")
            instances = list((worker.instances.get(name) if worker else None) or [])
            cursor = created
            for instance in instances:
                start = (
                    instance.started_at if instance.started_at is not None else instance.created_at
                )
                if start > cursor:
                    lane.segments.append(Segment(cursor, start, "Waiting"))
                end = instance.finished_at
                lane.segments.append(Segment(start, end, "Running"))
                if end is not None:
                    lane.segments.append(
                        Segment(
                            end,
                            None,
                            "Terminated",
                            f"{instance.reason} (exit code {instance.exit_code})",
                        )
                    )
                    cursor = end
                if instance.restart_count:
                    lane.marks.append(Mark(start, "restart", f"restart #{instance.restart_count}"))
            if not lane.segments:
                lane.segments.append(Segment(created, None, "Waiting"))
            # Only the newest segment is open; earlier ones end where the next begins.
            fixed = []
            for index, segment in enumerate(lane.segments):
                following = lane.segments[index + 1] if index + 1 < len(lane.segments) else None
                end = following.start if following is not None else segment.end
                fixed.append(Segment(segment.start, end, segment.state, segment.detail))
            lane.segments = fixed
            lanes.append(lane)
    timeline = PodTimeline(
        meta.get("namespace", ""), meta["name"], created, now, _ordered(lanes), occurrences
    )
    _mark_events(timeline)
    return timeline


def _worker(cluster: Cluster, pod: dict):
    kubelet = cluster.kubelets.get((pod.get("spec") or {}).get("nodeName") or "")
    if kubelet is None:
        return None
    return kubelet.workers.get(pod["metadata"].get("uid", ""))
