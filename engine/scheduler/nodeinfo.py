"""What the scheduler knows about a node: allocatable, what its pods request, used ports.

Rules from k8s.io/component-helpers/resource/helpers.go (`PodRequests`, sidecar-aware
`AggregateContainerRequests`), pkg/scheduler/framework/types.go (`NodeInfo`,
`PodInfo.CalculateResource`, `getNonMissingContainerRequests`), pkg/scheduler/util
(`GetHostPorts`, `DefaultMilliCPURequest`, `DefaultMemoryRequest`) and
pkg/scheduler/framework/types.go `HostPortInfo.CheckConflict`.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from engine.quantity import parse_quantity
from engine.scheduler.changes import NODE_CHANGES
from engine.tolerations import NO_EXECUTE, NO_SCHEDULE, PREFER_NO_SCHEDULE

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"

# Requests the scoring plugins assume for a container that sets none (never for fit).
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0"

HostPort = tuple[str, str, int]  # (protocol, hostIP, hostPort)
Number = int | Fraction


def is_scalar_resource_name(name: str) -> bool:
    """Extended (`vendor/x`), `kubernetes.io/` prefixed, hugepages-* and attachable-volumes-*."""
    if name.startswith(("hugepages-", "attachable-volumes-")):
        return True
    # Any name with a slash is either prefixed-native (kubernetes.io/...) or extended;
    # `requests.`-prefixed names are quota names, never extended resources.
    return "/" in name and not name.startswith("requests.")


@lru_cache(maxsize=8192)
def _units(name: str, value: Any) -> Number:
    """A quantity in the scheduler's unit for the resource: millicores for cpu, else units."""
    q = parse_quantity(value) * 1000 if name == CPU else parse_quantity(value)
    return q.numerator if q.denominator == 1 else q


