"""`kubectl describe pod`: describePod and its container, probe and volume helpers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from engine.describe.common import (
    canonical_quantity,
    controller_of,
    describe_events,
    print_annotations,
    print_bool,
    print_labels,
    print_tolerations,
    rfc1123z,
    since,
)
from engine.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter
from engine.quantity import QuantityError, parse_quantity

if TYPE_CHECKING:
    from engine.cluster import Cluster


def describe_pod(cluster: Cluster, pod: dict) -> str:
    """The text of `kubectl describe pod NAME`, events included."""
    return pod_description(pod, cluster.events.events_for(pod), cluster.now_datetime())


def pod_description(pod: dict, events: list[dict] | None, now: datetime) -> str:
    """describePod for a pod and its events (None: `--show-events=false`)."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    w = PrefixWriter()
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(LEVEL_0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(LEVEL_0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(LEVEL_0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(LEVEL_0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not spec.get("nodeName"):
        w.write(LEVEL_0, "Node:\t<none>\n")
    else:
        w.write(LEVEL_0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    if status.get("startTime"):
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(LEVEL_0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
        w.write(
            LEVEL_0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n"
        )
    else:
        w.write(LEVEL_0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(LEVEL_0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(LEVEL_0, f"Message:\t{status['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(LEVEL_0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(LEVEL_0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(LEVEL_0, f"IP:\t{status.get('podIP', '')}\n")
    pod_ips = status.get("podIPs") or []
    if not pod_ips:
        w.write(LEVEL_0, "IPs:\t<none>\n")
    else:
        w.write(LEVEL_0, "IPs:\n")
        for ip in pod_ips:
            w.write(LEVEL_1, f"IP:\t{ip.get('ip', '')}\n")
    controlled_by = controller_of(pod)
    if controlled_by:
        w.write(LEVEL_0, f"Controlled By:\t{controlled_by}\n")
    if status.get("nominatedNodeName"):
        w.write(LEVEL_0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(LEVEL_0, "Resources:\n")
        describe_resources(w, spec["resources"], LEVEL_1)
    resolver = _env_resolver(pod)
    if spec.get("initContainers"):
        describe_containers(
            w,
            "Init Containers",
            spec["initContainers"],
            status.get("initContainerStatuses"),
            resolver,
        )
    describe_containers(
        w, "Containers", spec.get("containers") or [], status.get("containerStatuses"), resolver
    )
    if spec.get("readinessGates"):
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n")
        conditions = status.get("conditions") or []
        for gate in spec["readinessGates"]:
            value = next(
                (
                    c.get("status", "")
                    for c in conditions
                    if c.get("type") == gate.get("conditionType")
                ),
                "<none>",
            )
            w.write(LEVEL_1, f"{gate.get('conditionType', '')} \t{value} \n")
    if status.get("conditions"):
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n")
        for condition in status["conditions"]:
            w.write(LEVEL_1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes") or [])
    w.write(LEVEL_0, f"QoS Class:\t{status.get('qosClass') or pod_qos_class(pod)}\n")
    print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "Tolerations", spec.get("tolerations"))
    if events is not None:
        describe_events(w, events, now)
    return w.text()


# -- containers ------------------------------------------------------------------------------
def describe_containers(
    w: PrefixWriter,
    label: str,
    containers: list[dict],
    statuses: list[dict] | None,
    resolver: dict[str, str] | None,
    space: str = "",
) -> None:
    """describeContainers: one block per container, with its status when the pod has one."""
    by_name = {s.get("name"): s for s in statuses or []}
    none = "" if containers else " <none>"
    w.write(LEVEL_0, f"{space}{label}:{none}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        _basic_info(w, container, status, space)
        _command(w, container)
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", status["lastState"])
            w.write(LEVEL_2, f"Ready:\t{print_bool(status.get('ready'))}\n")
            w.write(LEVEL_2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        describe_resources(w, container.get("resources") or {}, LEVEL_2)
        for field, title in (
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ):
            if container.get(field):
                w.write(LEVEL_2, f"{title}:\t{describe_probe(container[field])}\n")
        if container.get("envFrom"):
            env_from(w, container["envFrom"])
        env(w, container, resolver)
        mounts(w, container)


def _ports(ports: list[dict], field: str) -> str:
    out = []
    for port in ports:
        text = f"{port.get(field, 0)}/{port.get('protocol', 'TCP')}"
        if port.get("name"):
            text += f" ({port['name']})"
        out.append(text)
    return ", ".join(out)


def _basic_info(w: PrefixWriter, container: dict, status: dict | None, space: str) -> None:
    name_indent = " " if space else ""
    w.write(LEVEL_1, f"{name_indent}{container.get('name', '')}:\n")
    if status is not None:
        w.write(LEVEL_2, f"Container ID:\t{status.get('containerID', '')}\n")
    w.write(LEVEL_2, f"Image:\t{container.get('image', '')}\n")
    if status is not None:
        w.write(LEVEL_2, f"Image ID:\t{status.get('imageID', '')}\n")
    ports = container.get("ports") or []
    for field, single, plural in (
        ("containerPort", "Port", "Ports"),
        ("hostPort", "Host Port", "Host Ports"),
    ):
        text = _ports(ports, field)
        if "," in text:
            w.write(LEVEL_2, f"{plural}:\t{text}\n")
        else:
            w.write(LEVEL_2, f"{single}:\t{text or '<none>'}\n")
    seccomp = (container.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(LEVEL_2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(LEVEL_3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")


def _command(w: PrefixWriter, container: dict) -> None:
    for field, title in (("command", "Command"), ("args", "Args")):
        values = container.get(field) or []
        if values:
            w.write(LEVEL_2, f"{title}:\n")
            for value in values:
                for part in str(value).split("\n"):
                    w.write(LEVEL_3, f"{part}\n")


def _state(w: PrefixWriter, title: str, state: dict) -> None:
    """describeStatus."""
    if state.get("running") is not None:
        w.write(LEVEL_2, f"{title}:\tRunning\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(LEVEL_2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(LEVEL_3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        terminated = state["terminated"]
        w.write(LEVEL_2, f"{title}:\tTerminated\n")
        if terminated.get("reason"):
            w.write(LEVEL_3, f"Reason:\t{terminated['reason']}\n")
        if terminated.get("message"):
            w.write(LEVEL_3, f"Message:\t{terminated['message']}\n")
        w.write(LEVEL_3, f"Exit Code:\t{terminated.get('exitCode', 0)}\n")
        if (terminated.get("signal") or 0) > 0:
            w.write(LEVEL_3, f"Signal:\t{terminated['signal']}\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(terminated.get('startedAt'))}\n")
        w.write(LEVEL_3, f"Finished:\t{rfc1123z(terminated.get('finishedAt'))}\n")
    else:
        w.write(LEVEL_2, f"{title}:\tWaiting\n")


def describe_resources(w: PrefixWriter, resources: dict, level: int) -> None:
    """describeResources: Limits then Requests, resource names sorted."""
    for field, title in (("limits", "Limits"), ("requests", "Requests")):
        values = resources.get(field) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{canonical_quantity(values[name])}\n")


def describe_probe(probe: dict) -> str:
    """DescribeProbe: `http-get http://:8080/healthz delay=0s timeout=1s period=10s ...`."""
    attrs = (
        f"delay={probe.get('initialDelaySeconds', 0)}s "
        f"timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s "
        f"#success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )
    if probe.get("exec") is not None:
        command = " ".join(str(c) for c in probe["exec"].get("command") or [])
        return f"exec [{command}] {attrs}"
    if probe.get("httpGet") is not None:
        get = probe["httpGet"]
        scheme = str(get.get("scheme", "HTTP")).lower()
        host = get.get("host", "")
        port = str(get.get("port", ""))
        if port:
            host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return f"http-get {scheme}://{host}{get.get('path', '')} {attrs}"
    if probe.get("tcpSocket") is not None:
        socket = probe["tcpSocket"]
        return f"tcp-socket {socket.get('host', '')}:{socket.get('port', '')} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', '')} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def env_from(w: PrefixWriter, sources: list[dict], level: int = LEVEL_2) -> None:
    """The `Environment Variables from:` block (also a PodPreset's)."""
    w.write(level, "Environment Variables from:\n")
    for source in sources:
        kind, ref = "", {}
        if source.get("configMapRef") is not None:
            kind, ref = "ConfigMap", source["configMapRef"]
        elif source.get("secretRef") is not None:
            kind, ref = "Secret", source["secretRef"]
        optional = "true" if ref.get("optional") else "false"
        if source.get("prefix"):
            w.write(
                level + 1,
                f"{ref.get('name', '')}\t{kind} with prefix '{source['prefix']}'\tOptional: {optional}\n",
            )
        else:
            w.write(level + 1, f"{ref.get('name', '')}\t{kind}\tOptional: {optional}\n")


def _env_resolver(pod: dict) -> dict[str, str]:
    """The downward-API field paths EnvValueRetriever can resolve for this pod."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    return {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": status.get("hostIP", ""),
        "status.podIP": status.get("podIP", ""),
    }


def env(
    w: PrefixWriter, container: dict, resolver: dict[str, str] | None, level: int = LEVEL_2
) -> None:
    """The `Environment:` block of a container (or of a PodPreset, which has the same env)."""
    variables = container.get("env") or []
    w.write(level, "Environment:" + ("" if variables else "\t<none>") + "\n")
    for var in variables:
        name = var.get("name", "")
        source = var.get("valueFrom")
        if source is None:
            for index, part in enumerate(str(var.get("value", "")).split("\n")):
                if index == 0:
                    w.write(level + 1, f"{name}:\t{part}\n")
                else:
                    w.write(level + 1, f"\t{part}\n")
            continue
        if source.get("fieldRef") is not None:
            ref = source["fieldRef"]
            value = (resolver or {}).get(ref.get("fieldPath", ""), "")
            w.write(
                level + 1,
                f"{name}:\t{value} ({ref.get('apiVersion', 'v1')}:{ref.get('fieldPath', '')})\n",
            )
        elif source.get("resourceFieldRef") is not None:
            ref = source["resourceFieldRef"]
            resource = ref.get("resource", "")
            value = _resource_value(container, resource)
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(level + 1, f"{name}:\t{value} ({resource})\n")
        elif source.get("secretKeyRef") is not None:
            ref = source["secretKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(
                level + 1,
                f"{name}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>\tOptional: {optional}\n",
            )
        elif source.get("configMapKeyRef") is not None:
            ref = source["configMapKeyRef"]
            optional = "true" if ref.get("optional") else "false"
            w.write(
                level + 1,
                f"{name}:\t<set to the key '{ref.get('key', '')}' of config map '{ref.get('name', '')}'>\tOptional: {optional}\n",
            )


def _resource_value(container: dict, resource: str) -> str:
    group, _, name = resource.partition(".")
    value = ((container.get("resources") or {}).get(group) or {}).get(name)
    if value is None:
        return "0"
    try:
        quantity = parse_quantity(value)
    except QuantityError:
        return ""
    if name == "cpu":
        # ExtractContainerResourceValue rounds CPU up to whole cores (divisor 1).
        return str(-(-quantity.numerator // quantity.denominator))
    return str(-(-quantity.numerator // quantity.denominator))


def mounts(w: PrefixWriter, container: dict, level: int = LEVEL_2) -> None:
    """The `Mounts:` block of a container (or of a PodPreset's volumeMounts)."""
    ordered = sorted(container.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
    w.write(level, "Mounts:" + ("" if ordered else "\t<none>") + "\n")
    for mount in ordered:
        flags = ["ro" if mount.get("readOnly") else "rw"]
        if mount.get("subPath"):
            flags.append(f'path="{mount["subPath"]}"')
        w.write(
            level + 1,
            f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n",
        )
    devices = sorted(container.get("volumeDevices") or [], key=lambda d: d.get("devicePath", ""))
    if devices:
        w.write(level, "Devices:\n")
        for device in devices:
            w.write(level + 1, f"{device.get('devicePath', '')} from {device.get('name', '')}\n")


# -- volumes ---------------------------------------------------------------------------------
def describe_volumes(w: PrefixWriter, volumes: list[dict], space: str = "") -> None:
    """describeVolumes, for the volume sources pods in podtui use."""
    if not volumes:
        w.write(LEVEL_0, f"{space}Volumes:\t<none>\n")
        return
    w.write(LEVEL_0, f"{space}Volumes:\n")
    name_indent = " " if space else ""
    for volume in volumes:
        w.write(LEVEL_1, f"{name_indent}{volume.get('name', '')}:\n")
        _volume_source(w, volume)


def _optional(source: dict) -> str:
    return "true" if source.get("optional") else "false"


def _volume_source(w: PrefixWriter, volume: dict) -> None:
    if volume.get("hostPath") is not None:
        source = volume["hostPath"]
        w.write(
            LEVEL_2,
            "Type:\tHostPath (bare host directory volume)\n"
            f"    Path:\t{source.get('path', '')}\n"
            f"    HostPathType:\t{source.get('type') or '<none>'}\n",
        )
    elif volume.get("emptyDir") is not None:
        source = volume["emptyDir"]
        w.write(
            LEVEL_2,
            "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
            f"    Medium:\t{source.get('medium', '')}\n"
            f"    SizeLimit:\t{source.get('sizeLimit') or '<unset>'}\n",
        )
    elif volume.get("secret") is not None:
        source = volume["secret"]
        w.write(
            LEVEL_2,
            "Type:\tSecret (a volume populated by a Secret)\n"
            f"    SecretName:\t{source.get('secretName', '')}\n"
            f"    Optional:\t{_optional(source)}\n",
        )
    elif volume.get("configMap") is not None:
        source = volume["configMap"]
        w.write(
            LEVEL_2,
            "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
            f"    Name:\t{source.get('name', '')}\n"
            f"    Optional:\t{_optional(source)}\n",
        )
    elif volume.get("persistentVolumeClaim") is not None:
        source = volume["persistentVolumeClaim"]
        w.write(
            LEVEL_2,
            "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
            f"    ClaimName:\t{source.get('claimName', '')}\n"
            f"    ReadOnly:\t{'true' if source.get('readOnly') else 'false'}\n",
        )
    elif volume.get("projected") is not None:
        w.write(
            LEVEL_2,
            "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
        )
        for source in volume["projected"].get("sources") or []:
            if source.get("secret") is not None:
                w.write(
                    LEVEL_2,
                    f"SecretName:\t{source['secret'].get('name', '')}\n"
                    f"    Optional:\t{_optional(source['secret'])}\n",
                )
            elif source.get("downwardAPI") is not None:
                w.write(LEVEL_2, "DownwardAPI:\ttrue\n")
            elif source.get("configMap") is not None:
                w.write(
                    LEVEL_2,
                    f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                    f"    Optional:\t{_optional(source['configMap'])}\n",
                )
            elif source.get("serviceAccountToken") is not None:
                seconds = source["serviceAccountToken"].get("expirationSeconds", 3600)
                w.write(LEVEL_2, f"TokenExpirationSeconds:\t{seconds}\n")
    elif volume.get("downwardAPI") is not None:
        w.write(
            LEVEL_2,
            "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
        )
        for item in volume["downwardAPI"].get("items") or []:
            if item.get("fieldRef") is not None:
                w.write(
                    LEVEL_3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n"
                )
            if item.get("resourceFieldRef") is not None:
                w.write(
                    LEVEL_3,
                    f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n",
                )
    else:
        w.write(LEVEL_1, "<unknown>\n")


# -- QoS -------------------------------------------------------------------------------------
def pod_qos_class(pod: dict) -> str:
    """ComputePodQOS (used when status.qosClass is not set yet)."""
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    requests: dict[str, object] = {}
    limits: dict[str, object] = {}
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        container_requests = {
            k: parse_quantity(v)
            for k, v in (resources.get("requests") or {}).items()
            if k in ("cpu", "memory") and _nonzero(v)
        }
        container_limits = {
            k: parse_quantity(v)
            for k, v in (resources.get("limits") or {}).items()
            if k in ("cpu", "memory") and _nonzero(v)
        }
        requests.update(container_requests)
        limits.update(container_limits)
        if set(container_limits) != {"cpu", "memory"}:
            guaranteed = False
        for name, value in container_requests.items():
            if container_limits.get(name) != value:
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and set(limits) == {"cpu", "memory"}:
        return "Guaranteed"
    return "Burstable"


def _nonzero(value: object) -> bool:
    try:
        return parse_quantity(value) != 0  # type: ignore[arg-type]
    except QuantityError:
        return False
