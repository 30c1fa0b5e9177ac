"""ClusterIP and NodePort allocation, and the IP family fields, as the Service registry fills
them in on create and update (k/k pkg/registry/core/service/storage/alloc.go:
initIPFamilyFields, allocServiceClusterIPs, allocServiceNodePorts; storage.go:
patchAllocatedValues; ipallocator/bitmap.go and portallocator/allocator.go).

Kubernetes allocates at random: a random address in the "dynamic" upper band of the range
(ipallocator.calculateRangeOffset: the first min(max(16, size/16), 256) addresses are kept for
users who ask for a fixed IP), falling back to the lower band when the upper one is full; node
ports the same way (portallocator: a band of min(max(16, size/32), 128) ports). podtui must not
draw from the cluster's seeded generator here (every generated pod name after the draw would
change), so it picks the same bands deterministically: the start is a hash of the Service's
namespace and name, and it probes upward to the first free one. The same Service gets the same
address whatever else the cluster holds, unless that address is taken.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import AdmissionRequest
from engine.network.defaults import externally_accessible
from engine.network.validation import is_headless

if TYPE_CHECKING:
    from engine.cluster import Cluster

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORT_RANGE = (30000, 32767)
IP_FAMILY = "IPv4"

NEEDS_CLUSTER_IP = ("ClusterIP", "NodePort", "LoadBalancer")


def range_offset(size: int, low: int, high: int, step: int) -> int:
    """calculateRangeOffset: how many addresses (ports) at the start of a range are kept
    for static allocation."""
    if size < low:
        return 0
    offset = size // step
    return max(low, min(high, offset))


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _probe(start_key: str, size: int, offset: int, taken: set[int]) -> int | None:
    """The first free index at or after the key's hash, in the upper band, then the lower."""
    for low, high in ((offset, size), (0, offset)):
        span = high - low
        if span <= 0:
            continue
        first = _hash(start_key) % span
        for step in range(span):
            index = low + (first + step) % span
            if index not in taken:
                return index
    return None


# -- cluster IPs -----------------------------------------------------------------------
def _ip_base_and_size(cidr: ipaddress.IPv4Network) -> tuple[int, int]:
    """bitmap.go: the network address and (IPv4) the broadcast address are never handed out."""
    return int(cidr.network_address) + 1, cidr.num_addresses - 2


def first_service_ip(cidr: ipaddress.IPv4Network = SERVICE_CIDR) -> str:
    """The API server's own Service (`kubernetes`) takes the range's first address."""
    return str(ipaddress.ip_address(_ip_base_and_size(cidr)[0]))


def allocate_cluster_ip(
    key: str, in_use: set[str], cidr: ipaddress.IPv4Network = SERVICE_CIDR
) -> str | None:
    """A free address of the service CIDR, chosen deterministically for `key` (ns/name)."""
    base, size = _ip_base_and_size(cidr)
    taken = {int(ipaddress.ip_address(ip)) - base for ip in in_use if _in_range(ip, cidr)}
    offset = range_offset(cidr.num_addresses, 16, 256, 16)
    index = _probe(key, size, offset, taken)
    return None if index is None else str(ipaddress.ip_address(base + index))


def _in_range(ip: str, cidr: ipaddress.IPv4Network) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version != cidr.version or address not in cidr:
        return False
    return address not in (cidr.network_address, cidr.broadcast_address)


# -- node ports ------------------------------------------------------------------------
def allocate_node_port(
    key: str, in_use: set[int], port_range: tuple[int, int] = NODE_PORT_RANGE
) -> int | None:
    """A free port of the node port range, chosen deterministically for `key`."""
    low, high = port_range
    size = high - low + 1
    offset = range_offset(size, 16, 128, 32)
    index = _probe(key, size, offset, {p - low for p in in_use if low <= p <= high})
    return None if index is None else low + index


def needs_node_ports(spec: dict) -> bool:
    if spec.get("type") == "NodePort":
        return True
    return spec.get("type") == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)


def needs_health_check(spec: dict) -> bool:
    """service.NeedsHealthCheck: a LoadBalancer whose externalTrafficPolicy is Local."""
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


