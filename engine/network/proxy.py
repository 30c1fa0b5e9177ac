"""Where a connection from inside a pod goes: cluster DNS (CoreDNS's kubernetes plugin) and
kube-proxy's Service rules, read from the EndpointSlices as kube-proxy reads them.

- DNS: `NAME`, `NAME.NS`, `NAME.NS.svc` and `NAME.NS.svc.cluster.local` (the pod's resolv.conf
  search path is `NS.svc.cluster.local svc.cluster.local cluster.local`) name a Service; a
  Service with a ClusterIP resolves to it, a headless one to its ready endpoints' addresses,
  and `HOSTNAME.SUBDOMAIN...` to a pod of a headless Service. A `*.svc.cluster.local` name
  that names nothing does not resolve. Other names are not the cluster's business (None).
- kube-proxy: a ClusterIP and a Service port lead to one of the ready endpoints on its target
  port (the terminating-but-serving ones when none is ready, as kube-proxy falls back since
  1.26); with no endpoint the connection is refused (kube-proxy installs a REJECT rule).
  kube-proxy picks an endpoint at random; podtui takes them in turn (round robin per Service),
  so that a run stays deterministic without drawing from the cluster's generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.network.endpointslice import SERVICE_NAME_LABEL

if TYPE_CHECKING:
    from engine.cluster import Cluster

CLUSTER_DOMAIN = "cluster.local"


@dataclass(frozen=True)
class Route:
    """Where a connection to (host, port) lands.

    `process`: the backend container's process (None: refused, or unresolved); `port`: the
    port it is reached on; `address`: the IP the client connected to; `error`:
    "bad address" when the name does not resolve.
    """

    process: Any
    port: int
    address: str = ""
    error: str | None = None

    @property
    def refused(self) -> bool:
        return self.error is None and (
            self.process is None or self.port not in self.process.listening
        )


@dataclass(frozen=True)
class Backend:
    namespace: str
    pod: str
    uid: str
    address: str
    port: int


class KubeProxy:
    """Service routing for the cluster's pods."""

    name = "kube-proxy"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._turn: dict[tuple[str, str, int], int] = {}

    # -- DNS ---------------------------------------------------------------------------
    def lookup(self, namespace: str, host: str) -> tuple[dict | None, dict | None] | None:
        """(service, pod) a name means from a pod in `namespace`; None when it is not a
        cluster name; (None, None) for a cluster name that does not exist."""
        name = host.rstrip(".").lower()
        store = self.cluster.store
        for service in store.iter("Service"):
            spec = service.get("spec") or {}
            if name in (spec.get("clusterIPs") or []):
                return service, None
        suffix = f".svc.{CLUSTER_DOMAIN}"
        if name.endswith(suffix):
            labels = name[: -len(suffix)].split(".")
            fqdn = True
        elif name.endswith(".svc"):
            labels = name[: -len(".svc")].split(".")
            fqdn = True
        else:
            labels = name.split(".")
            fqdn = False
            if len(labels) == 1:
                labels = [labels[0], namespace]
            elif len(labels) == 2 and store.get("Namespace", "", labels[1]) is None:
                # HOSTNAME.SUBDOMAIN through the search path, or not a cluster name at all.
                labels = [labels[0], labels[1], namespace]
        if len(labels) == 2:
            service = store.get("Service", labels[1], labels[0])
            if service is not None:
                return service, None
        elif len(labels) == 3:
            service = store.get("Service", labels[2], labels[1])
            if service is not None and (service.get("spec") or {}).get("clusterIP") == "None":
                pod = self._pod_by_hostname(service, labels[0])
                if pod is not None:
                    return service, pod
        return (None, None) if fqdn else None

    def _pod_by_hostname(self, service: dict, hostname: str) -> dict | None:
        for endpoint in self._endpoints(service, ready_only=False):
            if endpoint.get("hostname") == hostname:
                ref = endpoint.get("targetRef") or {}
                return self.cluster.store.get("Pod", ref.get("namespace", ""), ref.get("name", ""))
        return None

    def _slices(self, service: dict) -> list[dict]:
        meta = service["metadata"]
        return [
            s
            for s in self.cluster.store.list("EndpointSlice", meta.get("namespace", ""))
            if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == meta["name"]
        ]

    def _endpoints(self, service: dict, ready_only: bool = True) -> list[dict]:
        out = []
        for slice_ in self._slices(service):
            for endpoint in slice_.get("endpoints") or []:
                if not ready_only or (endpoint.get("conditions") or {}).get("ready", True):
                    out.append(endpoint)
        return out

    # -- kube-proxy --------------------------------------------------------------------
    def backends(self, service: dict, port: int) -> list[Backend]:
        """The endpoints a connection to the Service's `port` may land on, in order."""
        spec = service.get("spec") or {}
        headless = spec.get("clusterIP") == "None"
        service_port = next((p for p in spec.get("ports") or [] if p.get("port") == port), None)
        if service_port is None and not headless:
            return []
        candidates: list[Backend] = []
        fallback: list[Backend] = []
        for slice_ in self._slices(service):
            target = port
            if not headless:
                ports = [
                    p
                    for p in slice_.get("ports") or []
                    if p.get("name", "") == service_port.get("name", "")
                ]
                if not ports:
                    continue
                target = int(ports[0]["port"])
            for endpoint in slice_.get("endpoints") or []:
                conditions = endpoint.get("conditions") or {}
                ref = endpoint.get("targetRef") or {}
                backend = Backend(
                    ref.get("namespace", ""),
                    ref.get("name", ""),
                    ref.get("uid", ""),
                    endpoint["addresses"][0],
                    target,
                )
                if conditions.get("ready", True):
                    candidates.append(backend)
                elif conditions.get("serving") and conditions.get("terminating"):
                    fallback.append(backend)
        return candidates or fallback

    def route(self, client: dict, host: str, port: int) -> Route | None:
        """Where a connection from pod `client` to host:port lands; None when host is not a
        cluster name or address."""
        namespace = client["metadata"].get("namespace", "")
        found = self.lookup(namespace, host)
        if found is None:
            return self._route_to_pod_ip(host, port)
        service, pod = found
        if service is None:
            return Route(None, port, error="bad address")
        if pod is not None:
            return Route(self._process(pod, port), port, pod["status"].get("podIP", ""))
        if (service.get("spec") or {}).get("type") == "ExternalName":
            return None
        return self._through_service(service, port)

    def _through_service(self, service: dict, port: int) -> Route:
        spec = service.get("spec") or {}
        backends = self.backends(service, port)
        address = spec.get("clusterIP", "")
        if spec.get("clusterIP") == "None":
            if not backends:
                return Route(None, port, error="bad address")
            address = backends[0].address
        if not backends:
            return Route(None, port, address)
        meta = service["metadata"]
        key = (meta.get("namespace", ""), meta["name"], port)
        turn = self._turn.get(key, 0)
        self._turn[key] = turn + 1
        backend = backends[turn % len(backends)]
        pod = self.cluster.store.get("Pod", backend.namespace, backend.pod)
        if pod is None or pod["metadata"].get("uid") != backend.uid:
            return Route(None, backend.port, address)
        return Route(self._process(pod, backend.port), backend.port, address)

    def route_from_node(self, host: str, port: int) -> Route | None:
        """Where a connection from a node (the kubelet's httpGet or tcpSocket probe with a
        `host`) lands: a ClusterIP through kube-proxy's rules, or a pod IP. The node's
        resolver does not know cluster names, so names are not looked up here (None)."""
        for service in self.cluster.store.iter("Service"):
            spec = service.get("spec") or {}
            if host in (spec.get("clusterIPs") or []) and spec.get("clusterIP") != "None":
                return self._through_service(service, port)
        return self._route_to_pod_ip(host, port)

    def _route_to_pod_ip(self, host: str, port: int) -> Route | None:
        for pod in self.cluster.store.iter("Pod"):
            if (pod.get("status") or {}).get("podIP") == host:
                return Route(self._process(pod, port), port, host)
        return None

    def _process(self, pod: dict, port: int) -> Any:
        """The running container process of `pod` that listens on `port` (or any running one)."""
        node = (pod.get("spec") or {}).get("nodeName") or ""
        kubelet = self.cluster.kubelets.get(node)
        worker = kubelet.workers.get(pod["metadata"].get("uid", "")) if kubelet else None
        if worker is None:
            return None
        running = []
        for history in worker.instances.values():
            if history and history[-1].running and history[-1].process is not None:
                running.append(history[-1].process)
        for process in running:
            if port in process.listening:
                return process
        return running[0] if running else None
