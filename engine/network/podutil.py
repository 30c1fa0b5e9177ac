"""What the endpoints controllers ask of a pod (k/k pkg/api/v1/pod/util.go: FindPort;
staging/src/k8s.io/endpointslice/util/controller_utils.go: ShouldPodBeInEndpoints,
ShouldSetHostname)."""

from __future__ import annotations

from engine.workloads.podutil import is_pod_ready, is_pod_terminal

__all__ = ["find_port", "is_pod_ready", "should_pod_be_in_endpoints", "should_set_hostname"]


def selects(service: dict, pod: dict) -> bool:
    """labels.Set(spec.selector): every key equal; a Service without a selector selects nothing."""
    selector = (service.get("spec") or {}).get("selector") or {}
    if not selector:
        return False
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(key) == value for key, value in selector.items())


def find_port(pod: dict, service_port: dict) -> int | None:
    """FindPort: a number is itself; a name is looked up among the containers' ports (and the
    sidecars', restartable init containers) with the Service port's protocol."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    protocol = service_port.get("protocol", "TCP")
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or [])
    containers += [
        c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"
    ]
    for container in containers:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return int(port["containerPort"])
    return None


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """ShouldPodBeInEndpoints: not terminal, has an IP, and (unless asked) not terminating."""
    if is_pod_terminal(pod):
        return False
    status = pod.get("status") or {}
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def should_set_hostname(pod: dict, service: dict) -> bool:
    """ShouldSetHostname: the pod names a hostname and this Service as its subdomain."""
    spec = pod.get("spec") or {}
    return (
        bool(spec.get("hostname"))
        and spec.get("subdomain") == service["metadata"]["name"]
        and pod["metadata"].get("namespace") == service["metadata"].get("namespace")
    )
