"""The one interface under the console: a cluster it can read, watch and act on.

Two implementations: `EngineBackend` (the simulated cluster in this process) and
`KubeBackend` (a Kubernetes API server over the network, fed by list + watch reflectors).
The console asks for objects by kind and namespace, subscribes to a change feed
(ADDED/MODIFIED/DELETED, as a watch delivers), and calls the verbs below; every verb
answers in kubectl's words (`ActionResult(lines, errors)`), whichever backend runs it.

What only a simulator can do is a capability the backend declares, with the reason it is
unavailable, so the console can show the action disabled rather than hide it.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from engine.actions import ActionResult
from engine.disruption.drain_progress import DrainLine, DrainOptions, PodProgress

if TYPE_CHECKING:
    from engine.cluster import Cluster

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"


@dataclass(frozen=True)
class Change:
    """One change of the feed: a watch event's type, the object's kind and the object."""

    type: str
    kind: str
    obj: dict


ChangeListener = Callable[[Change], None]


class ConnectionState(enum.Enum):
    """What the header shows about the backend's link to its cluster."""

    CONNECTED = "connected"
    CONNECTING = "connecting"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class Connection:
    state: ConnectionState
    message: str = ""
    """Why the link is down (the last error), empty when connected."""


# Capabilities: what a console action needs beyond the Kubernetes API.
CLOCK = "clock"
FAULTS = "faults"
RECORDING = "recording"
CHECKPOINTS = "checkpoints"
DRILLS = "drills"
CHAOS = "chaos"
LESSONS = "lessons"
SHELL = "shell"
TIMELINE = "timeline"
ADMISSION = "admission"
CAPABILITIES = (
    CLOCK,
    FAULTS,
    RECORDING,
    CHECKPOINTS,
    DRILLS,
    CHAOS,
    LESSONS,
    SHELL,
    TIMELINE,
    ADMISSION,
)


@dataclass(frozen=True)
class Capability:
    name: str
    available: bool
    reason: str = ""
    """Why it is unavailable, in words the console can show next to the disabled action."""


SIMULATOR_ONLY = {
    CLOCK: "a real cluster's clock cannot be paused or sped up",
    FAULTS: "a real cluster cannot inject faults (only killing pods: delete them)",
    RECORDING: "recording to a scenario replays on the simulator only",
    CHECKPOINTS: "a checkpoint saves and replays a simulated cluster only",
    DRILLS: "drills replay the manifests on the simulator only",
    CHAOS: "chaos runs on the simulator's clock (kill pods on a real cluster: delete them)",
    LESSONS: "lessons run on the simulator only",
    SHELL: "exec into a container needs the simulator (use kubectl exec on a real cluster)",
    TIMELINE: "a pod's timeline is recorded by the simulator only",
    ADMISSION: "explaining admission reads the simulator's admission chain",
}


class DrainProgress(Protocol):
    """A running `kubectl drain` as the drain panel reads it: the engine's Drain
    (engine.disruption.drain) in process, KubeDrain (kube/drain.py) over the network.

    States are engine.disruption.drain_progress's (RUNNING, DRAINED, FAILED, CANCELLED; per
    pod POD_EVICTING, POD_BLOCKED with `blocked_by` and the 429's cause in `reason`,
    POD_WAITING, POD_EVICTED, POD_DELETED, POD_GONE, POD_SKIPPED, POD_FAILED). Times are
    seconds on the drain's clock: the simulated clock in process, the event loop's
    monotonic clock over the network (`KubeDrain.now()`)."""

    node: str
    options: DrainOptions
    state: str
    pods: list[PodProgress]
    lines: list[DrainLine]
    warnings: str
    started_at: float
    finished_at: float | None
    deadline: float | None

    @property
    def done(self) -> bool: ...

    def listen(self, listener: Callable[[DrainLine], None]) -> Callable[[], None]: ...

    def cancel(self) -> None:
        """Stop as an interrupted kubectl stops: no more evictions, the node stays cordoned."""

    def counts(self) -> dict[str, int]: ...

    def blocking_budgets(self) -> dict[str, list[str]]: ...


class Unavailable(Exception):
    """A simulator-only feature asked of a backend without it; str() is the reason."""

    def __init__(self, capability: Capability) -> None:
        super().__init__(capability.reason)
        self.capability = capability


