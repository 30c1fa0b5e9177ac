"""ValidatePodUpdate: what an update may change in a running pod's spec.

After pkg/apis/core/validation/validation.go (`ValidatePodUpdate`,
`ValidateContainerUpdates`, `validateOnlyAddedTolerations`,
`validateOnlyDeletedSchedulingGates`): a pod's spec is immutable except for its
containers' images, `activeDeadlineSeconds` (set, or lowered), added tolerations (and
their `tolerationSeconds`), removed scheduling gates, and `terminationGracePeriodSeconds`
from a negative value to 1. Anything else is refused with the API server's message,
which ends with the difference between the old spec and the new one once the allowed
fields are put back, printed the way go-cmp's `cmp.Diff` prints it.
"""

from __future__ import annotations

import copy
import json

from engine.api.kinds import FieldErrors
from engine.api.validation import forbidden, invalid, render, required

UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
MAX_INT32 = 2**31 - 1


def validate_pod_update(live: dict, new: dict) -> FieldErrors:
    """The update rules for a pod: (live, new) -> field errors."""
    old_spec = live.get("spec") or {}
    new_spec = new.get("spec") or {}
    errors: FieldErrors = []
    for name in ("containers", "initContainers"):
        container_errors, stop = _container_updates(
            new_spec.get(name) or [], old_spec.get(name) or [], ("spec", name)
        )
        errors += container_errors
        if stop:
            return errors
    deadline_errors, stop = _active_deadline(new_spec, old_spec)
    errors += deadline_errors
    if stop:
        return errors
    errors += _only_added_tolerations(
        new_spec.get("tolerations") or [], old_spec.get("tolerations") or []
    )
    errors += _only_deleted_scheduling_gates(
        new_spec.get("schedulingGates") or [], old_spec.get("schedulingGates") or []
    )
    if _semantic(new_spec) == _semantic(old_spec):
        return errors
    munged = _munge(new_spec, old_spec, errors)
    if _semantic(munged) != _semantic(old_spec):
        detail = "pod updates may not change fields other than " + ",".join(
            UPDATABLE_POD_SPEC_FIELDS
        )
        errors.append(forbidden(("spec",), detail + "\n" + spec_diff(old_spec, munged)))
    return errors


def _container_updates(new: list, old: list, path: tuple) -> tuple[FieldErrors, bool]:
    if len(new) != len(old):
        return [forbidden(path, "pod updates may not add or remove containers")], True
    errors: FieldErrors = []
    for index, container in enumerate(new):
        image = str(container.get("image") or "")
        if not image:
            errors.append(required((*path, index, "image")))
        if image.strip() != image:
            errors.append(
                invalid(
                    (*path, index, "image"), image, "must not have leading or trailing whitespace"
                )
            )
    return errors, False


def _active_deadline(new: dict, old: dict) -> tuple[FieldErrors, bool]:
    """Set from nil, or lowered; errors, and whether validation stops there."""
    path = ("spec", "activeDeadlineSeconds")
    value, before = new.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds")
    if value is not None:
        if not 0 <= value <= MAX_INT32:
            return [invalid(path, value, f"must be between 0 and {MAX_INT32}, inclusive")], True
        if before is not None and before < value:
            return [invalid(path, value, "must be less than or equal to previous value")], True
    elif before is not None:
        message = "must not update from a positive integer to nil value"
        return [(path, f'{render(path)}: Invalid value: "null": {message}')], False
    return [], False


def _only_added_tolerations(new: list, old: list) -> FieldErrors:
    for toleration in old:
        wanted = {k: v for k, v in toleration.items() if k != "tolerationSeconds"}
        if not any({k: v for k, v in t.items() if k != "tolerationSeconds"} == wanted for t in new):
            return [
                forbidden(
                    ("spec", "tolerations"),
                    "existing toleration can not be modified except its tolerationSeconds",
                )
            ]
    return []


