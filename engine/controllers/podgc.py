"""PodGC: pods bound to a node that no longer exists are failed and deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.store import Change

if TYPE_CHECKING:
    from engine.cluster import Cluster

QUARANTINE = 40.0


class PodGCController:
    name = "pod-garbage-collector"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        cluster.store.watch(self._on_change, {"Node"})

    def _on_change(self, change: Change) -> None:
        if change.type != "DELETED":
            return
        node_name = change.obj["metadata"]["name"]
        self.cluster.clock.call_later(QUARANTINE, lambda: self._gc_orphans(node_name))

    def _gc_orphans(self, node_name: str) -> None:
        store = self.cluster.store
        if store.get("Node", "", node_name) is not None:
            return
        for pod in store.list("Pod"):
            if (pod.get("spec") or {}).get("nodeName") != node_name:
                continue
            status = pod.setdefault("status", {})
            if status.get("phase") not in ("Succeeded", "Failed"):
                status["phase"] = "Failed"
            conditions = [
                c for c in status.get("conditions") or [] if c.get("type") != "DisruptionTarget"
            ]
            conditions.append(
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": self.cluster.clock.timestamp(),
                    "message": "PodGC: node no longer exists",
                    "reason": "DeletionByPodGC",
                    "status": "True",
                    "type": "DisruptionTarget",
                }
            )
            status["conditions"] = conditions
            store.modified(pod)
            meta = pod["metadata"]
            self.cluster.api.delete("Pod", meta.get("namespace", ""), meta["name"], grace_period=0)
