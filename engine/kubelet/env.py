"""A container's environment as the kubelet builds it (makeEnvironmentVariables).

Missing ConfigMaps, Secrets or keys that are not optional make container creation fail with
`CreateContainerConfigError`, in the kubelet's words.
"""

from __future__ import annotations

import base64
import re

from engine.store import Store

_VAR_REF = re.compile(r"\$\((\w+)\)|\$\$")


class ConfigError(Exception):
    """A CreateContainerConfigError: the message is what `kubectl describe` shows."""


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes `$(VAR)` expansion: unknown references stay as written, `$$` is `$`."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))

    return _VAR_REF.sub(replace, value)


def container_env(store: Store, pod: dict, container: dict, pod_ip: str | None) -> dict[str, str]:
    """The env a container starts with; raises ConfigError as the kubelet would refuse it."""
    namespace = pod["metadata"].get("namespace", "default")
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            ref = source["configMapRef"]
            obj = store.get("ConfigMap", namespace, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise ConfigError(f'configmap "{ref.get("name", "")}" not found')
            for key, value in (obj.get("data") or {}).items():
                env[prefix + key] = str(value)
        elif "secretRef" in source:
            ref = source["secretRef"]
            obj = store.get("Secret", namespace, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise ConfigError(f'secret "{ref.get("name", "")}" not found')
            for key, value in (obj.get("data") or {}).items():
                env[prefix + key] = _decode(value)
    for var in container.get("env") or []:
        name = var.get("name", "")
        if "value" in var:
            env[name] = expand(str(var.get("value") or ""), env)
            continue
        value_from = var.get("valueFrom") or {}
        if not value_from:
            env[name] = ""
            continue
        if "configMapKeyRef" in value_from:
            ref = value_from["configMapKeyRef"]
            obj = store.get("ConfigMap", namespace, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise ConfigError(f'configmap "{ref.get("name", "")}" not found')
            data = obj.get("data") or {}
            if ref.get("key") not in data:
                if ref.get("optional"):
                    continue
                raise ConfigError(
                    f"couldn't find key {ref.get('key')} in ConfigMap {namespace}/{ref.get('name')}"
                )
            env[name] = str(data[ref["key"]])
        elif "secretKeyRef" in value_from:
            ref = value_from["secretKeyRef"]
            obj = store.get("Secret", namespace, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                raise ConfigError(f'secret "{ref.get("name", "")}" not found')
            data = obj.get("data") or {}
            if ref.get("key") not in data:
                if ref.get("optional"):
                    continue
                raise ConfigError(
                    f"couldn't find key {ref.get('key')} in Secret {namespace}/{ref.get('name')}"
                )
            env[name] = _decode(data[ref["key"]])
        elif "fieldRef" in value_from:
            env[name] = field_value(pod, value_from["fieldRef"].get("fieldPath", ""), pod_ip)
        elif "resourceFieldRef" in value_from:
            ref = value_from["resourceFieldRef"]
            resource = ref.get("resource", "")
            section, _, key = resource.partition(".")
            env[name] = str(((container.get("resources") or {}).get(section) or {}).get(key, "0"))
    return env


def _decode(value: object) -> str:
    try:
        return base64.b64decode(str(value)).decode(errors="replace")
    except ValueError:
        return ""


def field_value(pod: dict, path: str, pod_ip: str | None) -> str:
    """A downward API field (`metadata.name`, `status.podIP`, `metadata.labels['app']`...)."""
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": status.get("hostIP", ""),
        "status.podIP": pod_ip or "",
    }
    if path in simple:
        return str(simple[path])
    match = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    return ""