def _only_deleted_scheduling_gates(new: list, old: list) -> FieldErrors:
    existing = {g.get("name") for g in old}
    return [
        forbidden(
            ("spec", "schedulingGates", index, "name"),
            f"only deletion is allowed, but found new scheduling gate '{gate.get('name')}'",
        )
        for index, gate in enumerate(new)
        if gate.get("name") not in existing
    ]


def _munge(new: dict, old: dict, errors: FieldErrors) -> dict:
    """The new spec with every field an update may change put back to its old value."""
    munged = copy.deepcopy(new)
    for name in ("containers", "initContainers"):
        for container, before in zip(munged.get(name) or [], old.get(name) or [], strict=False):
            container["image"] = before.get("image")
    for name in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged.pop(name, None)
        if name in old:
            munged[name] = copy.deepcopy(old[name])
    grace = old.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = grace
    if old.get("schedulingGates"):
        # A gated pod may gain node selector terms (no mutations or deletions).
        before = old.get("nodeSelector") or {}
        after = munged.get("nodeSelector") or {}
        if before != after:
            if any(after.get(k) != v for k, v in before.items()):
                errors.append(
                    (
                        ("spec", "nodeSelector"),
                        "spec.nodeSelector: Invalid value: "
                        + _go_map(after)
                        + ": only additions to spec.nodeSelector are allowed (no mutations or deletions)",
                    )
                )
            munged.pop("nodeSelector", None)
            if "nodeSelector" in old:
                munged["nodeSelector"] = copy.deepcopy(old["nodeSelector"])
    return munged


def _semantic(value: object) -> object:
    """apiequality.Semantic: unset, empty and null fields are all the same."""
    if isinstance(value, dict):
        out = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _go_map(value: dict) -> str:
    items = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(value.items()))
    return "map[string]string{" + items + "}"


# -- the spec diff, as go-cmp prints it -------------------------------------------------------
# The internal (pkg/apis/core) types' field order, which is what the API server diffs.
_POD_SPEC = [
    "volumes",
    "initContainers",
    "containers",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "nodeSelector",
    "serviceAccountName",
    "automountServiceAccountToken",
    "nodeName",
    "securityContext",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "setHostnameAsFQDN",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "preemptionPolicy",
    "dnsConfig",
    "readinessGates",
    "runtimeClassName",
    "overhead",
    "enableServiceLinks",
    "topologySpreadConstraints",
    "os",
    "schedulingGates",
    "resourceClaims",
    "resources",
]
_CONTAINER = [
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "ports",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
]
_FIELD_ORDER = {"core.PodSpec": _POD_SPEC, "core.Container": _CONTAINER}
_TYPES = {
    "volumes": "[]core.Volume",
    "initContainers": "[]core.Container",
    "containers": "[]core.Container",
    "ephemeralContainers": "[]core.EphemeralContainer",
    "securityContext": "&core.PodSecurityContext",
    "affinity": "&core.Affinity",
    "tolerations": "[]core.Toleration",
    "resources": "core.ResourceRequirements",
    "requests": "core.ResourceList",
    "limits": "core.ResourceList",
    "ports": "[]core.ContainerPort",
    "env": "[]core.EnvVar",
    "volumeMounts": "[]core.VolumeMount",
    "livenessProbe": "&core.Probe",
    "readinessProbe": "&core.Probe",
    "startupProbe": "&core.Probe",
    "lifecycle": "&core.Lifecycle",
    "command": "[]string",
    "args": "[]string",
    "nodeSelector": "map[string]string",
}
_POINTERS = frozenset(
    [
        "terminationGracePeriodSeconds",
        "activeDeadlineSeconds",
        "automountServiceAccountToken",
        "setHostnameAsFQDN",
        "priority",
        "preemptionPolicy",
        "runtimeClassName",
        "enableServiceLinks",
        "restartPolicy@container",
    ]
)
_GO_NAMES = {
    "dnsPolicy": "DNSPolicy",
    "dnsConfig": "DNSConfig",
    "setHostnameAsFQDN": "SetHostnameAsFQDN",
    "os": "OS",
    "tty": "TTY",
    "hostIPC": "HostIPC",
    "hostPID": "HostPID",
    "ip": "IP",
    "hostIP": "HostIP",
    "uid": "UID",
    "fsGroup": "FSGroup",
    "seLinuxOptions": "SELinuxOptions",
    "httpGet": "HTTPGet",
    "tcpSocket": "TCPSocket",
    "grpc": "GRPC",
    "fsType": "FSType",
    "apiVersion": "APIVersion",
}
_STRINGS = frozenset(
    [
        "name",
        "image",
        "workingDir",
        "terminationMessagePath",
        "terminationMessagePolicy",
        "imagePullPolicy",
        "dnsPolicy",
        "serviceAccountName",
        "nodeName",
        "hostname",
        "subdomain",
        "schedulerName",
        "priorityClassName",
    ]
)
_BOOLS = frozenset({"stdin", "stdinOnce", "tty"})
_CONTEXT = 2
"""go-cmp shows up to two identical records either side of a difference."""
_MISSING = object()


