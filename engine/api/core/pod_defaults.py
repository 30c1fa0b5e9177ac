"""SetDefaults for pods, as the API server applies them when it decodes a pod."""

from __future__ import annotations

from engine.quantity import QuantityError, parse_quantity


def default_pod(pod: dict) -> None:
    """Fill in what `kubectl get pod -o yaml` shows although the manifest did not say it."""
    spec = pod.setdefault("spec", {})
    default_pod_spec(spec)
    # PrepareForCreate: a new pod's status is the API server's, not the manifest's.
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}


def default_pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec and the defaults of everything inside it."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    if spec.get("hostNetwork"):
        for container in spec.get("containers") or []:
            for port in container.get("ports") or []:
                port.setdefault("hostPort", port.get("containerPort"))
    for container in spec.get("initContainers") or []:
        default_container(container)
    for container in spec.get("containers") or []:
        default_container(container)
    for volume in spec.get("volumes") or []:
        _default_volume(volume)


def default_container(container: dict) -> None:
    """SetDefaults_Container, ports, probes, resources (requests default to limits)."""
    container.setdefault("imagePullPolicy", default_pull_policy(str(container.get("image", ""))))
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    resources = container.setdefault("resources", {})
    limits = resources.get("limits") or {}
    if limits:
        requests = resources.setdefault("requests", {})
        for name, value in limits.items():
            requests.setdefault(name, value)
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(name)
        if isinstance(probe, dict):
            default_probe(probe)
    for hook in ("postStart", "preStop"):
        handler = (container.get("lifecycle") or {}).get(hook)
        if isinstance(handler, dict) and isinstance(handler.get("httpGet"), dict):
            _default_http_get(handler["httpGet"])
    for env in container.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")


def default_probe(probe: dict) -> None:
    """SetDefaults_Probe: timeout 1 s, period 10 s, success 1, failure 3."""
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if isinstance(probe.get("httpGet"), dict):
        _default_http_get(probe["httpGet"])
    if isinstance(probe.get("grpc"), dict):
        probe["grpc"].setdefault("service", "")


def _default_http_get(action: dict) -> None:
    action.setdefault("path", "/")
    action.setdefault("scheme", "HTTP")


def _default_volume(volume: dict) -> None:
    for source in ("secret", "configMap"):
        if isinstance(volume.get(source), dict):
            volume[source].setdefault("defaultMode", 420)
    if isinstance(volume.get("hostPath"), dict):
        volume["hostPath"].setdefault("type", "")
    if isinstance(volume.get("projected"), dict):
        volume["projected"].setdefault("defaultMode", 420)
    if isinstance(volume.get("downwardAPI"), dict):
        volume["downwardAPI"].setdefault("defaultMode", 420)


def default_pull_policy(image: str) -> str:
    """`Always` for `:latest` or no tag, else `IfNotPresent` (a digest counts as a tag)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def qos_class(spec: dict) -> str:
    """GetPodQOS: Guaranteed, Burstable or BestEffort from cpu and memory requests and limits."""
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    requests: dict[str, object] = {}
    limits: dict[str, object] = {}
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        c_requests = {
            k: v
            for k, v in (resources.get("requests") or {}).items()
            if k in ("cpu", "memory") and _nonzero(v)
        }
        c_limits = {
            k: v
            for k, v in (resources.get("limits") or {}).items()
            if k in ("cpu", "memory") and _nonzero(v)
        }
        requests.update(c_requests)
        limits.update(c_limits)
        if set(c_limits) != {"cpu", "memory"}:
            guaranteed = False
        for name, value in c_requests.items():
            if name not in c_limits or _q(c_limits[name]) != _q(value):
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed:
        return "Guaranteed"
    return "Burstable"


def _q(value: object) -> object:
    try:
        return parse_quantity(value)  # type: ignore[arg-type]
    except (QuantityError, TypeError):
        return value


def _nonzero(value: object) -> bool:
    quantity = _q(value)
    return quantity != 0
