"""Syncs from counts kept off the change feed against syncs that list every pod.

The ReplicaSet controller (engine/workloads/replica_counts.py) and the disruption controller
(engine/disruption/budget_pods.py) keep each owner's pods as counts and sync from them when
they can. A run with the counts and a run without (`from_counts = False`: every sync lists
the pods, as before) must leave every object and every event the same, through a drain
past budgets, a rollout, scaling both ways, a released and an adopted pod, a deleted pod
and a budget whose selector changes. The counts themselves must equal the pods' own
figures after every tick.
"""

from __future__ import annotations

import json

import pytest

from engine import actions
from engine.cluster import Cluster
from engine.disruption.budget_pods import budget_pods, pod_facts
from engine.disruption.disruption_controller import DisruptionController
from engine.disruption.drain import DrainOptions, drain
from engine.disruption.selection import budget_index
from engine.labels import parsed_label_selector
from engine.workloads import actions as workload_actions
from engine.workloads.replicaset import ReplicaSetController
from tests.engine.workloads.helpers import apply, cluster_with

MANIFESTS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 6
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 4
  minReadySeconds: 5
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: app, image: nginx:1.27}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: bare}
spec:
  replicas: 3
  selector: {matchLabels: {app: bare}}
  template:
    metadata: {labels: {app: bare}}
    spec:
      containers:
      - {name: app, image: nginx:1.27}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  minAvailable: "50%"
  selector: {matchLabels: {app: api}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: bare}
spec:
  minAvailable: 2
  selector: {matchExpressions: [{key: app, operator: In, values: [bare, loose]}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: everything}
spec:
  maxUnavailable: "30%"
  selector: {}
"""

LOOSE_POD = """
apiVersion: v1
kind: Pod
metadata: {name: loose, labels: {app: bare}}
spec:
  containers:
  - {name: app, image: nginx:1.27}
"""

UNMANAGED_POD = """
apiVersion: v1
kind: Pod
metadata: {name: stray, labels: {app: loose}}
spec:
  containers:
  - {name: app, image: nginx:1.27}
"""


def check_counts(cluster: Cluster) -> None:
    """Every kept count equals what a pass over the pods gives."""
    controller = cluster.controllers["replicaset"]
    for uid, counts in controller._counts.items():
        fresh = type(counts)(counts.selector, counts.labels)
        for pod in controller.index.controlled_by(uid, "Pod"):
            fresh.put(pod["metadata"]["uid"], fresh.bits(pod))
        assert counts.pods == fresh.pods
        assert (counts.unmatched, counts.active, counts.fully_labeled, counts.ready) == (
            fresh.unmatched,
            fresh.active,
            fresh.fully_labeled,
            fresh.ready,
        )
    tracker = budget_pods(cluster)
    index = budget_index(cluster)
    for (namespace, name), members in tracker.budgets.items():
        pdb = cluster.store.get("PodDisruptionBudget", namespace, name)
        assert pdb is not None
        selector = parsed_label_selector(pdb["spec"].get("selector"))
        pods = index.pods_for(namespace, selector)
        assert members.pods == {p["metadata"]["name"]: pod_facts(p) for p in pods}
        assert members.healthy == sum(1 for p in pods if pod_facts(p)[1])


def run(*, from_counts: bool, check: bool = False) -> tuple[str, dict[str, int]]:
    """The scenario; the store's objects and events as JSON, and how often each kind of
    sync ran from the counts."""
    cluster = cluster_with(MANIFESTS, nodes=4)
    rs_controller = cluster.controllers["replicaset"]
    pdb_controller = cluster.controllers["disruption"]
    rs_controller.from_counts = from_counts
    pdb_controller.from_counts = from_counts
    used = {"replicaset": 0, "budget": 0}
    counts_for, sync_members = rs_controller._counts_for, pdb_controller._sync_members

    def counting_counts_for(rs: dict, selector: object) -> object:
        counts = counts_for(rs, selector)
        used["replicaset"] += counts is not None
        return counts

    def counting_members(pdb: dict, members: object) -> None:
        used["budget"] += 1
        sync_members(pdb, members)

    rs_controller._counts_for = counting_counts_for  # type: ignore[method-assign]
    pdb_controller._sync_members = counting_members  # type: ignore[method-assign]

    def until(t: float) -> None:
        while cluster.now < t:
            cluster.tick()
            if check:
                check_counts(cluster)

    until(20)
    running = drain(cluster, DrainOptions(node="node-1", ignore_daemonsets=True))
    until(60)
    assert running.done
    actions.uncordon(cluster, "node-1")
    workload_actions.set_image(cluster, "deployment/web", "nginx:1.28")
    until(90)
    # A pod of the bare ReplicaSet relabelled (released, then counted by the "bare"
    # budget as unmanaged), an orphan it adopts, a pod no controller owns.
    (pod, *_) = [p for p in cluster.store.list("Pod") if p["metadata"]["name"].startswith("bare-")]
    pod["metadata"]["labels"] = {"app": "loose"}
    cluster.store.modified(pod)
    apply(cluster, LOOSE_POD)
    apply(cluster, UNMANAGED_POD)
    until(100)
    workload_actions.scale(cluster, "deployment/web", 3)
    workload_actions.scale(cluster, "deployment/api", 6)
    workload_actions.scale(cluster, "replicaset/bare", 5)
    until(120)
    victim = next(p for p in cluster.store.list("Pod") if p["metadata"]["name"].startswith("api-"))
    actions.delete(cluster, f"pod/{victim['metadata']['name']}", grace_period=0, force=True)
    # A budget's selector changes: its members are made again.
    web = cluster.store.get("PodDisruptionBudget", "default", "web")
    web["spec"]["selector"] = {"matchLabels": {"tier": "front"}}
    cluster.store.modified(web, spec_changed=True)
    until(130)
    running = drain(cluster, DrainOptions(node="node-2", ignore_daemonsets=True, force=True))
    until(260)
    dump = {
        kind: cluster.store.list(kind)
        for kind in ("Pod", "ReplicaSet", "Deployment", "PodDisruptionBudget", "Node", "Event")
    }
    return json.dumps(dump, sort_keys=True, default=str), used


@pytest.fixture(scope="module")
def runs() -> tuple[tuple[str, dict[str, int]], tuple[str, dict[str, int]]]:
    return run(from_counts=True, check=True), run(from_counts=False)


def test_syncs_from_the_counts_leave_every_object_and_event_as_listing_does(runs) -> None:  # type: ignore[no-untyped-def]
    (counted, used), (listed, unused) = runs
    assert counted == listed
    # Not a comparison of two runs that both listed: the counts served most syncs.
    assert used["replicaset"] > 10 and used["budget"] > 10, used
    assert unused == {"replicaset": 0, "budget": 0}


def test_the_counts_are_turned_on_by_default() -> None:
    assert ReplicaSetController.from_counts is True
    assert DisruptionController.from_counts is True
