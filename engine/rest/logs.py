"""`GET pods/NAME/log`: what a container printed, as the kubelet serves it.

Parameters are kubectl's (`container`, `previous`, `tailLines`, `timestamps`, `follow`);
the refusals are the API server's and kubelet's words (pkg/registry/core/pod/strategy.go
`LogLocation`, pkg/kubelet/kubelet_pods.go `validateContainerLogStatus`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from engine.api import errors

if TYPE_CHECKING:
    from engine.cluster import Cluster


def _container_name(pod: dict, container: str) -> str:
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    init_names = [c["name"] for c in spec.get("initContainers") or []]
    name = pod["metadata"]["name"]
    if not container:
        if len(names) == 1:
            return names[0]
        choices = " ".join(names)
        extra = f" or one of the init containers: [{' '.join(init_names)}]" if init_names else ""
        raise errors.bad_request(
            f"a container name must be specified for pod {name}, choose one of: [{choices}]{extra}"
        )
    if container not in names and container not in init_names:
        raise errors.bad_request(f"container {container} is not valid for pod {name}")
    return container


def _instances(cluster: Cluster, pod: dict, container: str) -> list:
    kubelet = cluster.kubelets.get((pod.get("spec") or {}).get("nodeName") or "")
    if kubelet is None:
        return []
    worker = kubelet.workers.get(pod["metadata"]["uid"])
    if worker is None:
        return []
    return list(worker.instances.get(container) or [])


def _waiting_reason(pod: dict, container: str) -> str:
    status = pod.get("status") or {}
    for entry in (status.get("containerStatuses") or []) + (
        status.get("initContainerStatuses") or []
    ):
        if entry.get("name") == container:
            waiting = (entry.get("state") or {}).get("waiting")
            if waiting:
                return waiting.get("reason") or "ContainerCreating"
    return "ContainerCreating"


class LogSource:
    """One container instance's log lines, read from a position onwards."""

    def __init__(self, cluster: Cluster, instance: object, timestamps: bool) -> None:
        self.cluster = cluster
        self.instance = instance
        self.timestamps = timestamps
        self.sent = 0
        self.total_seen = 0

    def format(self, entry: tuple) -> str:
        at, _stream, line = entry
        if not self.timestamps:
            return line + "\n"
        when = self.cluster.clock.start + timedelta(seconds=at)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond * 1000:09d}Z"
        return f"{stamp} {line}\n"

    def lines(self) -> list[tuple]:
        return list(self.instance.logs)  # type: ignore[attr-defined]


def read_logs(
    cluster: Cluster,
    namespace: str,
    name: str,
    *,
    container: str = "",
    previous: bool = False,
    tail_lines: int | None = None,
    timestamps: bool = False,
) -> tuple[str, LogSource | None]:
    """The log text asked for, and its source (to follow)."""
    pod = cluster.store.get("Pod", namespace, name)
    if pod is None:
        raise errors.not_found("pods", name)
    container = _container_name(pod, container)
    instances = _instances(cluster, pod, container)
    if previous:
        instances = instances[:-1]
        if not instances:
            raise errors.bad_request(
                f'previous terminated container "{container}" in pod "{name}" not found'
            )
    if not instances:
        raise errors.bad_request(
            f'container "{container}" in pod "{name}" is waiting to start: {_waiting_reason(pod, container)}'
        )
    source = LogSource(cluster, instances[-1], timestamps)
    entries = source.lines()
    source.sent = len(entries)
    if tail_lines is not None and tail_lines >= 0:
        entries = entries[-tail_lines:] if tail_lines else []
    return "".join(source.format(e) for e in entries), source


class LogStream:
    """`follow=true`: new lines as the container prints them, until it exits."""

    def __init__(self, source: LogSource, lock: object | None = None) -> None:
        self.source = source
        self.lock = lock if lock is not None else threading.RLock()
        self.closed = False
        self.wakeup: Callable[[], None] | None = None

    def poll(self) -> tuple[list[bytes], bool]:
        """New lines since the last poll, and whether the stream is over (container exited)."""
        with self.lock:  # type: ignore[attr-defined]
            entries = self.source.lines()
            instance = self.source.instance
            # The deque keeps the newest lines only: count what scrolled off as sent.
            new = entries[self.source.sent :] if self.source.sent <= len(entries) else entries
            self.source.sent = len(entries)
            done = bool(getattr(instance, "exited", False))
        return [self.source.format(e).encode() for e in new], done

    def close(self) -> None:
        self.closed = True
