"""What a drill watches while it runs: each workload's Ready count over simulated time, the
events the cluster records, and the pods controllers create as replacements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.drill.findings import Evidence
from engine.drill.workloads import WORKLOAD_KINDS, Owners, WorkloadRef, desired, get, ready

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.store import Change


@dataclass
class Track:
    """One workload's Ready pods over the drill."""

    desired: int
    ready: int
    since: float
    lowest: int
    lowest_at: float
    initial: int = 0
    """Ready pods when the drill began."""
    below_seconds: float = 0.0
    zero_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "desired": self.desired,
            "readyAtStart": self.initial,
            "lowestReady": self.lowest,
            "lowestReadyAt": self.lowest_at,
            "secondsBelowDesired": self.below_seconds,
            "secondsWithNoneReady": self.zero_seconds,
        }

    def close(self, now: float) -> None:
        """Account the time since the last change at the current counts."""
        span = now - self.since
        if self.ready < self.desired:
            self.below_seconds += span
            if self.ready == 0:
                self.zero_seconds += span
        self.since = now

    def update(self, now: float, desired_now: int, ready_now: int) -> None:
        self.close(now)
        self.desired, self.ready = desired_now, ready_now
        if ready_now < self.lowest:
            self.lowest, self.lowest_at = ready_now, now


@dataclass
class SeenEvent:
    at: float
    type: str
    reason: str
    message: str
    kind: str
    namespace: str
    name: str

    def evidence(self) -> Evidence:
        return Evidence(
            self.at, f"{self.type} {self.reason} {self.kind.lower()}/{self.name}: {self.message}"
        )


@dataclass
class Observer:
    """Subscribe at the drill's start; `stop()` at its end."""

    cluster: Cluster
    tracks: dict[WorkloadRef, Track] = field(default_factory=dict)
    events: list[SeenEvent] = field(default_factory=list)
    created: dict[WorkloadRef, list[tuple[float, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.owners = Owners(self.cluster)
        self.started_at = self.cluster.now
        for kind in WORKLOAD_KINDS:
            for obj in self.cluster.store.iter(kind):
                self._track(obj)
        self._unsubscribe = self.cluster.watch(
            self._on_change, kinds={*WORKLOAD_KINDS, "Event", "Pod"}
        )

    def _ref(self, obj: dict) -> WorkloadRef:
        meta = obj["metadata"]
        return WorkloadRef(obj["kind"], meta.get("namespace", ""), meta["name"])

    def _track(self, obj: dict) -> None:
        now = self.cluster.now
        ref = self._ref(obj)
        track = self.tracks.get(ref)
        if track is None:
            count = ready(obj)
            self.tracks[ref] = Track(desired(obj), count, now, count, now, initial=count)
        else:
            track.update(now, desired(obj), ready(obj))

    def _on_change(self, change: Change) -> None:
        obj = change.obj
        kind = obj.get("kind")
        if kind == "Event":
            if change.type != "DELETED":
                involved = obj.get("involvedObject") or {}
                self.events.append(
                    SeenEvent(
                        self.cluster.now,
                        obj.get("type", "Normal"),
                        obj.get("reason", ""),
                        obj.get("message", ""),
                        involved.get("kind", ""),
                        involved.get("namespace", ""),
                        involved.get("name", ""),
                    )
                )
        elif kind == "Pod":
            if change.type == "ADDED":
                ref = self.owners.workload_of(obj)
                if ref is not None:
                    self.created.setdefault(ref, []).append(
                        (self.cluster.now, obj["metadata"]["name"])
                    )
        elif change.type != "DELETED":
            self._track(obj)

    def stop(self) -> None:
        self._unsubscribe()
        now = self.cluster.now
        for track in self.tracks.values():
            track.close(now)

    def events_about(self, ref: WorkloadRef, reasons: set[str] | None = None) -> list[SeenEvent]:
        """Events whose object is the workload, one of its ReplicaSets or one of its pods."""
        found = []
        for event in self.events:
            if reasons is not None and event.reason not in reasons:
                continue
            if event.namespace != ref.namespace:
                continue
            if (event.kind, event.name) == (ref.kind, ref.name) or self._belongs(event, ref):
                found.append(event)
        return found

    def _belongs(self, event: SeenEvent, ref: WorkloadRef) -> bool:
        if event.kind == "ReplicaSet" and ref.kind == "Deployment":
            rs = self.cluster.store.get("ReplicaSet", event.namespace, event.name)
            return rs is not None and self.owners.workload_of(rs) == ref
        if event.kind != "Pod":
            return False
        pod = self.cluster.store.get("Pod", event.namespace, event.name)
        if pod is not None:
            return self.owners.workload_of(pod) == ref
        # A pod that is gone: its name carries its owner's (generateName) prefix.
        return event.name.startswith(f"{ref.name}-")


def replacements(observer: Observer, ref: WorkloadRef) -> list[tuple[float, str]]:
    return observer.created.get(ref, [])


def workload_exists(observer: Observer, ref: WorkloadRef) -> bool:
    return get(observer.cluster, ref) is not None
