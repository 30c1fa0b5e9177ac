"""`kubectl describe node`: describeNode and describeNodeResource."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING

from engine.describe.common import (
    canonical_quantity,
    describe_events,
    format_quantity,
    go_bool,
    print_annotations,
    print_labels,
    print_taints,
    quantity_format,
    rfc1123z,
    since,
)
from engine.describe.writer import LEVEL_0, LEVEL_1, PrefixWriter
from engine.quantity import QuantityError, parse_quantity

if TYPE_CHECKING:
    from engine.cluster import Cluster

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_LABEL_ROLE = "kubernetes.io/role"
NODE_LEASE_NAMESPACE = "kube-node-lease"
STANDARD_RESOURCES = {"cpu", "memory", "ephemeral-storage", "storage", "pods"}


def describe_node(cluster: Cluster, node: dict) -> str:
    """The text of `kubectl describe node NAME`: its pods, lease and events included."""
    name = node["metadata"]["name"]
    pods = [
        p
        for p in cluster.store.list("Pod")
        if (p.get("spec") or {}).get("nodeName") == name
        and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]
    lease = cluster.store.get("Lease", NODE_LEASE_NAMESPACE, name)
    return node_description(node, pods, lease, node_events(cluster, node), cluster.now_datetime())


def node_events(cluster: Cluster, node: dict) -> list[dict]:
    """Events about a node: by its UID (controllers) or its name as UID (the kubelet)."""
    meta = node["metadata"]
    uids = {meta.get("uid"), meta["name"], None, ""}
    found = []
    for event in cluster.store.list("Event"):
        involved = event.get("involvedObject") or {}
        if (
            involved.get("kind") == "Node"
            and involved.get("name") == meta["name"]
            and involved.get("uid") in uids
        ):
            found.append(event)
    return found


def find_node_roles(node: dict) -> list[str]:
    """findNodeRoles: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`."""
    roles = set()
    for key, value in ((node.get("metadata") or {}).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX):
            role = key[len(NODE_ROLE_PREFIX) :]
            if role:
                roles.add(role)
        elif key == NODE_LABEL_ROLE and value:
            roles.add(value)
    return sorted(roles)


def node_description(
    node: dict,
    pods: list[dict] | None,
    lease: dict | None,
    events: list[dict] | None,
    now: datetime,
) -> str:
    """describeNode for a node, its non-terminated pods (None: not authorized) and events."""
    meta = node.get("metadata") or {}
    spec = node.get("spec") or {}
    status = node.get("status") or {}
    w = PrefixWriter()
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    roles = find_node_roles(node)
    w.write(LEVEL_0, f"Roles:\t{','.join(roles) if roles else '<none>'}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    print_taints(w, "Taints", spec.get("taints"))
    w.write(LEVEL_0, f"Unschedulable:\t{go_bool(spec.get('unschedulable'))}\n")
    _lease(w, lease, meta.get("name", ""))
    conditions = status.get("conditions") or []
    if conditions:
        w.write(
            LEVEL_0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        )
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{c.get('type', '')} \t{c.get('status', '')} \t"
                f"{rfc1123z(c.get('lastHeartbeatTime'))} \t{rfc1123z(c.get('lastTransitionTime'))} \t"
                f"{c.get('reason', '')} \t{c.get('message', '')}\n",
            )
    w.write(LEVEL_0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(LEVEL_1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for field, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        values = status.get(field) or {}
        if values:
            w.write(LEVEL_0, f"{title}:\n")
            for resource in sorted(values):
                w.write(LEVEL_0, f"  {resource}:\t{canonical_quantity(values[resource])}\n")
    info = status.get("nodeInfo") or {}
    w.write(LEVEL_0, "System Info:\n")
    for key, title in (
        ("machineID", "Machine ID"),
        ("systemUUID", "System UUID"),
        ("bootID", "Boot ID"),
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("operatingSystem", "Operating System"),
        ("architecture", "Architecture"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
    ):
        w.write(LEVEL_0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(LEVEL_0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(LEVEL_0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(LEVEL_0, f"ProviderID:\t{spec['providerID']}\n")
    if pods is not None:
        _node_resources(w, node, pods, now)
    else:
        w.write(LEVEL_0, "Pods:\tnot authorized\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def _lease(w: PrefixWriter, lease: dict | None, name: str) -> None:
    if lease is None:
        w.write(
            LEVEL_0,
            f'Lease:\tFailed to get lease: leases.coordination.k8s.io "{name}" not found\n',
        )
        return
    spec = lease.get("spec") or {}
    w.write(LEVEL_0, "Lease:\n")
    w.write(LEVEL_1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    acquire = rfc1123z(spec["acquireTime"]) if spec.get("acquireTime") else "<unset>"
    w.write(LEVEL_1, f"AcquireTime:\t{acquire}\n")
    renew = rfc1123z(spec["renewTime"]) if spec.get("renewTime") else "<unset>"
    w.write(LEVEL_1, f"RenewTime:\t{renew}\n")


# -- requests and limits -----------------------------------------------------------------------
class _Sum:
    """Quantities per resource, keeping the format of the first one added (Quantity.Add)."""

    def __init__(self) -> None:
        self.amounts: dict[str, Fraction] = {}
        self.formats: dict[str, str] = {}

    def add(self, resource: str, value: object) -> None:
        try:
            amount = parse_quantity(value)  # type: ignore[arg-type]
        except QuantityError:
            return
        self.amounts[resource] = self.amounts.get(resource, Fraction(0)) + amount
        self.formats.setdefault(resource, quantity_format(value))

    def max_with(self, other: _Sum) -> None:
        for resource, amount in other.amounts.items():
            if amount > self.amounts.get(resource, Fraction(0)):
                self.amounts[resource] = amount
                self.formats.setdefault(resource, other.formats[resource])

    def text(self, resource: str) -> str:
        return format_quantity(
            self.amounts.get(resource, Fraction(0)), self.formats.get(resource, "DecimalSI")
        )

    def amount(self, resource: str) -> Fraction:
        return self.amounts.get(resource, Fraction(0))


def pod_resources(pod: dict, field: str) -> _Sum:
    """resourcehelper.PodRequests / PodLimits: regular containers and sidecars add up; an
    init container counts on its own, with the sidecars started before it."""
    spec = pod.get("spec") or {}
    total = _Sum()
    sidecars = _Sum()
    init_peak = _Sum()
    for container in spec.get("initContainers") or []:
        values = (container.get("resources") or {}).get(field) or {}
        if container.get("restartPolicy") == "Always":
            for resource, value in values.items():
                sidecars.add(resource, value)
            continue
        candidate = _Sum()
        for resource, value in values.items():
            candidate.add(resource, value)
        for resource, amount in sidecars.amounts.items():
            candidate.amounts[resource] = candidate.amount(resource) + amount
            candidate.formats.setdefault(resource, sidecars.formats[resource])
        init_peak.max_with(candidate)
    for container in spec.get("containers") or []:
        for resource, value in ((container.get("resources") or {}).get(field) or {}).items():
            total.add(resource, value)
    for resource, amount in sidecars.amounts.items():
        total.amounts[resource] = total.amount(resource) + amount
        total.formats.setdefault(resource, sidecars.formats[resource])
    total.max_with(init_peak)
    for resource, value in (spec.get("overhead") or {}).items():
        total.add(resource, value)
    return total


def _percent(part: Fraction, whole: Fraction) -> int:
    if whole == 0:
        return 0
    return int(part / whole * 100)


def _node_resources(w: PrefixWriter, node: dict, pods: list[dict], now: datetime) -> None:
    """describeNodeResource: each pod's requests and limits, then the node's totals."""
    status = node.get("status") or {}
    allocatable_raw = status.get("allocatable") or status.get("capacity") or {}
    allocatable = {}
    for resource, value in allocatable_raw.items():
        try:
            allocatable[resource] = parse_quantity(value)
        except QuantityError:
            allocatable[resource] = Fraction(0)
    cpu = allocatable.get("cpu", Fraction(0))
    memory = allocatable.get("memory", Fraction(0))
    w.write(LEVEL_0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(
        LEVEL_1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    )
    w.write(
        LEVEL_1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    )
    requests_total = _Sum()
    limits_total = _Sum()
    for pod in pods:
        requests = pod_resources(pod, "requests")
        limits = pod_resources(pod, "limits")
        for resource, amount in requests.amounts.items():
            requests_total.amounts[resource] = requests_total.amount(resource) + amount
            requests_total.formats.setdefault(resource, requests.formats[resource])
        for resource, amount in limits.amounts.items():
            limits_total.amounts[resource] = limits_total.amount(resource) + amount
            limits_total.formats.setdefault(resource, limits.formats[resource])
        meta = pod.get("metadata") or {}
        w.write(
            LEVEL_1,
            f"{meta.get('namespace', '')}\t{meta.get('name', '')}\t\t"
            f"{requests.text('cpu')} ({_percent(requests.amount('cpu'), cpu)}%)\t"
            f"{limits.text('cpu')} ({_percent(limits.amount('cpu'), cpu)}%)\t"
            f"{requests.text('memory')} ({_percent(requests.amount('memory'), memory)}%)\t"
            f"{limits.text('memory')} ({_percent(limits.amount('memory'), memory)}%)\t"
            f"{since(meta.get('creationTimestamp'), now)}\n",
        )
    w.write(
        LEVEL_0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    )
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n")
    w.write(LEVEL_1, "--------\t--------\t------\n")
    for resource in ("cpu", "memory", "ephemeral-storage"):
        whole = allocatable.get(resource, Fraction(0))
        w.write(
            LEVEL_1,
            f"{resource}\t{requests_total.text(resource)} ({_percent(requests_total.amount(resource), whole)}%)\t"
            f"{limits_total.text(resource)} ({_percent(limits_total.amount(resource), whole)}%)\n",
        )
    huge_pages = sorted(r for r in allocatable if r.startswith("hugepages-"))
    extended = sorted(
        r
        for r in allocatable
        if not r.startswith("hugepages-")
        and r not in STANDARD_RESOURCES
        and not r.startswith("requests.")
        and not r.startswith("limits.")
    )
    for resource in huge_pages:
        whole = allocatable[resource]
        w.write(
            LEVEL_1,
            f"{resource}\t{requests_total.text(resource)} ({_percent(requests_total.amount(resource), whole)}%)\t"
            f"{limits_total.text(resource)} ({_percent(limits_total.amount(resource), whole)}%)\n",
        )
    for resource in extended:
        w.write(
            LEVEL_1,
            f"{resource}\t{requests_total.text(resource)}\t{limits_total.text(resource)}\n",
        )


# -- the console's Nodes pane: PODS, CPU, MEM --------------------------------------------------
@dataclass(frozen=True)
class NodeAllocation:
    """What `kubectl describe node` says under Non-terminated Pods and Allocated resources,
    as three cells: `4/110`, `850m (21%)`, `1152Mi (14%)` (requests against allocatable)."""

    pods: str
    cpu: str
    memory: str


def is_non_terminated(pod: dict) -> bool:
    """describe node's field selector: status.phase!=Succeeded,status.phase!=Failed."""
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def pods_by_node(pods: Iterable[dict]) -> dict[str, list[dict]]:
    """Non-terminated pods bound to each node, as describe node lists them."""
    found: dict[str, list[dict]] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if node and is_non_terminated(pod):
            found.setdefault(node, []).append(pod)
    return found


def node_allocation(node: dict, pods: list[dict]) -> NodeAllocation:
    """The node's requests against its allocatable, summed as describeNodeResource does."""
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    requests = _Sum()
    for pod in pods:
        pod_requests = pod_resources(pod, "requests")
        for resource, amount in pod_requests.amounts.items():
            requests.amounts[resource] = requests.amount(resource) + amount
            requests.formats.setdefault(resource, pod_requests.formats[resource])

    def whole(resource: str) -> Fraction:
        try:
            return parse_quantity(allocatable.get(resource, 0))
        except QuantityError:
            return Fraction(0)

    cells = [
        f"{requests.text(r)} ({_percent(requests.amount(r), whole(r))}%)" for r in ("cpu", "memory")
    ]
    capacity = allocatable.get("pods")
    return NodeAllocation(
        f"{len(pods)}/{capacity}" if capacity is not None else str(len(pods)), *cells
    )
