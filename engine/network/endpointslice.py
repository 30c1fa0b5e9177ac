"""The EndpointSlice controller (k/k pkg/controller/endpointslice/endpointslice_controller.go,
staging/src/k8s.io/endpointslice/reconciler.go and utils.go: podToEndpoint,
getEndpointPorts, newEndpointSlice, setEndpointSliceLabels, getEndpointSlicePrefix).

Every pod the Service selects that has an IP and is not in a terminal phase is an endpoint,
terminating ones included, with `serving` (the pod is Ready), `terminating` (it is being
deleted) and `ready` (serving and not terminating, or always with
`publishNotReadyAddresses`). Endpoints sharing a set of ports share slices of at most 100
(`--max-endpoints-per-slice`). A Service that selects nothing gets one placeholder slice
without ports or endpoints.

The reconciler keeps an endpoint in the slice it is in, fills slices that have room before
making new ones, and turns a slice it would delete into the one it would create, so slice
names stay put. Kubernetes names a new slice `<service>-` plus five random characters; podtui
draws them from a generator of their own (seeded from the cluster's seed), not from the one
pod names come from, so adding a Service renames no pod.
"""

from __future__ import annotations

import contextlib
import random
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.validation import DNS1123_SUBDOMAIN
from engine.network.base import ServiceKey, ServicePodsController
from engine.network.endpoints import HEADLESS_LABEL, TRIGGER_TIME
from engine.network.podutil import (
    find_port,
    is_pod_ready,
    should_pod_be_in_endpoints,
    should_set_hostname,
)
from engine.store import Change
from engine.workloads.podutil import new_controller_ref

if TYPE_CHECKING:
    from engine.cluster import Cluster

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
MAX_ENDPOINTS_PER_SLICE = 100
ZONE_LABEL = "topology.kubernetes.io/zone"
# utilrand.String's alphabet: no vowels, no look-alike characters.
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def slice_prefix(service_name: str) -> str:
    """getEndpointSlicePrefix: `<name>-`, or the bare name if the dash would make it invalid."""
    prefix = f"{service_name}-"
    if len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix.rstrip("-") or "x"):
        return service_name
    return prefix


def endpoint_ports(service: dict, pod: dict) -> list[dict]:
    """getEndpointPorts: each Service port the pod has, by number (name: "" if unnamed)."""
    ports = []
    for service_port in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, service_port)
        if number is None:
            continue
        port: dict = {
            "name": service_port.get("name", ""),
            "port": number,
            "protocol": service_port.get("protocol", "TCP"),
        }
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        ports.append(port)
    return ports


def pod_to_endpoint(pod: dict, service: dict, node: dict | None) -> dict:
    """podToEndpoint."""
    meta = pod["metadata"]
    serving = is_pod_ready(pod)
    terminating = bool(meta.get("deletionTimestamp"))
    # "ready" is never true for a terminating pod unless publishNotReadyAddresses is set.
    ready = bool((service.get("spec") or {}).get("publishNotReadyAddresses")) or (
        serving and not terminating
    )
    endpoint: dict = {
        "addresses": [pod["status"]["podIP"]],
        "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
        "targetRef": {
            "kind": "Pod",
            "name": meta["name"],
            "namespace": meta.get("namespace", ""),
            "uid": meta.get("uid", ""),
        },
    }
    zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE_LABEL)
    if zone:
        endpoint["zone"] = zone
    if should_set_hostname(pod, service):
        endpoint["hostname"] = pod["spec"]["hostname"]
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
    return endpoint


def slice_labels(service: dict) -> dict:
    """setEndpointSliceLabels: the Service's labels, the headless label, service-name, managed-by."""
    labels = {
        key: value
        for key, value in (service["metadata"].get("labels") or {}).items()
        if key not in (SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL)
    }
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    labels[SERVICE_NAME_LABEL] = service["metadata"]["name"]
    labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
    return labels


def _ports_key(ports: list[dict] | None) -> tuple:
    return tuple(tuple(sorted(p.items())) for p in ports or [])


def _endpoint_key(endpoint: dict) -> str:
    return (endpoint.get("targetRef") or {}).get("uid") or endpoint["addresses"][0]


def plan_slices(
    existing: list[dict],
    desired: dict[tuple, list[dict]],
    max_per_slice: int = MAX_ENDPOINTS_PER_SLICE,
) -> tuple[list[tuple[dict | None, list[dict], list[dict] | None]], list[dict]]:
    """The reconciler's plan: (slice or None for a new one, its endpoints, its ports) to write,
    and the slices to delete. `desired` maps a ports key to the endpoints that offer them."""
    plans: list[tuple[dict | None, list[dict], list[dict] | None]] = []
    to_delete: list[dict] = []
    by_ports: dict[tuple, list[dict]] = {}
    for slice_ in existing:
        by_ports.setdefault(_ports_key(slice_.get("ports")), []).append(slice_)
    for ports_key, slices in by_ports.items():
        if ports_key not in desired:
            to_delete.extend(slices)
    for ports_key, endpoints in desired.items():
        wanted = {_endpoint_key(e): e for e in endpoints}
        placed: set[str] = set()
        kept: list[tuple[dict, list[dict]]] = []
        for slice_ in by_ports.get(ports_key, []):
            current = []
            for endpoint in slice_.get("endpoints") or []:
                key = _endpoint_key(endpoint)
                if key in wanted and key not in placed:
                    current.append(wanted[key])
                    placed.add(key)
            kept.append((slice_, current))
        remaining = [e for e in endpoints if _endpoint_key(e) not in placed]
        for _slice, current in kept:
            while remaining and len(current) < max_per_slice:
                current.append(remaining.pop(0))
        ports = [dict(p) for p in ports_key]
        for slice_, current in kept:
            if current:
                plans.append((slice_, current, ports))
            else:
                to_delete.append(slice_)
        while remaining:
            plans.append((None, remaining[:max_per_slice], ports))
            remaining = remaining[max_per_slice:]
    return plans, to_delete


