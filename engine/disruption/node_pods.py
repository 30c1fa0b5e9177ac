"""The pods bound to each node, as the API server answers `fieldSelector=spec.nodeName=NODE`.

`kubectl drain` lists the node's pods with that field selector (k8s.io/kubectl/pkg/drain/
drain.go, GetPodsForDeletion), and the API server answers it from its watch cache's index on
the field (k8s.io/kubernetes/pkg/registry/core/pod/strategy.go, NodeNameIndexFunc), not by
reading every pod. This is that index, fed by the change feed: at 150,000 pods the scan it
replaces sorted every pod to keep the 30 of one node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.per_cluster import PerCluster
from engine.store import Change

if TYPE_CHECKING:
    from engine.cluster import Cluster

Key = tuple[str, str]
_INDEXES: PerCluster[NodePodIndex] = PerCluster()


def node_pod_index(cluster: Cluster) -> NodePodIndex:
    """The cluster's index of pods by node, created (and subscribed) on first use."""
    return _INDEXES.get(cluster, NodePodIndex)


class NodePodIndex:
    """(namespace, name) of every pod by its spec.nodeName."""

    def __init__(self, cluster: Cluster) -> None:
        self.store = cluster.store
        self._node_of: dict[Key, str] = {}
        self._on: dict[str, dict[Key, None]] = {}
        # Reads a pod's nodeName only: its status writes are no-ops here.
        self.store.watch(self._on_pod, {"Pod"}, status_writes=False)
        for pod in self.store.iter("Pod"):
            self._on_pod(Change("ADDED", "Pod", pod))

    def _on_pod(self, change: Change) -> None:
        obj = change.obj
        node = "" if change.type == "DELETED" else (obj.get("spec") or {}).get("nodeName") or ""
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        old = self._node_of.get(key, "")
        if old == node:
            return
        if old:
            bucket = self._on[old]
            del bucket[key]
            if not bucket:
                del self._on[old]
        if node:
            self._node_of[key] = node
            self._on.setdefault(node, {})[key] = None
        else:
            del self._node_of[key]

    def keys_on(self, node: str, namespace: str | None = None) -> list[Key]:
        """(namespace, name) of the node's pods (of one namespace, or all), sorted."""
        keys = self._on.get(node, ())
        if namespace is not None:
            return sorted(key for key in keys if key[0] == namespace)
        return sorted(keys)

    def pods_on(self, node: str) -> list[dict]:
        """The node's pods in every namespace, by namespace and name (a list's order)."""
        get = self.store.get
        pods = []
        for key in self.keys_on(node):
            pod = get("Pod", *key)
            if pod is not None and (pod.get("spec") or {}).get("nodeName") == node:
                pods.append(pod)
        return pods
