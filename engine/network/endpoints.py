"""The endpoints controller: one v1 Endpoints per Service with a selector (k/k
pkg/controller/endpoint/endpoints_controller.go: syncService, addEndpointSubset,
podToEndpointAddressForService; pkg/api/v1/endpoints/util.go: RepackSubsets).

A ready pod's address goes in `addresses`, an unready one's in `notReadyAddresses`
(`publishNotReadyAddresses` puts every pod in `addresses`); a terminating pod leaves at once
unless `publishNotReadyAddresses`; a pod without an IP or in a terminal phase is left out.
"""

from __future__ import annotations

import contextlib
import math

from engine.api import errors
from engine.network.base import ServiceKey, ServicePodsController
from engine.network.podutil import (
    find_port,
    is_pod_ready,
    should_pod_be_in_endpoints,
    should_set_hostname,
)
from engine.network.validation import is_headless

HEADLESS_LABEL = "service.kubernetes.io/headless"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
# maxCapacity: an Endpoints object keeps at most 1000 addresses and is marked truncated.
MAX_CAPACITY = 1000


def endpoint_address(pod: dict, service: dict) -> dict:
    """podToEndpointAddressForService."""
    meta = pod["metadata"]
    address: dict = {"ip": pod["status"].get("podIP", "")}
    if should_set_hostname(pod, service):
        address["hostname"] = pod["spec"]["hostname"]
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        address["nodeName"] = node_name
    address["targetRef"] = {
        "kind": "Pod",
        "name": meta["name"],
        "namespace": meta.get("namespace", ""),
        "uid": meta.get("uid", ""),
    }
    return address


def endpoint_port(service_port: dict, number: int) -> dict:
    """endpointPortFromServicePort."""
    port: dict = {"port": number, "protocol": service_port.get("protocol", "TCP")}
    if service_port.get("name"):
        port["name"] = service_port["name"]
    if service_port.get("appProtocol"):
        port["appProtocol"] = service_port["appProtocol"]
    return port


def desired_subsets(service: dict, pods: list[dict]) -> list[dict]:
    """syncService's loop over the pods, then RepackSubsets.

    Kubernetes orders the repacked subsets and their ports by a hash of their contents;
    podtui orders them by their ports, which is the same for the usual single subset.
    Addresses are sorted by IP, then by the pod's uid (LessEndpointAddress).
    """
    spec = service.get("spec") or {}
    tolerate_unready = bool(spec.get("publishNotReadyAddresses"))
    # (ports tuple) -> {address key: (address, ready)}
    by_ports: dict[tuple, dict[tuple, tuple[dict, bool]]] = {}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, tolerate_unready):
            continue
        address = endpoint_address(pod, service)
        ready = tolerate_unready or is_pod_ready(pod)
        key = (address["ip"], address["targetRef"]["uid"])
        service_ports = spec.get("ports") or []
        if not service_ports:
            if is_headless(spec):
                by_ports.setdefault((), {})[key] = (address, ready)
            continue
        for service_port in service_ports:
            number = find_port(pod, service_port)
            if number is None:
                continue  # "Failed to find port for service"
            port = endpoint_port(service_port, number)
            by_ports.setdefault(_port_key(port), {})[key] = (address, ready)
    # RepackSubsets: ports offered by the same set of addresses share a subset.
    by_addresses: dict[tuple, tuple[dict[tuple, tuple[dict, bool]], list[dict]]] = {}
    for ports_key, addresses in by_ports.items():
        address_key = tuple(sorted((k, ready) for k, (_, ready) in addresses.items()))
        entry = by_addresses.setdefault(address_key, (addresses, []))
        if ports_key:
            entry[1].append(dict(ports_key))
    subsets = []
    for addresses, ports in by_addresses.values():
        ordered = sorted(addresses.items(), key=lambda item: (_ip_sort_key(item[0][0]), item[0][1]))
        subset: dict = {}
        ready = [address for _, (address, ok) in ordered if ok]
        not_ready = [address for _, (address, ok) in ordered if not ok]
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        if ports:
            subset["ports"] = sorted(ports, key=lambda p: (p.get("name", ""), p["port"]))
        subsets.append(subset)
    subsets.sort(key=lambda s: [(p.get("name", ""), p["port"]) for p in s.get("ports") or []])
    return subsets


def _port_key(port: dict) -> tuple:
    return tuple(sorted(port.items()))


