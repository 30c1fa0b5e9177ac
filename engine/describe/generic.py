"""The generic describer (genericDescriber, for kinds kubectl has no describer for) and the
small core kinds' describers: Namespace, ConfigMap, ServiceAccount."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.describe.common import (
    describe_events,
    print_annotations,
    print_labels,
    write_object_meta,
)
from engine.describe.writer import LEVEL_0, PrefixWriter

if TYPE_CHECKING:
    from engine.cluster import Cluster

COMMON_ACRONYMS = ("API", "URL", "UID", "GUID")
_GENERIC_SKIP = (
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
)


def events_about(cluster: Cluster, obj: dict) -> list[dict]:
    """searchEvents: the events whose involvedObject is this object (name, namespace, uid)."""
    return cluster.events.events_for(obj)


# -- generic ---------------------------------------------------------------------------------
def describe_generic(cluster: Cluster, obj: dict) -> str:
    """genericDescriber: name, namespace, labels, annotations, then every field."""
    meta = obj.get("metadata") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    _unstructured(w, LEVEL_0, obj, "")
    describe_events(w, events_about(cluster, obj), cluster.now_datetime())
    return w.text()


def _go_value(value: object) -> str:
    """`%v` of a value decoded from JSON."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(_go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{_go_value(v)}" for k, v in sorted(value.items()))
        return f"map[{inner}]"
    return str(value)


def _unstructured(w: PrefixWriter, level: int, content: dict, prefix: str) -> None:
    """printUnstructuredContent: fields sorted, maps and lists nested one level deeper."""
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _GENERIC_SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{_go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_go_value(value)}\n")


def _camel_split(text: str) -> list[str]:
    """fatih/camelcase.Split: runs of lower, upper, digit and other characters, with the
    last capital of an upper run moved to a following lower run (`PDFLoader` → PDF Loader)."""

    def kind(ch: str) -> int:
        if ch.islower():
            return 1
        if ch.isupper():
            return 2
        if ch.isdigit():
            return 3
        return 4

    runs: list[list[str]] = []
    last = 0
    for ch in text:
        k = kind(ch)
        if runs and k == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = k
    for i in range(len(runs) - 1):
        if runs[i] and runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def smart_label(field: str) -> str:
    """smartLabelFor: `apiVersion` → `API Version`, `holderIdentity` → `Holder Identity`."""
    if any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    parts = _camel_split(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if i < len(parts) - 1:
            following = parts[i + 1]
            if len(part) >= 2 and part.isupper() and following[:1].isupper():
                merged.append(part + following)
                i += 2
                continue
        merged.append(part)
        i += 1
    out = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in COMMON_ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        out.append(part)
    return " ".join(out)


# -- core kinds ----------------------------------------------------------------------------------
def describe_namespace(cluster: Cluster, namespace: dict) -> str:
    """describeNamespace (podtui has no ResourceQuota or LimitRange objects)."""
    meta = namespace.get("metadata") or {}
    status = namespace.get("status") or {}
    w = PrefixWriter()
    w.write(LEVEL_0, f"Name:\t{meta.get('name', '')}\n")
    print_labels(w, "Labels", meta.get("labels"))
    print_annotations(w, "Annotations", meta.get("annotations"))
    w.write(LEVEL_0, f"Status:\t{status.get('phase', '')}\n")
    w.write(LEVEL_0, "\n")
    w.write(LEVEL_0, "No resource quota.\n")
    w.write(LEVEL_0, "\n")
    w.write(LEVEL_0, "No LimitRange resource.\n")
    return w.text()


def describe_config_map(cluster: Cluster, config_map: dict) -> str:
    """ConfigMapDescriber: Data and BinaryData sections, then events."""
    meta = config_map.get("metadata") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    w.write(LEVEL_0, "\nData\n====\n")
    data = config_map.get("data") or {}
    for key in sorted(data):
        w.write(LEVEL_0, f"{key}:\n----\n")
        w.write(LEVEL_0, f"{data[key]}\n")
        w.write(LEVEL_0, "\n")
    w.write(LEVEL_0, "\nBinaryData\n====\n")
    binary = config_map.get("binaryData") or {}
    for key in sorted(binary):
        # binaryData is base64 in the object; kubectl counts the decoded bytes.
        raw = str(binary[key])
        size = len(raw) * 3 // 4 - raw.count("=")
        w.write(LEVEL_0, f"{key}: {size} bytes\n")
    w.write(LEVEL_0, "\n")
    describe_events(w, events_about(cluster, config_map), cluster.now_datetime())
    return w.text()


SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
SERVICE_ACCOUNT_UID_KEY = "kubernetes.io/service-account.uid"


def describe_service_account(cluster: Cluster, account: dict) -> str:
    """ServiceAccountDescriber / describeServiceAccount as kubectl 1.32 has them (kubernetes/
    kubectl v0.32 pkg/describe/describe.go; kubectl 1.35 dropped the last two headers): the
    image pull secrets, the mountable secrets (`secrets`) and the token Secrets that name the
    account, each header padded to one width and the three in sorted order; a referenced
    Secret the namespace lacks is marked `(not found)`; then the events."""
    meta = account.get("metadata") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    secrets = sorted(
        cluster.store.list("Secret", meta.get("namespace", "")),
        key=lambda secret: secret["metadata"]["name"],
    )
    existing = {secret["metadata"]["name"] for secret in secrets}
    tokens = [
        secret["metadata"]["name"]
        for secret in secrets
        if secret.get("type") == SERVICE_ACCOUNT_TOKEN
        and (secret["metadata"].get("annotations") or {}).get(SERVICE_ACCOUNT_NAME_KEY)
        == meta.get("name")
        and (secret["metadata"].get("annotations") or {}).get(SERVICE_ACCOUNT_UID_KEY)
        == meta.get("uid", "")
    ]
    pull = [s.get("name", "") for s in account.get("imagePullSecrets") or []]
    mountable = [s.get("name", "") for s in account.get("secrets") or []]
    missing = {name for name in pull + mountable if name not in existing}
    empty_header = " " * 19
    by_header = {
        "Image pull secrets:": pull,
        "Mountable secrets: ": mountable,
        "Tokens:            ": tokens,
    }
    for header in sorted(by_header):
        names = by_header[header]
        if not names:
            w.write(LEVEL_0, f"{header}\t<none>\n")
            continue
        prefix = header
        for name in names:
            marker = " (not found)" if name in missing else ""
            w.write(LEVEL_0, f"{prefix}\t{name}{marker}\n")
            prefix = empty_header
    describe_events(w, events_about(cluster, account), cluster.now_datetime())
    return w.text()


__all__ = [
    "describe_config_map",
    "describe_generic",
    "describe_namespace",
    "describe_service_account",
    "smart_label",
]
