"""The container runtime as the kubelet sees it: sandboxes and container instances.

One `ContainerInstance` is one runtime container (one attempt); the kubelet keeps the two
newest per container name (state and lastState). Its process is driven on the clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

CREATED = "created"
RUNNING = "running"
EXITED = "exited"
LOG_LINES_KEPT = 1000


@dataclass(eq=False, slots=True)
class Sandbox:
    """The pod sandbox (pause container): holds the network namespace and the pod IP."""

    id: str
    attempt: int
    ip: str | None
    created_at: float
    ready: bool = False


@dataclass(eq=False, slots=True)
class ContainerInstance:
    """One runtime container of a pod's container."""

    id: str
    name: str
    spec: dict
    init: bool
    sidecar: bool
    restart_count: int
    image: str
    image_id: str
    created_at: float
    state: str = CREATED
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    reason: str | None = None
    message: str | None = None
    process: Any = None
    timer: Any = None
    kill_timer: Any = None
    terminating: bool = False
    sandbox_id: str | None = None
    """The sandbox the instance was started in (None: not started in one)."""
    logs: deque | tuple = ()
    """The kept log lines; an empty tuple until the first line (most containers of a big
    cluster never log, and an empty bounded deque costs 600 bytes)."""

    def log(self, line: tuple) -> None:
        logs = self.logs
        if type(logs) is tuple:
            logs = self.logs = deque(maxlen=LOG_LINES_KEPT)
        logs.append(line)

    @property
    def running(self) -> bool:
        return self.state == RUNNING

    @property
    def exited(self) -> bool:
        return self.state == EXITED

    @property
    def container_id(self) -> str:
        return f"containerd://{self.id}"


class IPAllocator:
    """host-local IPAM on the node's podCIDR: next free address after the last one given."""

    def __init__(self, cidr: str) -> None:
        network, _, prefix = cidr.partition("/")
        octets = [int(o) for o in network.split(".")]
        self._base = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
        self._size = 1 << (32 - int(prefix or 24))
        self._last = 1  # .1 is the gateway; the first pod gets .2
        self._used: set[int] = set()

    def allocate(self) -> str | None:
        first, last = 2, self._size - 2  # not the network, gateway or broadcast address
        span = last - first + 1
        for step in range(1, span + 1):
            offset = first + (self._last - first + step) % span
            if offset not in self._used:
                self._used.add(offset)
                self._last = offset
                return self._format(self._base + offset)
        return None

    def release(self, ip: str | None) -> None:
        if ip is None:
            return
        octets = [int(o) for o in ip.split(".")]
        value = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
        self._used.discard(value - self._base)

    @staticmethod
    def _format(value: int) -> str:
        # Once per pod sandbox: an f-string, not a join over a generator.
        return f"{value >> 24 & 255}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