class Backend(ABC):
    """The cluster as the console sees it."""

    # -- reading ------------------------------------------------------------------------------
    @abstractmethod
    def objects(self, kind: str, namespace: str | None = None) -> list[dict]:
        """The cached objects of a kind (all namespaces when None), sorted by namespace, name."""

    @abstractmethod
    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        """One cached object, or None."""

    @abstractmethod
    def watch(self, listener: ChangeListener, kinds: Iterable[str] | None) -> Callable[[], None]:
        """Subscribe to the change feed of some kinds; returns the unsubscribe function.
        None: every kind the backend has (a KubeBackend's, as `objects` starts reflecting
        them)."""

    @property
    @abstractmethod
    def connection(self) -> Connection:
        """The link to the cluster (always connected in process)."""

    @abstractmethod
    def capability(self, name: str) -> Capability:
        """Whether a simulator-only capability (CAPABILITIES) is available."""

    def simulator(self, capability: str) -> Cluster:
        """The simulated cluster behind a simulator-only feature: the one way the console
        reaches the engine beyond the API. Raises Unavailable (its reason) without it."""
        raise Unavailable(self.capability(capability))

    inline: bool = False
    """Whether the verbs finish without suspending (the cluster is in this process): the
    console then runs them at once, inside the key press, as a scenario step runs them."""

    def current_time(self) -> datetime:
        """The cluster's time, which ages (AGE, LAST SEEN) count from: the wall clock here."""
        return datetime.now(UTC)

    def elapsed(self) -> float:
        """Seconds on the cluster's clock (what a row remembers it was built at)."""
        return self.current_time().timestamp()

    @abstractmethod
    async def describe(self, kind: str, namespace: str, name: str) -> str:
        """`kubectl describe KIND NAME`: the engine's describers over the backend's objects."""

    @abstractmethod
    def logs(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        previous: bool = False,
        follow: bool = False,
        timestamps: bool = False,
        since: float | None = None,
    ) -> AsyncIterator[str]:
        """A container's log lines; with follow, the stream goes on until the container ends
        (`kubectl logs [-p] [-f] [--timestamps] [--since=Ns]`)."""

    # -- verbs (kubectl's semantics and words) -----------------------------------------------
    @abstractmethod
    async def delete(
        self,
        target: str,
        *,
        namespace: str = "default",
        grace_period: int | None = None,
        cascade: str = "background",
        force: bool = False,
        api_version: str = "",
    ) -> ActionResult:
        """`kubectl delete KIND/NAME [--grace-period N] [--force] [--cascade ...]`; with
        api_version, addressed through that group/version (`delete -f` of an old file)."""

    @abstractmethod
    async def evict(self, pod: str, *, namespace: str = "default") -> ActionResult:
        """One Eviction through the Eviction API (a PodDisruptionBudget may refuse it: 429)."""

    @abstractmethod
    async def cordon(self, node: str) -> ActionResult: ...

    @abstractmethod
    async def uncordon(self, node: str) -> ActionResult: ...

    @abstractmethod
    async def drain(
        self, options: DrainOptions, on_line: Callable[[str], None] | None = None
    ) -> ActionResult:
        """`kubectl drain`: cordon, evict the node's pods (retrying a 429 every 5 s), wait
        for them to go, until --timeout."""

    def start_drain(
        self, options: DrainOptions, on_line: Callable[[str], None] | None = None
    ) -> DrainProgress:
        """Start `kubectl drain` and return it at once, running: its per-pod progress for
        the drain panel, and `cancel()`."""
        raise NotImplementedError

    def drains(self) -> list[DrainProgress]:
        """Every drain started through this backend, oldest first."""
        raise NotImplementedError

    @abstractmethod
    async def scale(
        self, target: str, replicas: int, *, namespace: str = "default"
    ) -> ActionResult: ...

    @abstractmethod
    async def rollout_restart(self, target: str, *, namespace: str = "default") -> ActionResult: ...

    @abstractmethod
    async def rollout_undo(
        self, target: str, *, to_revision: int = 0, namespace: str = "default"
    ) -> ActionResult: ...

    @abstractmethod
    async def set_image(
        self, target: str, image: str, *, container: str = "*", namespace: str = "default"
    ) -> ActionResult: ...

    @abstractmethod
    async def replace(self, obj: dict) -> ActionResult:
        """`kubectl edit`'s write (and `kubectl replace`): the whole object, with its
        resourceVersion, so a stale edit is a 409 Conflict."""

    @abstractmethod
    async def apply(self, obj: dict, *, server_side: bool = False) -> ActionResult:
        """`kubectl apply` for one object: client-side (the last-applied annotation and a
        three-way merge, kubectl's default: `created`, `configured`, `unchanged`), or
        `kubectl apply --server-side` (field managers: `serverside-applied`)."""

    async def close(self) -> None:  # noqa: B027 (in process there is nothing to release)
        """Stop watching and release connections."""
