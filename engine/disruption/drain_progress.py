"""What a `kubectl drain` is asked to do (its flags), what it prints (lines on stdout and
stderr, with their simulated time), and how far each of its pods has got (for the console's
drain panel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.clock import Timer
from engine.disruption import drain_filters
from engine.timeutil import parse_duration

EVICT_ERROR_RETRY_DELAY = 5.0
WAIT_FOR_DELETE_INTERVAL = 1.0
DEADLINE_EXCEEDED = "context deadline exceeded"

STDOUT = "stdout"
STDERR = "stderr"

# Drain states.
RUNNING = "running"
DRAINED = "drained"
FAILED = "failed"
CANCELLED = "cancelled"

# Pod states in the drain panel.
POD_EVICTING = "evicting"
POD_BLOCKED = "blocked"  # a 429: waiting 5 s to retry
POD_WAITING = "waiting"  # evicted or deleted, waiting for it to be gone
POD_EVICTED = "evicted"
POD_DELETED = "deleted"
POD_GONE = "gone"  # NotFound when evicting: nothing to print
POD_SKIPPED = "skipped"  # --skip-wait-for-delete-timeout
POD_FAILED = "failed"


@dataclass
class DrainOptions:
    """kubectl drain's flags (defaults as NewDrainCmdOptions sets them)."""

    node: str
    force: bool = False
    ignore_daemonsets: bool = False
    delete_emptydir_data: bool = False
    grace_period: int = -1
    """Seconds; negative uses each pod's terminationGracePeriodSeconds."""
    timeout: float = 0.0
    """Seconds; 0 waits forever."""
    disable_eviction: bool = False
    pod_selector: str = ""
    skip_wait_for_delete_timeout: int = 0
    dry_run: str = "none"
    """`none`, `client` or `server`, as --dry-run."""

    @classmethod
    def from_step(cls, value: dict[str, Any]) -> DrainOptions:
        """From a scenario's `drain:` mapping (DESIGN.md's field names)."""
        grace = value.get("gracePeriod")
        return cls(
            node=value["node"],
            force=bool(value.get("force", False)),
            ignore_daemonsets=bool(value.get("ignoreDaemonsets", False)),
            delete_emptydir_data=bool(value.get("deleteEmptydirData", False)),
            grace_period=-1 if grace is None else int(grace),
            timeout=parse_duration(value["timeout"]) if value.get("timeout") is not None else 0.0,
            disable_eviction=bool(value.get("disableEviction", False)),
            pod_selector=value.get("podSelector", "") or "",
        )

    def to_step(self) -> dict[str, Any]:
        """The scenario `drain:` mapping that replays these options (defaults left out)."""
        step: dict[str, Any] = {"node": self.node}
        if self.ignore_daemonsets:
            step["ignoreDaemonsets"] = True
        if self.delete_emptydir_data:
            step["deleteEmptydirData"] = True
        if self.force:
            step["force"] = True
        if self.timeout:
            step["timeout"] = f"{self.timeout:g}s"
        if self.grace_period >= 0:
            step["gracePeriod"] = self.grace_period
        if self.disable_eviction:
            step["disableEviction"] = True
        if self.pod_selector:
            step["podSelector"] = self.pod_selector
        return step

    def filter_options(self) -> drain_filters.FilterOptions:
        return drain_filters.FilterOptions(
            force=self.force,
            ignore_daemonsets=self.ignore_daemonsets,
            delete_emptydir_data=self.delete_emptydir_data,
            skip_wait_for_delete_timeout=self.skip_wait_for_delete_timeout,
        )


@dataclass(frozen=True)
class DrainLine:
    """One line kubectl drain printed: when, on which stream, what."""

    at: float
    text: str
    stream: str = STDOUT


@dataclass
class PodProgress:
    """One pod's eviction, for the console's drain panel."""

    namespace: str
    name: str
    uid: str
    state: str = POD_EVICTING
    attempts: int = 0
    blocked_by: str | None = None
    """The budget that refused the last eviction (429), if any."""
    reason: str = ""
    """Why: the 429's cause (`The disruption budget web needs 2 healthy pods and has 2
    currently`) or the error that ended this pod's eviction."""
    since: float = 0.0
    error: str | None = None
    _timer: Timer | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def done(self) -> bool:
        return self.state in (POD_EVICTED, POD_DELETED, POD_GONE, POD_SKIPPED, POD_FAILED)