def _ceil(x: Number) -> int:
    """Quantity.MilliValue()/Value() round up."""
    return int(-(-x // 1))


def _container_requests(container: Mapping[str, Any]) -> dict[str, Number]:
    resources = container.get("resources") or {}
    requests = resources.get("requests") or {}
    limits = resources.get("limits") or {}
    out = {name: _units(name, value) for name, value in requests.items()}
    # API defaulting (SetDefaults_Pod) copies a limit into a missing request; applied
    # here too so a pod that skipped defaulting is counted as the API server would store it.
    for name, value in limits.items():
        if name not in out:
            out[name] = _units(name, value)
    return out


def _add_into(total: dict[str, Number], extra: Mapping[str, Number]) -> None:
    for name, value in extra.items():
        total[name] = total.get(name, 0) + value


def _max_into(total: dict[str, Number], other: Mapping[str, Number]) -> None:
    for name, value in other.items():
        if name not in total or value > total[name]:
            total[name] = value


def _with_non_missing(requests: dict[str, Number], defaults: Mapping[str, Number]) -> dict:
    out = dict(requests)
    for name, value in defaults.items():
        if name not in requests:
            out[name] = value
    return out


_POD_LEVEL_RESOURCES = (CPU, MEMORY)


def _pod_level_requests(spec: Mapping[str, Any]) -> dict[str, Any]:
    """spec.resources.requests entries the PodLevelResources feature honours."""
    requests = (spec.get("resources") or {}).get("requests") or {}
    return {
        name: value
        for name, value in requests.items()
        if name in _POD_LEVEL_RESOURCES or name.startswith("hugepages-")
    }


def _aggregate(pod: Mapping[str, Any], defaults: Mapping[str, Number] | None) -> dict:
    """PodRequests: max(Σ containers + Σ sidecars, max over init containers of (init +
    sidecars started before it)), then pod-level requests, then overhead. With
    `defaults`, a container missing one of those resources counts it at that value."""
    spec = pod.get("spec") or {}
    result: dict[str, Number] = {}
    for container in spec.get("containers") or ():
        reqs = _container_requests(container)
        _add_into(result, _with_non_missing(reqs, defaults) if defaults else reqs)
    sidecars: dict[str, Number] = {}
    init_peak: dict[str, Number] = {}
    for container in spec.get("initContainers") or ():
        reqs = _container_requests(container)
        if defaults:
            reqs = _with_non_missing(reqs, defaults)
        if container.get("restartPolicy") == "Always":
            # A sidecar keeps running: it adds to the steady state and to every later init.
            _add_into(result, reqs)
            _add_into(sidecars, reqs)
            _max_into(init_peak, sidecars)
        else:
            running = dict(reqs)
            _add_into(running, sidecars)
            _max_into(init_peak, running)
    _max_into(result, init_peak)
    for name, value in _pod_level_requests(spec).items():
        result[name] = _units(name, value)
    for name, value in (spec.get("overhead") or {}).items():
        result[name] = result.get(name, 0) + _units(name, value)
    return result


def pod_requests(pod: Mapping[str, Any]) -> dict[str, int]:
    """The pod's effective requests (cpu in millicores, others in bytes/units); a resource
    nobody asked for is absent, one asked for as 0 is present with 0."""
    return {name: _ceil(value) for name, value in _aggregate(pod, None).items()}


_NON_MISSING: dict[str, Number] = {CPU: DEFAULT_MILLI_CPU_REQUEST, MEMORY: DEFAULT_MEMORY_REQUEST}


def _non_zero(pod: Mapping[str, Any], requests: Mapping[str, Number]) -> tuple[int, int]:
    defaults: Mapping[str, Number] = _NON_MISSING
    if _pod_level_requests(pod.get("spec") or {}):
        # With pod-level requests, a default only fills a resource nobody requested.
        defaults = {k: v for k, v in _NON_MISSING.items() if k not in requests}
    totals = _aggregate(pod, defaults) if defaults else requests
    return _ceil(totals.get(CPU, 0)), _ceil(totals.get(MEMORY, 0))


def pod_non_zero_requests(pod: Mapping[str, Any]) -> tuple[int, int]:
    """(millicpu, memory) for scoring: containers without a cpu/memory request count as
    100m / 200Mi (an explicit 0 stays 0)."""
    return _non_zero(pod, _aggregate(pod, None))


@dataclass(frozen=True, slots=True)
class PodResources:
    """Everything a pod takes from a node's capacity, computed once per pod."""

    milli_cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0
    scalar: tuple[tuple[str, int], ...] = ()
    non_zero_milli_cpu: int = 0
    non_zero_memory: int = 0

    def is_zero(self) -> bool:
        """No request at all (NodeResourcesFit then only checks the pod count)."""
        return not (self.milli_cpu or self.memory or self.ephemeral_storage or self.scalar)


def _compute_pod_resources(pod: Mapping[str, Any]) -> PodResources:
    exact = _aggregate(pod, None)
    requests = {name: _ceil(value) for name, value in exact.items()}
    scalar = tuple(sorted((n, v) for n, v in requests.items() if is_scalar_resource_name(n)))
    non_zero_cpu, non_zero_memory = _non_zero(pod, exact)
    return PodResources(
        milli_cpu=requests.get(CPU, 0),
        memory=requests.get(MEMORY, 0),
        ephemeral_storage=requests.get(EPHEMERAL_STORAGE, 0),
        scalar=scalar,
        non_zero_milli_cpu=non_zero_cpu,
        non_zero_memory=non_zero_memory,
    )


def spec_key(parts: tuple) -> bytes:
    """A cache key for plain API data: equal keys mean equal data (marshal is decodable);
    equal data may still differ in key (dict order, shared strings), which only costs a
    cache miss. marshal is several times cheaper than repr; repr covers odd values."""
    try:
        return marshal.dumps(parts)
    except ValueError:
        return repr(parts).encode()


def resources_key(spec: Mapping[str, Any]) -> bytes:
    """Everything in a pod spec that PodRequests reads, as one comparable key."""
    return spec_key(
        (
            [c.get("resources") for c in spec.get("containers") or ()],
            [
                (c.get("resources"), c.get("restartPolicy"))
                for c in spec.get("initContainers") or ()
            ],
            spec.get("resources"),
            spec.get("overhead"),
        )
    )


RESOURCES_MEMO_LIMIT = 4096
"""A memo of a pure function: past this many shapes it starts over (only slower)."""
_RESOURCES_MEMO: dict[bytes, PodResources] = {}


def pod_resources(pod: Mapping[str, Any]) -> PodResources:
    """The pod's requests in the scheduler's `Resource` shape, plus non-zero cpu/memory."""
    key = resources_key(pod.get("spec") or {})
    res = _RESOURCES_MEMO.get(key)
    if res is None:
        # Replicas share their template's resources: most pods are a lookup, not a sum.
        if len(_RESOURCES_MEMO) >= RESOURCES_MEMO_LIMIT:
            _RESOURCES_MEMO.clear()
        res = _RESOURCES_MEMO[key] = _compute_pod_resources(pod)
    return res


def pod_host_ports(pod: Mapping[str, Any]) -> list[HostPort]:
    """Host ports of the containers and of the sidecars (init containers that keep
    running); an empty hostIP is 0.0.0.0 and an empty protocol TCP."""
    spec = pod.get("spec") or {}
    containers = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    containers += list(spec.get("containers") or ())
    ports = []
    for container in containers:
        for port in container.get("ports") or ():
            host_port = int(port.get("hostPort") or 0)
            if host_port > 0:
                ip = port.get("hostIP") or DEFAULT_BIND_ALL_HOST_IP
                ports.append((port.get("protocol") or "TCP", ip, host_port))
    return ports


def host_port_conflicts(used: set[HostPort], protocol: str, ip: str, port: int) -> bool:
    """HostPortInfo.CheckConflict: 0.0.0.0 conflicts with the same port on any IP."""
    if port <= 0:
        return False
    protocol = protocol or "TCP"
    ip = ip or DEFAULT_BIND_ALL_HOST_IP
    if ip == DEFAULT_BIND_ALL_HOST_IP:
        return any(p == protocol and n == port for p, _, n in used)
    return (protocol, ip, port) in used or (protocol, DEFAULT_BIND_ALL_HOST_IP, port) in used


def pod_key(pod: Mapping[str, Any]) -> str:
    """The key NodeInfo tracks a pod by: its UID, or namespace/name when it has none."""
    metadata = pod.get("metadata") or {}
    return metadata.get("uid") or f"{metadata.get('namespace', 'default')}/{metadata.get('name')}"


def _allocatable(node: Mapping[str, Any]) -> tuple[int, int, int, int, dict[str, int]]:
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    cpu = memory = ephemeral = pods = 0
    scalar: dict[str, int] = {}
    for name, value in allocatable.items():
        amount = _ceil(_units(name, value))
        if name == CPU:
            cpu = amount
        elif name == MEMORY:
            memory = amount
        elif name == EPHEMERAL_STORAGE:
            ephemeral = amount
        elif name == PODS:
            pods = amount
        elif is_scalar_resource_name(name):
            scalar[name] = amount
    return cpu, memory, ephemeral, pods, scalar


class NodeInfo:
    """Node-level aggregate the filters and scores read. Pods count until removed,
    terminating or not. After changing the Node object call `set_node`."""

    __slots__ = (
        "_contributions",
        "allocatable_ephemeral_storage",
        "allocatable_memory",
        "allocatable_milli_cpu",
        "allocatable_scalar",
        "allowed_pod_number",
        "hard_taints",
        "labels",
        "name",
        "node",
        "non_zero_requested_memory",
        "non_zero_requested_milli_cpu",
        "pods",
        "requested_ephemeral_storage",
        "requested_memory",
        "requested_milli_cpu",
        "requested_scalar",
        "soft_taints",
        "unschedulable",
        "used_host_ports",
    )

    def __init__(self, node: dict) -> None:
        self.pods: dict[str, dict] = {}
        self._contributions: dict[str, tuple[PodResources, list[HostPort]]] = {}
        self.requested_milli_cpu = 0
        self.requested_memory = 0
        self.requested_ephemeral_storage = 0
        self.requested_scalar: dict[str, int] = {}
        self.non_zero_requested_milli_cpu = 0
        self.non_zero_requested_memory = 0
        self.used_host_ports: set[HostPort] = set()
        self.name = ""
        self.set_node(node)

    def set_node(self, node: dict) -> None:
        """Take a new version of the Node object (labels, taints, allocatable...)."""
        first = not hasattr(self, "node")
        before = None if first else self._scheduling_view()
        self.node = node
        metadata = node.get("metadata") or {}
        spec = node.get("spec") or {}
        self.name: str = metadata.get("name", "")
        self.labels: dict[str, str] = metadata.get("labels") or {}
        self.unschedulable = bool(spec.get("unschedulable"))
        taints = spec.get("taints") or []
        self.hard_taints = [t for t in taints if t.get("effect") in (NO_SCHEDULE, NO_EXECUTE)]
        self.soft_taints = [t for t in taints if t.get("effect") == PREFER_NO_SCHEDULE]
        (
            self.allocatable_milli_cpu,
            self.allocatable_memory,
            self.allocatable_ephemeral_storage,
            self.allowed_pod_number,
            self.allocatable_scalar,
        ) = _allocatable(node)
        # A status write (heartbeat, images, conditions) changes nothing the filters and
        # scores read: the scheduler's answers for this node stay valid.
        if first or self._scheduling_view() != before:
            self._changed()

    def _scheduling_view(self) -> tuple:
        """Every node field the filters and scores read (the pods' part aside)."""
        return (
            self.name,
            self.labels,
            self.unschedulable,
            self.hard_taints,
            self.soft_taints,
            self.allocatable_milli_cpu,
            self.allocatable_memory,
            self.allocatable_ephemeral_storage,
            self.allowed_pod_number,
            self.allocatable_scalar,
        )

    @property
    def pod_count(self) -> int:
        """How many pods the node holds (NodeResourcesFit's `len(nodeInfo.Pods)`)."""
        return len(self._contributions)

    def add_pod(self, pod: dict, resources: PodResources | None = None) -> None:
        """Count a pod bound (or assumed) to this node; re-adding a pod replaces it."""
        key = pod_key(pod)
        if key in self._contributions:
            self._remove_key(key)
        res = resources if resources is not None else pod_resources(pod)
        ports = pod_host_ports(pod)
        self.pods[key] = pod
        self._contributions[key] = (res, ports)
        self._apply(res, 1)
        self.used_host_ports.update(ports)
        self._changed()

    def remove_pod(self, pod: dict) -> None:
        """Stop counting a pod; KeyError if the node does not hold it."""
        key = pod_key(pod)
        if key not in self._contributions:
            raise KeyError(f"no corresponding pod {key} in pods of node {self.name}")
        self._remove_key(key)
        self._changed()

    def has_pod(self, pod: dict) -> bool:
        """Whether the node counts this pod."""
        return pod_key(pod) in self._contributions

    def _remove_key(self, key: str) -> None:
        res, ports = self._contributions.pop(key)
        del self.pods[key]
        self._apply(res, -1)
        # Like upstream's HostPortInfo (a set), removing a pod frees its ports outright.
        self.used_host_ports.difference_update(ports)

    def _apply(self, res: PodResources, sign: int) -> None:
        self.requested_milli_cpu += sign * res.milli_cpu
        self.requested_memory += sign * res.memory
        self.requested_ephemeral_storage += sign * res.ephemeral_storage
        for name, amount in res.scalar:
            self.requested_scalar[name] = self.requested_scalar.get(name, 0) + sign * amount
        self.non_zero_requested_milli_cpu += sign * res.non_zero_milli_cpu
        self.non_zero_requested_memory += sign * res.non_zero_memory

    def _changed(self) -> None:
        # The scheduler's per-node answers (engine/scheduler/snapshot.py) read this log.
        NODE_CHANGES.append(self)

    def __repr__(self) -> str:
        return (
            f"NodeInfo({self.name!r}, pods={self.pod_count}, "
            f"cpu={self.requested_milli_cpu}m/{self.allocatable_milli_cpu}m, "
            f"memory={self.requested_memory}/{self.allocatable_memory})"
        )
