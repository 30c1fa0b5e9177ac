"""ValidatePod / ValidatePodSpec: the checks a user's pod manifest meets first."""

from __future__ import annotations

from engine.api.kinds import FieldErrors
from engine.api.validation import (
    DNS1123_LABEL,
    LABEL_MSG,
    duplicate,
    forbidden,
    invalid,
    nonnegative_quantity,
    quantity_errors,
    quote,
    render,
    required,
    unsupported,
    validate_object_meta,
)
from engine.quantity import QuantityError, parse_quantity

Path = tuple[str | int, ...]
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_DECODE_PREFIX = 'Pod in version "v1" cannot be handled as a Pod: '


def validate_pod(pod: dict) -> FieldErrors:
    errors = validate_object_meta(pod, namespaced=True)
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return [*errors, required(("spec",))]
    errors += validate_pod_spec(spec, ("spec",))
    errors += _behavior_annotation_errors(pod)
    return errors


def validate_pod_spec(spec: dict, path: Path) -> FieldErrors:
    """Validation of a PodSpec (also used for pod templates)."""
    errors: FieldErrors = []
    containers = spec.get("containers") or []
    if not containers:
        errors.append(required((*path, "containers")))
    names: set[str] = set()
    init_containers = spec.get("initContainers") or []
    for index, container in enumerate(init_containers):
        errors += _validate_container(container, (*path, "initContainers", index), names, init=True)
    for index, container in enumerate(containers):
        errors += _validate_container(container, (*path, "containers", index), names, init=False)
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in ("Always", "OnFailure", "Never"):
        errors.append(
            unsupported((*path, "restartPolicy"), policy, ["Always", "OnFailure", "Never"])
        )
    grace = spec.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and grace < 0:
        errors.append(
            invalid(
                (*path, "terminationGracePeriodSeconds"),
                grace,
                "must be greater than or equal to 0",
            )
        )
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline <= 0:
        errors.append(
            invalid(
                (*path, "activeDeadlineSeconds"),
                deadline,
                "must be between 1 and 2147483647, inclusive",
            )
        )
    for index, toleration in enumerate(spec.get("tolerations") or []):
        errors += _validate_toleration(toleration, (*path, "tolerations", index))
    volume_names: set[str] = set()
    for index, volume in enumerate(spec.get("volumes") or []):
        name = volume.get("name")
        vpath = (*path, "volumes", index, "name")
        if not name:
            errors.append(required(vpath))
        elif name in volume_names:
            errors.append(duplicate(vpath, name))
        elif not DNS1123_LABEL.match(name):
            errors.append(invalid(vpath, name, LABEL_MSG))
        volume_names.add(name or "")
    for group in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(group) or []):
            for mindex, mount in enumerate(container.get("volumeMounts") or []):
                name = mount.get("name")
                mpath = (*path, group, index, "volumeMounts", mindex)
                if not name:
                    errors.append(required((*mpath, "name")))
                elif name not in volume_names and not name.startswith("kube-api-access-"):
                    errors.append(
                        ((*mpath, "name"), f"{render((*mpath, 'name'))}: Not found: {quote(name)}")
                    )
                if not mount.get("mountPath"):
                    errors.append(required((*mpath, "mountPath")))
    return errors


def _validate_container(container: dict, path: Path, names: set[str], *, init: bool) -> FieldErrors:
    errors: FieldErrors = []
    if not isinstance(container, dict):
        return [invalid(path, container, "must be an object")]
    name = container.get("name")
    if not name:
        errors.append(required((*path, "name")))
    elif not DNS1123_LABEL.match(name):
        errors.append(invalid((*path, "name"), name, LABEL_MSG))
    elif name in names:
        errors.append(duplicate((*path, "name"), name))
    names.add(name or "")
    image = container.get("image")
    if not image or not str(image).strip():
        errors.append(required((*path, "image")))
    policy = container.get("imagePullPolicy")
    if policy is not None and policy not in ("Always", "IfNotPresent", "Never"):
        errors.append(
            unsupported((*path, "imagePullPolicy"), policy, ["Always", "IfNotPresent", "Never"])
        )
    sidecar = init and container.get("restartPolicy") == "Always"
    if "restartPolicy" in container:
        if not init:
            errors.append(
                forbidden((*path, "restartPolicy"), "may not be set for non-init containers")
            )
        elif container["restartPolicy"] != "Always":
            errors.append(
                unsupported((*path, "restartPolicy"), container["restartPolicy"], ["Always"])
            )
    port_names: set[str] = set()
    for index, port in enumerate(container.get("ports") or []):
        ppath = (*path, "ports", index)
        number = port.get("containerPort")
        if number is None:
            errors.append(required((*ppath, "containerPort")))
        elif isinstance(number, int) and not 1 <= number <= 65535:
            errors.append(
                invalid((*ppath, "containerPort"), number, "must be between 1 and 65535, inclusive")
            )
        host_port = port.get("hostPort")
        if isinstance(host_port, int) and host_port and not 1 <= host_port <= 65535:
            errors.append(
                invalid((*ppath, "hostPort"), host_port, "must be between 1 and 65535, inclusive")
            )
        protocol = port.get("protocol")
        if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
            errors.append(unsupported((*ppath, "protocol"), protocol, ["SCTP", "TCP", "UDP"]))
        port_name = port.get("name")
        if port_name:
            if port_name in port_names:
                errors.append(duplicate((*ppath, "name"), port_name))
            port_names.add(port_name)
    resources = container.get("resources") or {}
    for section in ("requests", "limits"):
        for resource, value in (resources.get(section) or {}).items():
            for _, message in quantity_errors((*path, "resources", section, resource), value):
                errors.append(((*path, "resources", section, resource), _DECODE_PREFIX + message))
            # ValidateResourceQuantityValue -> ValidateNonnegativeQuantity (core validation.go)
            errors += nonnegative_quantity((*path, "resources", section, resource), value)
    errors += _requests_within_limits(resources, (*path, "resources"))
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(probe_name)
        if probe is None:
            continue
        ppath = (*path, probe_name)
        if init and not sidecar:
            errors.append(
                forbidden(ppath, "may not be set for init containers without restartPolicy=Always")
            )
            continue
        errors += _validate_probe(probe, ppath, must_succeed_once=probe_name != "readinessProbe")
    return errors