class ServiceAllocation:
    """The Service registry's allocation step, run as a mutating admission step (podtui's
    API server has no per-kind storage hook). Conflicts are refused as the registry refuses
    them: 422 Invalid with the allocator's words."""

    name = "ServiceRegistryAllocation"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "Service" or request.subresource:
            return
        if request.operation == "CREATE":
            self.allocate(request.obj, None)
        elif request.operation == "UPDATE":
            self.allocate(request.obj, request.old)

    # -- what other Services hold ------------------------------------------------------
    def _others(self, service: dict) -> list[dict]:
        uid = service["metadata"].get("uid")
        meta = service["metadata"]
        return [
            other
            for other in self.cluster.store.iter("Service")
            if other["metadata"].get("uid") != uid
            and (other["metadata"].get("namespace"), other["metadata"]["name"])
            != (meta.get("namespace"), meta.get("name"))
        ]

    def allocate(self, service: dict, old: dict | None) -> None:
        spec = service.setdefault("spec", {})
        meta = service["metadata"]
        name = meta.get("name") or meta.get("generateName") or ""
        key = f"{meta.get('namespace', '')}/{name}"
        old_spec = (old or {}).get("spec") or {}
        if old is not None:
            _patch_allocated_values(spec, old_spec)
        if spec.get("type") == "ExternalName":
            for field in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                spec.pop(field, None)
            return
        problems = _init_ip_family_fields(spec)
        if problems:
            raise errors.invalid("Service", name, problems)
        others = self._others(service)
        if not is_headless(spec):
            requested = spec.get("clusterIP")
            in_use = {
                ip for other in others for ip in (other.get("spec") or {}).get("clusterIPs") or []
            }
            if requested and requested != old_spec.get("clusterIP"):
                listed = f'[]string{{"{requested}"}}'
                if not _in_range(requested, SERVICE_CIDR):
                    raise errors.invalid(
                        "Service",
                        name,
                        [
                            f"spec.clusterIPs: Invalid value: {listed}: failed to allocate IP "
                            f"{requested}: the provided IP ({requested}) is not in the valid range. "
                            f"The range of valid IPs is {SERVICE_CIDR}"
                        ],
                    )
                if requested in in_use:
                    raise errors.invalid(
                        "Service",
                        name,
                        [
                            f"spec.clusterIPs: Invalid value: {listed}: failed to allocate IP "
                            f"{requested}: provided IP is already allocated"
                        ],
                    )
            elif not requested:
                address = allocate_cluster_ip(key, in_use)
                if address is None:
                    raise errors.internal_error("failed to allocate a serviceIP: range is full")
                spec["clusterIP"] = address
            spec["clusterIPs"] = [spec["clusterIP"]]
        if needs_node_ports(spec):
            self._allocate_node_ports(spec, old_spec, others, key, name)
        self._health_check_node_port(spec, old_spec, others, key)

    def _health_check_node_port(
        self, spec: dict, old_spec: dict, others: list[dict], key: str
    ) -> None:
        """allocHealthCheckNodePort / updateHealthCheckNodePort (pkg/registry/core/service/
        storage/alloc.go): a LoadBalancer with externalTrafficPolicy Local gets a node port
        for kube-proxy's health check (drop_type_dependent_fields takes it off again)."""
        if not needs_health_check(spec):
            return
        if spec.get("healthCheckNodePort"):
            return
        if needs_health_check(old_spec) and old_spec.get("healthCheckNodePort"):
            spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]
            return
        in_use = {int(p["nodePort"]) for p in spec.get("ports") or [] if p.get("nodePort")}
        for other in others:
            other_spec = other.get("spec") or {}
            in_use |= {int(p["nodePort"]) for p in other_spec.get("ports") or [] if p.get("nodePort")}
            if other_spec.get("healthCheckNodePort"):
                in_use.add(int(other_spec["healthCheckNodePort"]))
        number = allocate_node_port(f"{key}#healthCheck", in_use)
        if number is None:
            raise errors.internal_error("failed to allocate a nodePort: range is full")
        spec["healthCheckNodePort"] = number

    def _allocate_node_ports(
        self, spec: dict, old_spec: dict, others: list[dict], key: str, name: str
    ) -> None:
        in_use = {
            int(port["nodePort"])
            for other in others
            for port in (other.get("spec") or {}).get("ports") or []
            if port.get("nodePort")
        }
        # A health check node port comes from the same range.
        in_use |= {
            int((other.get("spec") or {})["healthCheckNodePort"])
            for other in others
            if (other.get("spec") or {}).get("healthCheckNodePort")
        }
        old_ports = {int(p["nodePort"]) for p in old_spec.get("ports") or [] if p.get("nodePort")}
        mine: set[int] = set()
        low, high = NODE_PORT_RANGE
        for index, port in enumerate(spec.get("ports") or []):
            requested = port.get("nodePort")
            if not requested:
                continue
            path = f"spec.ports[{index}].nodePort"
            if requested in old_ports and requested not in mine:
                mine.add(requested)
                continue
            if not low <= requested <= high:
                raise errors.invalid(
                    "Service",
                    name,
                    [
                        f"{path}: Invalid value: {requested}: provided port is not in the "
                        f"valid range. The range of valid ports is {low}-{high}"
                    ],
                )
            if requested in in_use or requested in mine:
                raise errors.invalid(
                    "Service",
                    name,
                    [f"{path}: Invalid value: {requested}: provided port is already allocated"],
                )
            mine.add(requested)
        for index, port in enumerate(spec.get("ports") or []):
            if port.get("nodePort"):
                continue
            number = allocate_node_port(f"{key}#{index}", in_use | mine)
            if number is None:
                raise errors.internal_error("failed to allocate a nodePort: range is full")
            port["nodePort"] = number
            mine.add(number)


