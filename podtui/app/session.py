"""The cluster behind the console, through one Backend: the simulator booted like `podtui
sim` and advanced tick by tick (EngineBackend), or a real cluster (KubeBackend); watched
through the backend's change feed.

The engine is single-threaded; the console may advance it from a worker thread, so every
reader and writer takes `Session.lock`. Changes reach the console through `take_changes`,
coalesced per object (the newest change of each object in a batch wins), which is what
keeps a flood of updates from turning into a flood of repaints.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine import steps
from engine.api.admission import ADMIN, UserInfo
from engine.apply import apply
from engine.checkpoint.entries import Entry, apply_entry
from engine.cluster import Cluster
from engine.manifests.loader import Manifest
from engine.manifests.yamldoc import Problem
from engine.printers import pod_status_reason
from engine.printers.duration import human_duration
from engine.result import ActionResult
from engine.timeline import TimelineRecorder
from engine.timeutil import DEFAULT_START
from podtui.app.calls import run_inline, start
from podtui.backends.base import CLOCK, TIMELINE, Backend, Change
from podtui.backends.engine import EngineBackend

SPARK_POINTS = 60
"""How many ticks of pod counts the header's sparklines remember."""

RUNNING = "Running"
PENDING = "Pending"
FAILING = "Failing"
COMPLETED = "Completed"
TERMINATING = "Terminating"
CATEGORIES = (RUNNING, PENDING, FAILING, COMPLETED, TERMINATING)

_FAILING_PHASE_REASONS = frozenset(
    {
        "CrashLoopBackOff",
        "Error",
        "ErrImagePull",
        "ImagePullBackOff",
        "ErrImageNeverPull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "OOMKilled",
        "ContainerStatusUnknown",
        "StartError",
    }
)

ChangeKey = tuple[str, str, str]
"""(kind, namespace, name)"""


def pod_category(pod: dict) -> str:
    """Which header count a pod falls in: by phase, with STATUS reasons that mean failing."""
    reason = pod_status_reason(pod)
    if reason == "Terminating":
        return TERMINATING
    phase = (pod.get("status") or {}).get("phase", "Pending")
    if phase == "Failed":
        return FAILING
    if phase == "Succeeded":
        return COMPLETED
    if reason in _FAILING_PHASE_REASONS or reason.startswith(
        ("Init:Error", "Init:CrashLoop", "Init:ImagePull", "Init:ErrImage")
    ):
        return FAILING
    return RUNNING if phase == "Running" else PENDING


@dataclass(frozen=True)
class Sample:
    """Pod counts after one tick."""

    at: float
    running: int
    pending: int
    failing: int


