"""What `podtui sim` prints: a `v1 List` as JSON or YAML, or kubectl-style tables."""

from __future__ import annotations

import json
from datetime import datetime

import yaml

from engine.api.kinds import KindInfo, kind_info
from engine.printers import render_table

# The order of table blocks: nodes, workloads, policy, the rest, events last.
TABLE_ORDER = [
    "Node",
    "Namespace",
    "Pod",
    "Service",
    "Endpoints",
    "EndpointSlice",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "PodPreset",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Lease",
]


class _Dumper(yaml.SafeDumper):
    """kubectl's YAML: block style, keys sorted, lists not indented under their key, and
    strings that need quotes in double quotes (`status: "True"`), as go-yaml writes them."""

    def ignore_aliases(self, data: object) -> bool:
        # Objects may share read-only parts (a pod's token volume sources, an event's source);
        # kubectl never prints YAML anchors.
        return True

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        if style == "'" and '"' not in self.event.value and "\\" not in self.event.value:
            return '"'
        return style


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_presenter)


def to_yaml(data: object) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        default_flow_style=False,
        sort_keys=True,
        allow_unicode=True,
        width=10**9,
    )


def to_json(data: object) -> str:
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def as_list(objects: list[dict]) -> dict:
    """A `v1 List`, as `kubectl get -o yaml` prints several objects."""
    return {
        "apiVersion": "v1",
        "items": objects,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def sort_objects(objects: list[dict]) -> list[dict]:
    """By kind, namespace, name (DESIGN.md)."""
    return sorted(
        objects,
        key=lambda o: (
            o.get("kind", ""),
            o["metadata"].get("namespace", ""),
            o["metadata"].get("name", ""),
        ),
    )


def filter_objects(
    objects: list[dict],
    *,
    kinds: list[KindInfo] | None,
    namespace: str | None,
    all_namespaces: bool,
) -> list[dict]:
    """Keep the requested kinds, and one namespace (plus cluster-scoped objects) unless -A."""
    wanted = {k.kind for k in kinds} if kinds else None
    out = []
    for obj in objects:
        if wanted is not None and obj.get("kind") not in wanted:
            continue
        if not all_namespaces and namespace is not None:
            obj_ns = obj["metadata"].get("namespace")
            if obj_ns and obj_ns != namespace:
                continue
        out.append(obj)
    return out


def render_tables(objects: list[dict], now: datetime, *, wide: bool, all_namespaces: bool) -> str:
    """One `kubectl get` block per kind, separated by blank lines."""
    by_kind: dict[str, list[dict]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)

    def order(kind: str) -> tuple[int, str]:
        if kind == "Event":
            return (len(TABLE_ORDER) + 1, kind)
        return (TABLE_ORDER.index(kind) if kind in TABLE_ORDER else len(TABLE_ORDER), kind)

    blocks = []
    for kind in sorted(by_kind, key=order):
        items = by_kind[kind]
        if kind == "Event":
            items = sorted(items, key=_event_order)
        blocks.append(
            render_table(
                kind,
                items,
                now,
                wide=wide,
                all_namespaces=all_namespaces,
                show_kind=len(by_kind) > 1,
            )
        )
    return "\n".join(b for b in blocks if b)


def _event_order(event: dict) -> tuple[str, str, str]:
    meta = event["metadata"]
    return (meta.get("namespace", ""), meta.get("name", ""), "")


def kind_label(kind: str) -> str:
    info = kind_info(kind)
    return info.plural if info else kind.lower()