def _ip_sort_key(ip: str) -> tuple:
    parts = ip.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (ip,)


def truncate(subsets: list[dict]) -> bool:
    """truncateEndpoints: past 1000 addresses, drop not-ready ones first (all of them when the
    ready ones alone are too many), each subset keeping its share, the last what is left."""
    total_ready = sum(len(s.get("addresses") or []) for s in subsets)
    total_not_ready = sum(len(s.get("notReadyAddresses") or []) for s in subsets)
    if total_ready + total_not_ready <= MAX_CAPACITY:
        return False
    truncate_ready = total_ready > MAX_CAPACITY
    limit = MAX_CAPACITY if truncate_ready else MAX_CAPACITY - total_ready
    num_total = total_ready if truncate_ready else total_not_ready
    can_be_added = limit
    field = "addresses" if truncate_ready else "notReadyAddresses"
    for index, subset in enumerate(subsets):
        in_subset = len(subset.get(field) or [])
        to_be_added = math.ceil(in_subset / num_total * limit) if num_total else 0
        if index == len(subsets) - 1:
            to_be_added = can_be_added
        to_be_added = min(to_be_added, can_be_added)
        kept = (subset.get(field) or [])[:to_be_added]
        if kept:
            subset[field] = kept
        else:
            subset.pop(field, None)
        if truncate_ready:
            subset.pop("notReadyAddresses", None)
        can_be_added -= len(kept)
    return True


def _capacity_annotation_set_correctly(endpoints: dict) -> bool:
    """capacityAnnotationSetCorrectly: never for more than 1000 addresses, else only when
    the over-capacity annotation is absent."""
    count = sum(
        len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or [])
        for s in endpoints.get("subsets") or []
    )
    if count > MAX_CAPACITY:
        return False
    return OVER_CAPACITY not in ((endpoints.get("metadata") or {}).get("annotations") or {})


class EndpointsController(ServicePodsController):
    """Writes each selecting Service's Endpoints; deletes them with the Service."""

    name = "endpoint-controller"
    service_account = "endpoint-controller"

    def sync(self, key: ServiceKey) -> None:
        namespace, name = key
        service = self.store.get("Service", namespace, name)
        current = self.store.get("Endpoints", namespace, name)
        if service is None:
            self.members.pop(key, None)
            self.forget_trigger_time(key)
            if current is not None:
                with contextlib.suppress(errors.APIError):
                    self.cluster.api.delete("Endpoints", namespace, name, user=self.user)
            return
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            # An ExternalName Service gets no Endpoints from this controller, a Service without
            # a selector gets them from whoever manages them; Endpoints written before the
            # Service changed are left as they are (syncService returns early).
            self.members.pop(key, None)
            return
        pods = self.selected_pods(service)
        self.remember(key, pods)
        # Computed before the comparison so the tracker sees every sync, as upstream.
        trigger_time = self.trigger_time(service, pods)
        subsets = desired_subsets(service, pods)
        labels = {
            k: v
            for k, v in (service["metadata"].get("labels") or {}).items()
            if k != HEADLESS_LABEL
        }
        if spec.get("clusterIP") == "None":
            labels[HEADLESS_LABEL] = ""
        if current is not None:
            # syncService compares the stored (truncated) subsets with the untruncated ones
            # and asks capacityAnnotationSetCorrectly, so an Endpoints over capacity is
            # written again at every sync.
            same = (
                (current.get("subsets") or []) == subsets
                and (current["metadata"].get("labels") or {}) == labels
                and _capacity_annotation_set_correctly(current)
            )
            if same:
                return
        truncated = truncate(subsets)
        meta: dict = {"name": name, "namespace": namespace}
        annotations = dict((current or {}).get("metadata", {}).get("annotations") or {})
        if trigger_time:
            annotations[TRIGGER_TIME] = trigger_time
        else:
            annotations.pop(TRIGGER_TIME, None)
        if truncated:
            annotations[OVER_CAPACITY] = "truncated"
        else:
            annotations.pop(OVER_CAPACITY, None)
        meta["annotations"] = annotations
        if labels:
            meta["labels"] = labels
        endpoints: dict = {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta}
        if subsets:
            endpoints["subsets"] = subsets
        try:
            if current is None:
                self.cluster.api.create(endpoints, user=self.user)
            else:
                self.cluster.api.update(endpoints, user=self.user)
        except errors.APIError:
            # A terminating namespace refuses new objects; the next change tries again.
            return
