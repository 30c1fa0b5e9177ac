"""Which Services send a pod traffic: those whose EndpointSlices list it as a ready endpoint
(what kube-proxy programs), for the console's pod view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.network.endpointslice import SERVICE_NAME_LABEL

if TYPE_CHECKING:
    from engine.cluster import Cluster


def services_sending_traffic(cluster: Cluster, pod: dict) -> list[str]:
    """Names of the Services of the pod's namespace with the pod as a ready endpoint, sorted."""
    uid = pod["metadata"].get("uid")
    names: set[str] = set()
    for slice_ in cluster.store.list("EndpointSlice", pod["metadata"].get("namespace", "")):
        service = (slice_["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        if not service or service in names:
            continue
        for endpoint in slice_.get("endpoints") or []:
            ready = (endpoint.get("conditions") or {}).get("ready", True)
            if ready and (endpoint.get("targetRef") or {}).get("uid") == uid:
                names.add(service)
                break
    return sorted(names)


def traffic_line(cluster: Cluster, pod: dict) -> str:
    """`Traffic from Services: web, backend` (`<none>` when no Service sends it any)."""
    names = services_sending_traffic(cluster, pod)
    return "Traffic from Services: " + (", ".join(names) if names else "<none>")
