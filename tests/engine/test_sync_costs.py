"""What a sync reads once its owner's pods are counted: the changes, not every replica.

A drain evicts a node's pods at once; each eviction wakes the pod's ReplicaSet and budget
several times in the instant (k8s.io/kubernetes/pkg/controller/replicaset/replica_set.go
syncReplicaSet, pkg/controller/disruption/disruption.go trySync). Those syncs must not list
the owner's pods again: they read the counts kept from the change feed
(engine/workloads/replica_counts.py, engine/disruption/budget_pods.py).
"""

from __future__ import annotations

from engine.cluster import Cluster
from engine.disruption.eviction import evict
from tests.engine.workloads.helpers import cluster_with

MANIFESTS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 20
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx:1.27}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
"""


def settled() -> Cluster:
    cluster = cluster_with(MANIFESTS)
    cluster.run_until(30)
    pdb = cluster.store.get("PodDisruptionBudget", "default", "web")
    assert pdb["status"]["disruptionsAllowed"] == 1
    return cluster


def test_a_replica_set_replaces_an_evicted_pod_without_listing_its_pods() -> None:
    cluster = settled()
    controller = cluster.controllers["replicaset"]
    listings: list[str] = []
    claim = controller.claim_pods

    def listing(owner: dict, selector, **kwargs):  # type: ignore[no-untyped-def]
        listings.append(owner["metadata"]["name"])
        return claim(owner, selector, **kwargs)

    controller.claim_pods = listing  # type: ignore[method-assign]
    (counts,) = controller._counts.values()
    victim = cluster.store.list("Pod")[0]["metadata"]["name"]
    assert evict(cluster, victim, "default").checked_budget
    cluster.run_until(cluster.now + 30)
    rs = next(iter(cluster.store.list("ReplicaSet")))
    assert rs["status"]["readyReplicas"] == 20
    assert cluster.store.get("Pod", "default", victim) is None
    assert listings == []
    assert controller._counts[rs["metadata"]["uid"]] is counts  # counted on, not made again


def test_a_budget_follows_an_eviction_without_listing_its_pods() -> None:
    cluster = settled()
    controller = cluster.controllers["disruption"]
    listings: list[str] = []
    pods_for = controller.index.pods_for

    def listing(namespace: str, selector):  # type: ignore[no-untyped-def]
        listings.append(namespace)
        return pods_for(namespace, selector)

    controller.index.pods_for = listing  # type: ignore[method-assign]
    healthy: list[int] = []
    cluster.store.watch(
        lambda change: healthy.append(change.obj["status"]["currentHealthy"]),
        {"PodDisruptionBudget"},
    )
    victim = cluster.store.list("Pod")[0]["metadata"]["name"]
    assert evict(cluster, victim, "default").checked_budget
    cluster.run_until(cluster.now + 60)
    # The evicted pod, being deleted, stopped counting as healthy; its replacement counts.
    assert 19 in healthy
    pdb = cluster.store.get("PodDisruptionBudget", "default", "web")
    assert pdb["status"]["currentHealthy"] == 20
    assert pdb["status"]["disruptionsAllowed"] == 1
    assert listings == []