def _init_ip_family_fields(spec: dict) -> list[str]:
    """initIPFamilyFields for a single-stack IPv4 cluster."""
    problems = []
    families = spec.get("ipFamilies") or []
    for index, family in enumerate(families):
        if family != IP_FAMILY:
            problems.append(
                f'spec.ipFamilies[{index}]: Invalid value: "{family}": not configured on this cluster'
            )
    headless_without_selector = is_headless(spec) and not spec.get("selector")
    policy = spec.get("ipFamilyPolicy")
    if policy == "RequireDualStack" and not headless_without_selector:
        problems.append(
            'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not '
            "configured for dual-stack services"
        )
    if problems:
        return problems
    if headless_without_selector:
        # The headless+selectorless special case (pkg/registry/core/service/storage/
        # alloc.go initIPFamilyFields): RequireDualStack unless asked otherwise, and unless
        # the policy is SingleStack the other family is added even on a single-stack cluster
        # ("the user is allowed to create headless services that has multi families").
        policy = spec.setdefault("ipFamilyPolicy", "RequireDualStack")
        families = list(families) or [IP_FAMILY]
        if len(families) < 2 and policy != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = families
        return []
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec["ipFamilies"] = [IP_FAMILY]
    return []


def _node_port_type(spec: dict) -> bool:
    """strategy.go needsNodePort: NodePort or LoadBalancer."""
    return spec.get("type") in ("NodePort", "LoadBalancer")


def drop_type_dependent_fields(live: dict, service: dict) -> None:
    """dropTypeDependentFields (pkg/registry/core/service/strategy.go, on update): what no
    longer applies to the new type and the client did not ask for goes, so `kubectl apply`
    can turn a NodePort Service into a ClusterIP one although its live nodePorts are merged
    back in: node ports no longer needed (if the update adds none), allocateLoadBalancer-
    NodePorts and loadBalancerClass off a LoadBalancer, externalTrafficPolicy off a Service
    that is not externally accessible, the health check node port off a Service that no
    longer needs one. (Upstream also empties status.loadBalancer, which podtui, running no
    cloud provider, never fills.)"""
    spec = service.setdefault("spec", {})
    old_spec = live.get("spec") or {}
    if _node_port_type(old_spec) and not _node_port_type(spec):
        old_ports = {p.get("nodePort") for p in old_spec.get("ports") or [] if p.get("nodePort")}
        new_ports = {p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")}
        if new_ports <= old_ports:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
    if spec.get("type") != "LoadBalancer":
        spec.pop("allocateLoadBalancerNodePorts", None)
        spec.pop("loadBalancerClass", None)
    if (
        needs_health_check(old_spec)
        and not needs_health_check(spec)
        and spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort")
    ):
        spec.pop("healthCheckNodePort", None)
    if not externally_accessible(spec):
        spec.pop("externalTrafficPolicy", None)


def _patch_allocated_values(spec: dict, old_spec: dict) -> None:
    """patchAllocatedValues: a PUT that leaves out what the registry allocated keeps it."""
    if spec.get("type") in NEEDS_CLUSTER_IP and old_spec.get("type") in NEEDS_CLUSTER_IP:
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
            spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_spec["clusterIP"]])
        for field in ("ipFamilies", "ipFamilyPolicy"):
            if not spec.get(field) and old_spec.get(field):
                spec[field] = old_spec[field]
    if needs_node_ports(spec) and needs_node_ports(old_spec):

        def used(s: dict) -> set[int]:
            return {p["nodePort"] for p in s.get("ports") or [] if p.get("nodePort")}

        taken = used(old_spec) & used(spec)
        by_name = {p.get("name", ""): p.get("nodePort") for p in old_spec.get("ports") or []}
        for port in spec.get("ports") or []:
            if not port.get("nodePort"):
                value = by_name.get(port.get("name", ""))
                if value and value not in taken:
                    port["nodePort"] = value