def spec_diff(old: dict, new: dict) -> str:
    """`cmp.Diff(oldPod.Spec, mungedPodSpec)`: `-` lines are the old spec, `+` the new."""
    lines = ["  core.PodSpec{"]
    lines += _struct_body(_internal(old), _internal(new), 1, "core.PodSpec")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def _internal(spec: dict) -> dict:
    """The v1 spec in the internal type's shape: host namespaces live in the security
    context, and the deprecated `serviceAccount` is gone."""
    spec = copy.deepcopy(spec)
    spec.pop("serviceAccount", None)
    moved = {
        k: spec.pop(k)
        for k in ("hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "hostUsers")
        if k in spec
    }
    if moved:
        spec["securityContext"] = {**moved, **(spec.get("securityContext") or {})}
    return spec


def _go_name(name: str) -> str:
    return _GO_NAMES.get(name) or (name[:1].upper() + name[1:])


def _fields(type_name: str, old: dict, new: dict) -> list[str]:
    order = _FIELD_ORDER.get(type_name)
    if order is not None:
        return order + sorted((set(old) | set(new)) - set(order))
    return sorted(set(old) | set(new))


def _struct_body(old: dict, new: dict, depth: int, type_name: str) -> list[str]:
    records = [
        (name, old.get(name, _MISSING), new.get(name, _MISSING))
        for name in _fields(type_name, old, new)
    ]
    return _records(
        records, depth, "fields", lambda n: f"{_go_name(n)}: ", type_name == "core.Container", True
    )


def _records(
    records: list, depth: int, noun: str, label, in_container: bool, fields: bool = False
) -> list[str]:
    """Changed records in full, runs of identical ones elided around them."""
    lines: list[str] = []
    groups: list[list] = []
    for record in records:
        equal = _semantic(_none(record[1])) == _semantic(_none(record[2]))
        if groups and groups[-1][0] == equal:
            groups[-1][1].append(record)
        else:
            groups.append([equal, [record]])
    tab = "\t" * depth
    for index, (equal, group) in enumerate(groups):
        if not equal:
            for name, before, after in group:
                lines += _changed(name, before, after, depth, label, in_container, fields)
            continue
        low = min(_CONTEXT, len(group)) if index != 0 else 0
        high = min(_CONTEXT, len(group) - low) if index != len(groups) - 1 else 0
        if len(group) - low - high == 1:
            high += 1
        for name, before, _ in group[:low]:
            lines.append(f"  {tab}{label(name)}{_value(name, before, in_container)},")
        hidden = len(group) - low - high
        if hidden:
            lines.append(f"  {tab}... // {hidden} identical {noun}")
        for name, before, _ in group[len(group) - high :]:
            lines.append(f"  {tab}{label(name)}{_value(name, before, in_container)},")
    return lines


def _changed(
    name, before, after, depth: int, label, in_container: bool, field: bool = False
) -> list[str]:
    """One record that differs: structs, maps and lists opened up, other values as -/+."""
    tab = "\t" * depth
    key = name if isinstance(name, str) else ""
    if isinstance(before, dict) and isinstance(after, dict) and (before or after):
        if key.startswith("core."):  # an element of a list: its type is the list's
            type_name, head = key, ""
        else:
            type_name = _type_of(key, in_container)
            head = type_name
        child = type_name
        if type_name in ("map[string]string", "core.ResourceList"):
            entries = [
                (k, before.get(k, _MISSING), after.get(k, _MISSING))
                for k in sorted(set(before) | set(after))
            ]
            prefix = "s" if type_name == "core.ResourceList" else ""
            body = _records(
                entries, depth + 1, "entries", lambda k: f"{prefix}{json.dumps(k)}: ", False
            )
        else:
            body = _struct_body(before, after, depth + 1, child)
        return [f"  {tab}{label(name)}{head}{{", *body, f"  {tab}}},"]
    if isinstance(before, list) and isinstance(after, list) and before and after:
        element = (_type_of(key, in_container) or "")[2:] or ""
        items = [
            (
                element or "",
                before[i] if i < len(before) else _MISSING,
                after[i] if i < len(after) else _MISSING,
            )
            for i in range(max(len(before), len(after)))
        ]
        body = _records(
            items, depth + 1, "elements", lambda _: "", key in ("containers", "initContainers")
        )
        return [f"  {tab}{label(name)}{_type_of(key, in_container)}{{", *body, f"  {tab}}},"]
    out = []
    if field or before is not _MISSING:
        out.append(f"- {tab}{label(name)}{_value(name, before, in_container, other=after)},")
    if field or after is not _MISSING:
        out.append(f"+ {tab}{label(name)}{_value(name, after, in_container, other=before)},")
    return out


def _type_of(name: str, in_container: bool) -> str:
    if in_container and name == "securityContext":
        return "&core.SecurityContext"
    return _TYPES.get(name, "")


def _none(value: object) -> object:
    return None if value is _MISSING else value


def _value(name, value, in_container: bool, other: object = _MISSING) -> str:
    """A value as go-cmp prints it, its type elided."""
    key = name if isinstance(name, str) else ""
    pointer = key in _POINTERS or (in_container and f"{key}@container" in _POINTERS)
    if value is _MISSING or value is None:
        sample = None if other is _MISSING else other
        if pointer:
            return "nil"
        if isinstance(sample, bool) or key in _BOOLS:
            return "false"
        if isinstance(sample, int):
            return "0"
        if isinstance(sample, str) or key in _STRINGS:
            return '""'
        return "nil"
    if key == "core.Volume" and isinstance(value, dict):
        return _volume(value)
    if key == "volumes" and isinstance(value, list):
        return "{" + ", ".join(_volume(v) for v in value) + "}"
    text = _go(value, key)
    return "&" + text if pointer else text


def _go(value: object, key: str = "") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "{" + ", ".join(_go(v) for v in value) + "}"
    if isinstance(value, dict):
        if key in ("requests", "limits"):
            return (
                "{"
                + ", ".join(f"s{json.dumps(k)}: {_quantity(v)}" for k, v in sorted(value.items()))
                + "}"
            )
        if key in ("nodeSelector", "labels", "annotations"):
            return (
                "{"
                + ", ".join(f"{json.dumps(k)}: {_go(v)}" for k, v in sorted(value.items()))
                + "}"
            )
        parts = [
            f"{_go_name(k)}: {_go(v, k)}"
            for k, v in value.items()
            if v not in (None, "", 0, False, [], {})
        ]
        return "{" + ", ".join(parts) + "}"
    return str(value)


def _volume(volume: dict) -> str:
    """`{Name: "data", VolumeSource: {EmptyDir: &{}}}`: the source is a pointer field."""
    sources = ", ".join(f"{_go_name(k)}: &{_go(v, k)}" for k, v in volume.items() if k != "name")
    return f"{{Name: {json.dumps(volume.get('name', ''))}, VolumeSource: {{{sources}}}}}"


def _quantity(value: object) -> str:
    text = str(value)
    binary = text.endswith(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))
    form = "BinarySI" if binary else "DecimalSI"
    return f'{{i: {{...}}, s: {json.dumps(text)}, Format: "{form}"}}'
