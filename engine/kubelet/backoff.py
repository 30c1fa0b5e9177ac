"""Container restart back-off (CrashLoopBackOff), as the kubelet configures flowcontrol.Backoff.

Upstream: kubernetes/kubernetes `staging/src/k8s.io/client-go/util/flowcontrol/backoff.go`
(`Next`, `IsInBackOffSince`, `GC`), `pkg/kubelet/kubelet.go` (`NewBackOff(10s, 300s)`, no jitter,
`HasExpiredFunc` = 600 s) and `pkg/kubelet/kuberuntime/kuberuntime_manager.go` `doBackOff`.
Times are simulated seconds.

The kubelet's use, on every attempt to start a container that has exited before:
`is_in_backoff_since(key, finished_at, now)` → if True, do not start (waiting
CrashLoopBackOff with `backoff_message`); else `next(key, finished_at, now)` and start. So the
first restart is immediate and later waits from finishedAt are 10, 20, 40, 80, 160, 300, 300 s;
a container that ran more than 10 minutes since the last `next` starts the sequence over.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

from engine.timeutil import format_go_duration

INITIAL_CRASH_LOOP_BACKOFF = 10.0
MAX_CRASH_LOOP_BACKOFF = 300.0
# The kubelet pins expiry at 10 minutes rather than flowcontrol's default 2 × max.
CRASH_LOOP_BACKOFF_RESET = 600.0


@dataclass
class _Entry:
    backoff: float
    last_update: float


class Backoff:
    """Per-key exponential back-off: flowcontrol.Backoff without jitter, kubelet expiry."""

    def __init__(
        self,
        initial: float = INITIAL_CRASH_LOOP_BACKOFF,
        maximum: float = MAX_CRASH_LOOP_BACKOFF,
        reset_after: float = CRASH_LOOP_BACKOFF_RESET,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.reset_after = reset_after
        self._entries: dict[str, _Entry] = {}

    def _has_expired(self, event_time: float, last_update: float) -> bool:
        return event_time - last_update > self.reset_after

    def next(self, key: str, event_time: float, now: float) -> None:
        """Move the key's delay to its next step (`Backoff.Next`); `event_time` is finishedAt."""
        entry = self._entries.get(key)
        if entry is None or self._has_expired(event_time, entry.last_update):
            entry = self._entries[key] = _Entry(backoff=self.initial, last_update=now)
        else:
            entry.backoff = min(entry.backoff * 2, self.maximum)
        entry.last_update = now

    def is_in_backoff_since(self, key: str, event_time: float, now: float) -> bool:
        """Whether less than the current delay has passed since `event_time` (`IsInBackOffSince`)."""
        entry = self._entries.get(key)
        if entry is None or self._has_expired(event_time, entry.last_update):
            return False
        return now - event_time < entry.backoff

    def get(self, key: str) -> float:
        """The key's current delay in seconds; 0 when it has none."""
        entry = self._entries.get(key)
        return entry.backoff if entry else 0.0

    def ready_at(self, key: str, event_time: float) -> float | None:
        """When the back-off that `event_time` started ends (for scheduling a timer), if any."""
        entry = self._entries.get(key)
        if entry is None or self._has_expired(event_time, entry.last_update):
            return None
        return event_time + entry.backoff

    def reset(self, key: str) -> None:
        """Forget the key (`Backoff.Reset` / `DeleteEntry`)."""
        self._entries.pop(key, None)

    def gc(self, now: float) -> None:
        """Drop entries not updated for longer than the expiry (`Backoff.GC`)."""
        for key in [k for k, e in self._entries.items() if self._has_expired(now, e.last_update)]:
            del self._entries[key]

    def __contains__(self, key: str) -> bool:
        return key in self._entries


def format_pod(name: str, namespace: str, uid: str) -> str:
    """A pod as the kubelet names it in messages: `name_namespace(uid)` (`format.Pod`)."""
    return f"{name}_{namespace}({uid})"


def backoff_message(delay: float, container: str, pod: str, namespace: str, uid: str) -> str:
    """The CrashLoopBackOff waiting message: `back-off 40s restarting failed container=...`."""
    return (
        f"back-off {format_go_duration(delay)} restarting failed "
        f"container={container} pod={format_pod(pod, namespace, uid)}"
    )


def backoff_event_message(container: str, pod: str, namespace: str, uid: str) -> str:
    """The Warning BackOff event message: `Back-off restarting failed container X in pod Y`."""
    return (
        f"Back-off restarting failed container {container} in pod {format_pod(pod, namespace, uid)}"
    )


def container_hash(container: dict) -> str:
    """A stable hash of a container spec, so that a spec change gives a new back-off key."""
    # unverified: the kubelet hashes its own Go encoding of the container (HashContainer);
    # podtui only needs the same property (changes with the spec, stable otherwise), not
    # the same number.
    canonical = json.dumps(container, sort_keys=True, separators=(",", ":"))
    return format(zlib.crc32(canonical.encode()), "x")


def stable_key(pod: dict, container: dict) -> str:
    """The back-off key: `<pod>_<namespace>_<uid>_<container>_<hash>` (`GetStableKey`)."""
    meta = pod.get("metadata") or {}
    return "_".join(
        [
            meta.get("name", ""),
            meta.get("namespace", "default"),
            meta.get("uid", ""),
            container.get("name", ""),
            container_hash(container),
        ]
    )