class EndpointSliceController(ServicePodsController):
    """Keeps each selecting Service's EndpointSlices in step with its pods."""

    name = "endpointslice-controller"
    service_account = "endpointslice-controller"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.names = random.Random(f"podtui-endpointslice-names-{cluster.seed}")
        cluster.watch(self._on_slice, {"EndpointSlice"})

    def _on_slice(self, change: Change) -> None:
        labels = change.obj["metadata"].get("labels") or {}
        if labels.get(MANAGED_BY_LABEL) != CONTROLLER_NAME:
            return
        service = labels.get(SERVICE_NAME_LABEL)
        if service and change.type == "DELETED":
            # Someone deleted a slice: the controller writes it again.
            self.enqueue((change.obj["metadata"].get("namespace", ""), service))

    def owned_slices(self, namespace: str, name: str) -> list[dict]:
        return [
            s
            for s in self.store.list("EndpointSlice", namespace)
            if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == name
            and (s["metadata"].get("labels") or {}).get(MANAGED_BY_LABEL) == CONTROLLER_NAME
        ]

    def sync(self, key: ServiceKey) -> None:
        namespace, name = key
        service = self.store.get("Service", namespace, name)
        if service is None:
            # The slices go with the Service through their owner reference.
            self.members.pop(key, None)
            self.forget_trigger_time(key)
            return
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            # syncService returns early: this controller writes no slices for such a Service
            # and leaves the ones it wrote before the Service changed.
            self.members.pop(key, None)
            return
        existing = self.owned_slices(namespace, name)
        pods = self.selected_pods(service)
        self.remember(key, pods)
        trigger_time = self.trigger_time(service, pods)
        publish_not_ready = bool(spec.get("publishNotReadyAddresses"))
        desired: dict[tuple, list[dict]] = {}
        for pod in pods:
            if not should_pod_be_in_endpoints(pod, True):
                continue
            node = self.store.get("Node", "", (pod.get("spec") or {}).get("nodeName") or "")
            if node is None and not publish_not_ready:
                # reconcileByAddressType: a pod on a Node that is gone is left out (the
                # Service is synced again later) unless publishNotReadyAddresses asks for it.
                continue
            ports = endpoint_ports(service, pod)
            desired.setdefault(_ports_key(ports), []).append(pod_to_endpoint(pod, service, node))
        placeholder = not desired
        plans, to_delete = plan_slices(existing, desired)
        if placeholder:
            # One slice without ports or endpoints stands for the Service (placeholderSliceCompare).
            plans = [(None, [], None)]
            to_delete = list(existing)
        # finalize: a slice about to be deleted becomes the one about to be created.
        reusable = [s for s in to_delete if s.get("addressType") == "IPv4"]
        final_plans = []
        for slice_, endpoints, ports in plans:
            if slice_ is None and reusable:
                slice_ = reusable.pop(0)
                to_delete.remove(slice_)
            final_plans.append((slice_, endpoints, ports))
        labels = slice_labels(service)
        for slice_, endpoints, ports in final_plans:
            self._write(service, slice_, endpoints, ports, labels, trigger_time)
        for slice_ in to_delete:
            self._delete(slice_)

    def _write(
        self,
        service: dict,
        current: dict | None,
        endpoints: list[dict],
        ports: list[dict] | None,
        labels: dict,
        trigger_time: str,
    ) -> None:
        meta = service["metadata"]
        namespace = meta.get("namespace", "")
        body: dict = {
            "addressType": "IPv4",
            "apiVersion": "discovery.k8s.io/v1",
            "endpoints": endpoints or None,
            "kind": "EndpointSlice",
            "ports": ports or None,
        }
        owner = new_controller_ref(service)
        if current is not None:
            same = (
                current.get("endpoints") == body["endpoints"]
                and current.get("ports") == body["ports"]
                and (current["metadata"].get("labels") or {}) == labels
                and current["metadata"].get("ownerReferences") == [owner]
            )
            if same:
                return
            slice_meta = {
                "name": current["metadata"]["name"],
                "namespace": namespace,
                "generateName": current["metadata"].get("generateName"),
            }
        else:
            prefix = slice_prefix(meta["name"])
            slice_meta = {"name": self._new_name(namespace, prefix), "namespace": namespace}
            slice_meta["generateName"] = prefix
        if not slice_meta.get("generateName"):
            slice_meta.pop("generateName", None)
        slice_meta["labels"] = labels
        # addTriggerTimeAnnotation: set, or cleared when no new trigger time.
        annotations = dict((current or {}).get("metadata", {}).get("annotations") or {})
        if trigger_time:
            annotations[TRIGGER_TIME] = trigger_time
        else:
            annotations.pop(TRIGGER_TIME, None)
        slice_meta["annotations"] = annotations
        slice_meta["ownerReferences"] = [owner]
        body["metadata"] = slice_meta
        try:
            if current is None:
                self.cluster.api.create(body, user=self.user)
            else:
                self.cluster.api.update(body, user=self.user)
        except errors.APIError:
            return

    def _new_name(self, namespace: str, prefix: str) -> str:
        while True:
            suffix = "".join(self.names.choice(SUFFIX_ALPHABET) for _ in range(5))
            name = prefix + suffix
            if self.store.get("EndpointSlice", namespace, name) is None:
                return name

    def _delete(self, slice_: dict) -> None:
        meta = slice_["metadata"]
        with contextlib.suppress(errors.APIError):
            self.cluster.api.delete(
                "EndpointSlice", meta.get("namespace", ""), meta["name"], user=self.user
            )