class Session:
    """A cluster behind a backend, its lock, its change feed and the console's bookkeeping."""

    def __init__(
        self,
        backend: Backend,
        *,
        base_dir: Path | None = None,
        user: UserInfo = ADMIN,
        readonly: bool = False,
    ) -> None:
        self.backend = backend
        self.base_dir = base_dir or Path.cwd()
        self.manifest_files: list[str] = []
        self.boot_entry: Entry | None = None
        """The manifests applied at t=0 (None for a session not booted from manifests)."""
        self.default_nodes = True
        self.refused_at_start: list[Problem] = []
        """The objects the API server refused when the manifests were applied at start."""
        self.watched: list[Path] = [self.base_dir]
        """The PATHs the console was started with (`-f` looks there too)."""
        self.user = user
        self.readonly = readonly
        self.verbs: dict[str, Callable[..., ActionResult]] = {}
        """`:` verbs the running console adds to the built-in ones (a lesson's `:hint`)."""
        self.replaying = ""
        """`drill drain @5s` while the console shows a drill's replay (podtui.app.drill)."""
        self.lock = threading.RLock()
        self.recorder: TimelineRecorder | None = None
        """Each pod's lanes for the timeline tab (only where the simulator records them)."""
        self.categories: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.samples: deque[Sample] = deque(maxlen=SPARK_POINTS)
        self._pending: dict[ChangeKey, Change] = {}
        self._reports: deque[str] = deque(maxlen=200)
        self.context_name = "podtui"
        self.server = ""
        """The kubeconfig context and its server (a real cluster; podtui --kubeconfig)."""
        self.on_result: Callable[[ActionResult], None] | None = None
        """Where the result of a verb that finished later goes (the app reports it)."""
        with self.lock:
            for pod in backend.objects("Pod"):
                self._count(pod, deleted=False)
        backend.watch(self._on_change, None)
        if backend.capability(TIMELINE).available:
            self.recorder = TimelineRecorder(backend.simulator(TIMELINE))
        if backend.capability(CLOCK).available:
            set_reporter = getattr(steps, "set_reporter", None)
            if set_reporter is not None:
                set_reporter(backend.simulator(CLOCK), self._report)
        self.sample()

    # -- the backend ----------------------------------------------------------------------
    @property
    def cluster(self) -> Cluster:
        """The simulated cluster, for what only a simulator does (the clock, faults,
        checkpoints, drills): Unavailable on a backend without one."""
        return self.backend.simulator(CLOCK)

    @property
    def context(self) -> tuple[str, str]:
        """(context name, what it is) for `:ctx`: the simulator, or the kubeconfig's."""
        if self.has(CLOCK):
            cluster = self.cluster
            nodes = len(self.objects("Node"))
            return (
                "podtui",
                f"simulated: {nodes} node{'s' if nodes != 1 else ''}, seed {cluster.seed}",
            )
        return self.context_name, self.server

    def has(self, capability: str) -> bool:
        """Whether the backend can do a simulator-only thing (base.CAPABILITIES)."""
        return self.backend.capability(capability).available

    def reason(self, capability: str) -> str:
        return self.backend.capability(capability).reason

    def objects(self, kind: str, namespace: str | None = None) -> list[dict]:
        """The kind's objects, sorted by namespace, name (a KubeBackend reflects the kind
        from now on, and the change feed carries it)."""
        return self.backend.objects(kind, namespace)

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self.backend.get(kind, namespace, name)

    def call(
        self,
        verb: Coroutine[Any, Any, ActionResult],
        done: Callable[[ActionResult], None] | None = None,
    ) -> ActionResult:
        """Run one of the backend's verbs. In process it runs now (under the lock) and its
        result is returned; over the network it runs on the loop, the result goes to `done`
        (or `on_result`), and what is returned is empty."""
        if self.backend.inline:
            with self.lock:
                return run_inline(verb)
        deliver = done or self.on_result or (lambda _result: None)
        start(verb, deliver)
        return ActionResult()

    def now_datetime(self) -> datetime:
        return self.backend.current_time()

    @property
    def now(self) -> float:
        return self.backend.elapsed()

    # -- booting --------------------------------------------------------------------------
    @classmethod
    def simulating(
        cls,
        cluster: Cluster,
        *,
        base_dir: Path | None = None,
        user: UserInfo = ADMIN,
        readonly: bool = False,
    ) -> Session:
        """A session over a simulated cluster in this process (its EngineBackend)."""
        return cls(
            EngineBackend(cluster, user=user), base_dir=base_dir, user=user, readonly=readonly
        )

    @classmethod
    def boot(
        cls,
        manifests: list[Manifest],
        *,
        seed: int = 0,
        start: datetime | None = None,
        user: UserInfo = ADMIN,
        readonly: bool = False,
        base_dir: Path | None = None,
    ) -> tuple[Session, ActionResult]:
        """Boot a cluster as `podtui sim` does and apply the manifests at t=0."""
        cluster = Cluster(seed=seed, start=start or DEFAULT_START)
        cluster.boot(default_nodes=not any(m.kind == "Node" for m in manifests))
        session = cls.simulating(cluster, base_dir=base_dir, user=user, readonly=readonly)
        # The files applied at t=0: what `podtui sim` replays a recorded session over.
        session.manifest_files = list(dict.fromkeys(m.file for m in manifests))
        # What a checkpoint replays first (podtui.app.checkpoint), copied before applying.
        session.boot_entry = apply_entry(0.0, manifests, initial=True)
        session.default_nodes = not any(m.kind == "Node" for m in manifests)
        with session.lock:
            report = apply(cluster, manifests, user=user)
            # What is due now runs now, as `podtui sim --until 0` prints it (the controllers'
            # first ReplicaSets and pods are there before the first tick).
            cluster.run_until(cluster.now)
        # What `engine.steps.apply_manifests` says for `podtui sim`, plus where each refusal
        # came from: the hot reloader adopts them instead of sending the objects again.
        session.refused_at_start = [
            Problem(o.source, o.line_number, o.error_line()) for o in report.outcomes if not o.ok
        ]
        return session, ActionResult(lines=report.lines(), errors=report.errors())

    # -- time -----------------------------------------------------------------------------
    def advance(self, ticks: int = 1) -> None:
        """Run the engine `ticks` steps (1 s each by default); a real cluster runs itself."""
        if not self.has(CLOCK):
            self.sample()
            return
        cluster = self.cluster
        with self.lock:
            for _ in range(ticks):
                cluster.tick()
                self.sample()

    def sample(self) -> None:
        self.samples.append(
            Sample(
                self.now,
                self.counts[RUNNING],
                self.counts[PENDING],
                self.counts[FAILING],
            )
        )

    # -- the change feed ------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        meta = change.obj.get("metadata") or {}
        self._pending[(change.kind, meta.get("namespace") or "", meta.get("name", ""))] = change
        if change.kind == "Pod":
            self._count(change.obj, deleted=change.type == "DELETED")

    def _count(self, pod: dict, *, deleted: bool) -> None:
        uid = pod["metadata"].get("uid", "")
        old = self.categories.pop(uid, None)
        if old is not None:
            self.counts[old] -= 1
        if not deleted:
            category = pod_category(pod)
            self.categories[uid] = category
            self.counts[category] += 1

    def report_later(self, line: str) -> None:
        """A line a verb still running says (a drain on a real cluster): shown as it comes,
        with the wall-clock time, as the simulator's steps say theirs with simulated time."""
        if self.has(CLOCK):
            self._report(line)
        else:
            self._reports.append(f"[{self.now_datetime():%H:%M:%S}] {line}")

    def _report(self, line: str) -> None:
        # A long-running step (a drain) speaking after its own time, like `podtui sim`'s
        # `[40s] pod/web-0 evicted`; the time in the console's one format for simulated
        # time, kubectl's duration since t=0 (`[5m31s]`), as the header's `+5m31s`.
        self._reports.append(f"[{human_duration(self.now)}] {line}")

    def take_reports(self) -> list[str]:
        """Lines long-running steps printed since the last call."""
        lines = []
        while self._reports:
            lines.append(self._reports.popleft())
        return lines

    def take_changes(self) -> dict[ChangeKey, Change]:
        """Every object that changed since the last call, newest change each."""
        with self.lock:
            pending, self._pending = self._pending, {}
        return pending

    @property
    def pod_total(self) -> int:
        return len(self.categories)
