"""Small helpers for the workload tests: manifests as dicts, clusters, and looking around."""

from __future__ import annotations

import re

import yaml

from engine.cluster import Cluster
from engine.manifests.loader import load_text
from engine.steps import apply_manifests

SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}"


def cluster_with(text: str, *, seed: int = 0, nodes: int = 3) -> Cluster:
    """A booted cluster with the manifests applied at t=0."""
    loaded = load_text(text, "test.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    cluster = Cluster(seed=seed)
    has_nodes = any(m.kind == "Node" for m in loaded.manifests)
    cluster.boot(default_nodes=not has_nodes and nodes == 3)
    if not has_nodes and nodes != 3:
        from engine.cluster import default_node

        for index in range(1, nodes + 1):
            cluster.api.create(default_node(f"node-{index}"))
    result = apply_manifests(cluster, loaded.manifests)
    assert not result.errors, result.errors
    return cluster


def apply(cluster: Cluster, text: str) -> list[str]:
    loaded = load_text(text, "more.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    result = apply_manifests(cluster, loaded.manifests)
    return result.lines + result.errors


def container(name: str = "app", image: str = "nginx:1.27", **extra) -> dict:
    return {"name": name, "image": image, **extra}


def workload(
    kind: str,
    name: str,
    *,
    replicas: int | None = None,
    api_version: str = "apps/v1",
    labels: dict | None = None,
    spec: dict | None = None,
    pod_spec: dict | None = None,
    selector: bool = True,
) -> str:
    """A Deployment / ReplicaSet / StatefulSet / DaemonSet manifest as YAML text."""
    labels = labels or {"app": name}
    body: dict = {
        "template": {
            "metadata": {"labels": labels},
            "spec": pod_spec or {"containers": [container()]},
        }
    }
    if selector:
        body["selector"] = {"matchLabels": labels}
    if replicas is not None:
        body["replicas"] = replicas
    body.update(spec or {})
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, "spec": body}
    return yaml.safe_dump(obj, sort_keys=False)


def pods_of(cluster: Cluster, prefix: str, namespace: str = "default") -> list[dict]:
    pattern = re.compile(rf"^{re.escape(prefix)}-")
    return [p for p in cluster.store.list("Pod", namespace) if pattern.match(p["metadata"]["name"])]


def names(objs: list[dict]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


def active(pods: list[dict]) -> list[dict]:
    return [
        p
        for p in pods
        if not p["metadata"].get("deletionTimestamp")
        and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]


def ready(pod: dict) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or ()
    )


def events(cluster: Cluster, obj: dict, reason: str | None = None) -> list[str]:
    return [
        e["message"]
        for e in cluster.events.events_for(obj)
        if reason is None or e["reason"] == reason
    ]


def get(cluster: Cluster, kind: str, name: str, namespace: str = "default") -> dict:
    obj = cluster.store.get(kind, namespace, name)
    assert obj is not None, f"{kind} {name} not found"
    return obj