def _requests_within_limits(resources: dict, path: Path) -> FieldErrors:
    errors: FieldErrors = []
    requests = resources.get("requests") or {}
    limits = resources.get("limits") or {}
    for resource, limit in limits.items():
        if resource not in requests:
            continue
        try:
            if parse_quantity(requests[resource]) > parse_quantity(limit):
                errors.append(
                    invalid(
                        (*path, "requests"),
                        str(requests[resource]),
                        f"must be less than or equal to {resource} limit of {limit}",
                    )
                )
        except (QuantityError, TypeError):
            continue
    return errors


def _validate_probe(probe: dict, path: Path, *, must_succeed_once: bool) -> FieldErrors:
    errors: FieldErrors = []
    handlers = [h for h in PROBE_HANDLERS if probe.get(h) is not None]
    if not handlers:
        errors.append(required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        errors.append(forbidden((*path, extra), "may not specify more than 1 handler type"))
    for field in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        value = probe.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            errors.append(invalid((*path, field), value, "must be greater than or equal to 0"))
    success = probe.get("successThreshold")
    if must_succeed_once and isinstance(success, int) and success != 1:
        errors.append(invalid((*path, "successThreshold"), success, "must be 1"))
    http = probe.get("httpGet")
    if isinstance(http, dict) and http.get("port") in (None, ""):
        errors.append(required((*path, "httpGet", "port")))
    tcp = probe.get("tcpSocket")
    if isinstance(tcp, dict) and tcp.get("port") in (None, ""):
        errors.append(required((*path, "tcpSocket", "port")))
    command = (
        (probe.get("exec") or {}).get("command") if isinstance(probe.get("exec"), dict) else None
    )
    if probe.get("exec") is not None and not command:
        errors.append(required((*path, "exec", "command")))
    return errors


def _validate_toleration(toleration: dict, path: Path) -> FieldErrors:
    errors: FieldErrors = []
    operator = toleration.get("operator", "Equal")
    if operator not in ("Equal", "Exists"):
        errors.append(unsupported((*path, "operator"), operator, ["Equal", "Exists"]))
    if operator == "Exists" and toleration.get("value"):
        errors.append(
            invalid(
                (*path, "operator"),
                toleration.get("value"),
                "value must be empty when `operator` is 'Exists'",
            )
        )
    if not toleration.get("key") and operator != "Exists":
        errors.append(
            invalid(
                (*path, "operator"),
                operator,
                'operator must be Exists when `key` is empty, which means "match all values and all keys"',
            )
        )
    effect = toleration.get("effect")
    if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
        errors.append(
            unsupported((*path, "effect"), effect, ["NoExecute", "NoSchedule", "PreferNoSchedule"])
        )
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        errors.append(
            invalid(
                (*path, "effect"),
                effect or "",
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            )
        )
    return errors


def _behavior_annotation_errors(pod: dict) -> FieldErrors:
    """podtui's behaviour annotations must parse (engine/containers/behavior.py)."""
    if not (pod.get("metadata") or {}).get("annotations"):
        return []  # nothing to parse (most pods): spare the import below
    try:
        from engine.containers.behavior import ANNOTATION_PREFIX, BehaviorError, parse_behavior
    except (
        ImportError
    ):  # pragma: no cover - the behaviour layer is always present in a full install
        return []
    errors: FieldErrors = []
    for key, value in ((pod.get("metadata") or {}).get("annotations") or {}).items():
        if not key.startswith(ANNOTATION_PREFIX):
            continue
        try:
            parse_behavior(str(value))
        except BehaviorError as err:
            message = invalid(("metadata", "annotations", f"[{key}]"), str(value), str(err))[1]
            errors.append((("metadata", "annotations", key), message))
    return errors
