"""Helpers for tests that run a cluster: build one from YAML text, read a pod's story."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.manifests.loader import load_text
from engine.printers import pod_ready, pod_restarts, pod_status_reason
from engine.steps import apply_manifests


def cluster_with(yaml_text: str, *, seed: int = 0, default_nodes: bool = True) -> Cluster:
    """A booted cluster with the manifests applied at t=0 (fails the test on bad input)."""
    loaded = load_text(yaml_text, "test.yaml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    cluster = Cluster(seed=seed)
    has_nodes = any(m.kind == "Node" for m in loaded.manifests)
    cluster.boot(default_nodes=default_nodes and not has_nodes)
    result = apply_manifests(cluster, loaded.manifests)
    assert not result.errors, result.errors
    return cluster


def pod(cluster: Cluster, name: str, namespace: str = "default") -> dict:
    found = cluster.store.get("Pod", namespace, name)
    assert found is not None, f"pod {name} not found"
    return found


def status_line(cluster: Cluster, name: str) -> tuple[str, str, str]:
    """(READY, STATUS, RESTARTS) as kubectl get pods shows them now."""
    obj = pod(cluster, name)
    ready, total = pod_ready(obj)
    return f"{ready}/{total}", pod_status_reason(obj), pod_restarts(obj, cluster.now_datetime())


def container_status(cluster: Cluster, name: str, container: str | None = None) -> dict:
    statuses = (pod(cluster, name).get("status") or {}).get("containerStatuses") or []
    if container is None:
        return statuses[0]
    return next(s for s in statuses if s["name"] == container)


def reasons(cluster: Cluster, name: str) -> list[str]:
    """The reasons of the pod's events, oldest first (a repeated event appears once)."""
    return [e["reason"] for e in cluster.events.events_for(pod(cluster, name))]


def event_messages(cluster: Cluster, name: str, reason: str) -> list[str]:
    return [
        e["message"] for e in cluster.events.events_for(pod(cluster, name)) if e["reason"] == reason
    ]


def timeline(
    cluster: Cluster, name: str, until: float, step: float = 1.0
) -> list[tuple[float, str]]:
    """STATUS after every step until `until` (each change once)."""
    seen: list[tuple[float, str]] = []
    while cluster.now < until:
        cluster.run_until(cluster.now + step)
        obj = cluster.store.get("Pod", "default", name)
        status = pod_status_reason(obj) if obj is not None else "<gone>"
        if not seen or seen[-1][1] != status:
            seen.append((cluster.now, status))
    return seen
