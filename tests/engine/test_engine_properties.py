"""Property: whatever a user and bad luck do to a cluster, Kubernetes' promises hold.

Hypothesis drives a small cluster (a Deployment under a budget, a StatefulSet, a DaemonSet,
three nodes) with random actions and faults, each through the scenario step a console key
runs: applies, deletes, scales, image changes, evictions, drains, node down / up / delete,
crashes, OOMs and pod kills. After every tick it checks:

- no pod is bound to a node that does not exist, and a pod left on a deleted node is gone
  once PodGC's quarantine has passed (pkg/controller/podgc/gc_controller.go);
- the pods on a node fit its allocatable (the scheduler's NodeResourcesFit filter);
- at most one live pod per StatefulSet ordinal (the StatefulSet's at-most-one guarantee);
- at most one pod of a DaemonSet per node (the controller waits for a deleted pod to go);
- no eviction takes a budget below its desiredHealthy (pkg/registry/core/pod/storage/
  eviction.go);
- every watcher sees resourceVersions strictly increasing (a watch from the API server's
  watch cache delivers changes in resourceVersion order);

and once the faults stop (nodes back, uncordoned, enough of them), every controller
converges. The default run is quick; `HYPOTHESIS_PROFILE=ci` runs many more examples.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter, defaultdict

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import actions
from engine.api import errors
from engine.cluster import Cluster, default_node
from engine.controllers.podgc import QUARANTINE
from engine.disruption.eviction import evict
from engine.disruption.podutil import is_pod_ready
from engine.quantity import parse_quantity
from engine.scenario import Step
from engine.steps import run_step
from engine.store import Change
from tests.engine.simulation import cluster_with

settings.register_profile(
    "engine-properties",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "engine-properties-ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(
    "engine-properties-ci" if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else "engine-properties"
)
TOTALS: Counter[str] = Counter()
"""Examples and ticks run (printed at the end of the module with `-s`; README's figures)."""

LIVELOCK_CHANGES = 20_000
"""More changes than this in one tick is a livelock (the cluster would never reach the
next tick)."""


class Livelock(Exception):
    """Controllers undoing each other at one simulated instant, for ever."""


MIN_AVAILABLE = 2
CLUSTER = f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources: {{requests: {{cpu: 500m, memory: 256Mi}}}}
        readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 5}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: web}}
spec:
  minAvailable: {MIN_AVAILABLE}
  selector: {{matchLabels: {{app: web}}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db}}
spec:
  serviceName: db
  replicas: 3
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers:
      - name: redis
        image: redis:7.2
        resources: {{requests: {{cpu: 500m, memory: 256Mi}}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent}}
spec:
  selector: {{matchLabels: {{app: agent}}}}
  template:
    metadata: {{labels: {{app: agent}}}}
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: [sh, -c, "while true; do echo shipping; sleep 30; done"]
        resources: {{requests: {{cpu: 100m, memory: 32Mi}}}}
"""
TARGETS = ("deployment/web", "statefulset/db")
IMAGES = ("nginx:1.27", "nginx:1.28", "nginx:no-such-tag")


def is_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def owner_uid(pod: dict, kind: str) -> str | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return ref["uid"]
    return None


class Invariants:
    """Watches the change feed and checks the cluster after every tick."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.violations: list[str] = []
        self.node_gone_at: dict[str, float] = {}
        self.ready_before: dict[str, bool] = {}
        self._wrapped: set[int] = set()
        self.watch_every_watcher()
        cluster.watch(self._on_pod, {"Pod"})
        cluster.watch(self._on_node, {"Node"})

    def fail(self, text: str) -> None:
        self.violations.append(f"[{self.cluster.now:g}s] {text}")

    # -- resourceVersions, as every watcher sees them ---------------------------------------
    def watch_every_watcher(self) -> None:
        """Put a check in front of every watcher the engine has subscribed (controllers,
        kubelets, the cluster itself), plus one of our own for every kind."""
        store = self.cluster.store
        entries = []
        for kinds, watcher, status_writes in store._watchers:
            if id(watcher) in self._wrapped:
                entries.append((kinds, watcher, status_writes))
                continue
            checked = self._checked(watcher, repr(watcher))
            self._wrapped.add(id(checked))
            entries.append((kinds, checked, status_writes))
        store._watchers[:] = entries
        store._by_kind.clear()
        store._by_kind_status.clear()

    def _checked(self, watcher, name: str):
        last = [0]

        def checked(change: Change) -> None:
            TOTALS["changes this tick"] += 1
            if TOTALS["changes this tick"] > LIVELOCK_CHANGES:
                raise Livelock(
                    f"[{self.cluster.now:g}s] over {LIVELOCK_CHANGES} changes in one tick: "
                    f"{change.type} {change.kind} {change.obj['metadata'].get('name')}"
                )
            version = int(change.obj["metadata"]["resourceVersion"])
            if version <= last[0]:
                meta = change.obj["metadata"]
                self.fail(
                    f"{name} saw {change.type} {change.kind} {meta.get('name')} at "
                    f"resourceVersion {version} after {last[0]}"
                )
            last[0] = max(last[0], version)
            watcher(change)

        checked._watched = watcher  # type: ignore[attr-defined]
        return checked

    # -- bindings and evictions, as they happen ---------------------------------------------
    def _on_node(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        if change.type == "DELETED":
            self.node_gone_at[name] = self.cluster.now
        else:
            self.node_gone_at.pop(name, None)

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        meta = pod["metadata"]
        name = meta["name"]
        node = (pod.get("spec") or {}).get("nodeName")
        if (
            change.type != "DELETED"
            and node
            and name not in self.ready_before
            and self.cluster.store.get("Node", "", node) is None
            and node not in self.node_gone_at
        ):
            self.fail(f"pod {name} bound to node {node}, which never existed")
        evicted = any(
            c.get("type") == "DisruptionTarget" and c.get("reason") == "EvictionByEvictionAPI"
            for c in (pod.get("status") or {}).get("conditions") or []
        )
        labels = meta.get("labels") or {}
        if evicted and meta.get("deletionTimestamp") and name in self.ready_before:
            was_ready = self.ready_before.pop(name)
            if was_ready and labels.get("app") == "web":
                healthy = sum(
                    1
                    for other in self.cluster.store.iter("Pod")
                    if other["metadata"]["name"] != name
                    and (other["metadata"].get("labels") or {}).get("app") == "web"
                    and not other["metadata"].get("deletionTimestamp")
                    and is_pod_ready(other)
                )
                if healthy < MIN_AVAILABLE:
                    self.fail(f"evicting {name} left {healthy} healthy < {MIN_AVAILABLE}")
        elif change.type == "DELETED" or meta.get("deletionTimestamp"):
            # A pod already being deleted (its owner's cascade, a `kubectl delete`) is no
            # longer guarded: evicting it deletes it without a budget (canIgnorePDB).
            self.ready_before.pop(name, None)
        else:
            self.ready_before[name] = is_pod_ready(pod)

    # -- after every tick -------------------------------------------------------------------
    def check(self) -> None:
        store = self.cluster.store
        nodes = {n["metadata"]["name"]: n for n in store.iter("Node")}
        used: dict[str, Counter[str]] = defaultdict(Counter)
        ordinals: dict[tuple[str, str], set[str]] = defaultdict(set)
        daemons: Counter[tuple[str, str]] = Counter()
        for pod in store.iter("Pod"):
            meta = pod["metadata"]
            node = (pod.get("spec") or {}).get("nodeName")
            if not node:
                continue
            if node not in nodes:
                gone = self.node_gone_at.get(node)
                if gone is None or self.cluster.now - gone > QUARANTINE + 1:
                    self.fail(f"pod {meta['name']} still on missing node {node}")
                continue
            if is_terminal(pod):
                continue
            for container in pod["spec"].get("containers") or []:
                for resource, value in (
                    (container.get("resources") or {}).get("requests") or {}
                ).items():
                    used[node][resource] += parse_quantity(value)
            used[node]["pods"] += 1
            sts = owner_uid(pod, "StatefulSet")
            if sts is not None:
                ordinal = re.sub(r"^.*-", "", meta["name"])
                ordinals[(sts, ordinal)].add(meta["uid"])
            ds = owner_uid(pod, "DaemonSet")
            if ds is not None:
                daemons[(ds, node)] += 1
        # The kubelets' pods still running (a partitioned node's too) count for ordinals.
        for kubelet in self.cluster.kubelets.values():
            for worker in kubelet.workers.values():
                if worker.terminal or worker.removed:
                    continue
                sts = owner_uid(worker.pod, "StatefulSet")
                if sts is not None:
                    ordinal = re.sub(r"^.*-", "", worker.pod["metadata"]["name"])
                    ordinals[(sts, ordinal)].add(worker.pod["metadata"]["uid"])
        for node, counts in used.items():
            allocatable = (nodes[node].get("status") or {}).get("allocatable") or {}
            for resource, amount in counts.items():
                limit = allocatable.get(resource)
                if limit is not None and amount > parse_quantity(limit):
                    self.fail(f"node {node}: {resource} requests {amount} > allocatable {limit}")
        for (_, ordinal), uids in ordinals.items():
            if len(uids) > 1:
                self.fail(f"StatefulSet ordinal {ordinal} has {len(uids)} live pods")
        for (_, node), count in daemons.items():
            if count > 1:
                self.fail(f"DaemonSet has {count} pods on {node}")


# -- the actions ----------------------------------------------------------------------------
node_index = st.integers(0, 4)
action = st.one_of(
    st.tuples(st.just("scale"), st.sampled_from(TARGETS), st.integers(0, 8)),
    st.tuples(st.just("setImage"), st.sampled_from(TARGETS), st.sampled_from(IMAGES)),
    st.tuples(st.just("apply"), st.integers(1, 6)),
    st.tuples(st.just("delete"), st.sampled_from(["pod", "statefulset/db", "deployment/web"])),
    st.tuples(st.just("evict"), st.integers(0, 20)),
    st.tuples(st.just("drain"), node_index),
    st.tuples(st.just("uncordon"), node_index),
    st.tuples(st.just("nodeDown"), node_index),
    st.tuples(st.just("nodeUp"), node_index),
    st.tuples(st.just("nodeDelete"), node_index),
    st.tuples(st.just("nodeAdd"), st.just(0)),
    st.tuples(st.sampled_from(["crash", "oom", "podKill"]), st.integers(0, 20)),
)


def node_name(cluster: Cluster, index: int) -> str | None:
    names = sorted(n["metadata"]["name"] for n in cluster.store.iter("Node"))
    return names[index % len(names)] if names else None


def pod_name(cluster: Cluster, index: int) -> str | None:
    names = sorted(p["metadata"]["name"] for p in cluster.store.iter("Pod"))
    return names[index % len(names)] if names else None


def step(cluster: Cluster, name: str, value: object, **options: object) -> None:
    run_step(cluster, Step(cluster.now, name, value, dict(options)))


def act(cluster: Cluster, what: tuple) -> None:
    kind = what[0]
    if kind == "scale":
        step(cluster, "scale", {"target": what[1], "replicas": what[2]})
    elif kind == "setImage":
        container = "nginx" if what[1].startswith("deployment") else "redis"
        step(cluster, "setImage", {"target": what[1], "container": container, "image": what[2]})
    elif kind == "apply":
        # The manifests again, with another replica count (kubectl apply's three-way merge).
        text = CLUSTER.replace(
            "replicas: 3\n  selector: {matchLabels: {app: web}}",
            f"replicas: {what[1]}\n  selector: {{matchLabels: {{app: web}}}}",
        )
        from engine.manifests.loader import load_text
        from engine.steps import apply_manifests

        apply_manifests(cluster, load_text(text, "cluster.yaml").manifests)
    elif kind == "delete":
        target = what[1]
        if target == "pod":
            name = pod_name(cluster, len(cluster.store.list("Pod")) // 2)
            if name is None:
                return
            target = f"pods/{name}"
        step(cluster, "delete", target)
    elif kind == "evict":
        name = pod_name(cluster, what[1])
        if name is not None:
            with contextlib.suppress(errors.APIError):
                evict(cluster, name)
    elif kind in ("drain", "uncordon"):
        node = node_name(cluster, what[1])
        if node is None:
            return
        if kind == "drain":
            step(
                cluster,
                "drain",
                {"node": node, "ignoreDaemonsets": True, "force": True, "timeout": "60s"},
            )
        else:
            step(cluster, "uncordon", node)
    elif kind in ("nodeDown", "nodeUp"):
        node = node_name(cluster, what[1])
        if node is not None:
            step(cluster, "inject", {"fault": kind, "node": node})
    elif kind == "nodeDelete":
        node = node_name(cluster, what[1])
        if node is not None and cluster.store.count("Node") > 1:
            actions.delete(cluster, f"nodes/{node}")
    elif kind == "nodeAdd":
        add_node(cluster)
    else:
        name = pod_name(cluster, what[1])
        if name is not None:
            step(cluster, "inject", {"fault": kind, "pod": name})


def add_node(cluster: Cluster) -> None:
    """A new node, with the lowest free name (a deleted node's name too: the pods PodGC has
    not removed yet then land on it, as in Kubernetes)."""
    taken = {n["metadata"]["name"] for n in cluster.store.iter("Node")}
    index = 1
    while f"node-{index}" in taken:
        index += 1
    cluster.api.create(default_node(f"node-{index}"))


def run(cluster: Cluster, invariants: Invariants, seconds: int) -> None:
    for _ in range(seconds):
        TOTALS["changes this tick"] = 0
        cluster.tick()
        TOTALS["ticks"] += 1
        invariants.watch_every_watcher()  # kubelets of new nodes subscribe as they come
        invariants.check()
        assert not invariants.violations, invariants.violations


def converged(cluster: Cluster) -> list[str]:
    """What is not yet as the controllers want it (empty once everything converged)."""
    store = cluster.store
    waiting = []
    pods = [p for p in store.iter("Pod") if not p["metadata"].get("deletionTimestamp")]
    for deploy in store.iter("Deployment"):
        want = deploy["spec"].get("replicas", 1)
        status = deploy.get("status") or {}
        if (status.get("readyReplicas", 0), status.get("updatedReplicas", 0)) != (want, want):
            image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
            if "no-such-tag" not in image:
                waiting.append(f"deployment/{deploy['metadata']['name']}: {status}")
    for sts in store.iter("StatefulSet"):
        want = sts["spec"].get("replicas", 1)
        status = sts.get("status") or {}
        image = sts["spec"]["template"]["spec"]["containers"][0]["image"]
        if status.get("readyReplicas", 0) != want and "no-such-tag" not in image:
            waiting.append(f"statefulset/{sts['metadata']['name']}: {status}")
    for ds in store.iter("DaemonSet"):
        status = ds.get("status") or {}
        nodes = store.count("Node")
        if (status.get("desiredNumberScheduled"), status.get("numberReady")) != (nodes, nodes):
            waiting.append(f"daemonset/{ds['metadata']['name']}: {status}")
    bound = Counter((p.get("spec") or {}).get("nodeName") for p in pods)
    waiting.extend(
        f"pods still on missing node {n}" for n in bound if n and store.get("Node", "", n) is None
    )
    return waiting


@settings(PROFILE)
@given(
    seed=st.integers(0, 2**16),
    plan=st.lists(st.tuples(st.integers(1, 30), action), min_size=1, max_size=20),
)
@example(
    seed=23970,
    plan=[
        (3, ("nodeDown", 0)),
        (21, ("apply", 1)),
        (4, ("delete", "deployment/web")),
        (14, ("evict", 20)),
        (21, ("evict", 19)),
        (11, ("evict", 2)),
        (20, ("nodeAdd", 0)),
    ],
).via("discovered failure")
def test_kubernetes_promises_hold_under_random_actions_and_faults(seed: int, plan: list) -> None:
    cluster = cluster_with(CLUSTER, seed=seed)
    invariants = Invariants(cluster)
    TOTALS["examples"] += 1
    run(cluster, invariants, 15)
    for gap, what in plan:
        act(cluster, what)
        run(cluster, invariants, gap)
    # The faults stop: nodes come back and are schedulable, there are three again, and the
    # images are ones that exist.
    for node in list(cluster.store.iter("Node")):
        name = node["metadata"]["name"]
        step(cluster, "inject", {"fault": "nodeUp", "node": name})
        step(cluster, "uncordon", name)
    while cluster.store.count("Node") < 3:
        add_node(cluster)
    waiting: list[str] = []
    for _ in range(90):  # up to 15 minutes: crash-loop and image-pull back-off top out at 5
        run(cluster, invariants, 10)
        waiting = converged(cluster)
        if not waiting:
            break
    assert not waiting, waiting


def test_every_watcher_sees_resource_versions_in_order_when_a_node_registers() -> None:
    """The kubelet records its starting events and posts the node's first status while the
    node's ADDED is being delivered; the watchers after it once saw the ADDED carry the
    status's later resourceVersion, then the events' earlier ones. A watch from the API
    server's watch cache delivers every change in resourceVersion order
    (staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go)."""
    cluster = Cluster(seed=0)
    seen: list[tuple[str, str, int]] = []
    cluster.watch(
        lambda c: seen.append((c.type, c.kind, int(c.obj["metadata"]["resourceVersion"])))
    )
    cluster.boot()
    versions = [version for _, _, version in seen]
    assert versions == sorted(set(versions)), seen
    assert sum(1 for t, k, _ in seen if (t, k) == ("ADDED", "Node")) == 3


def teardown_module() -> None:
    print(f"\nengine properties: {TOTALS['examples']} examples, {TOTALS['ticks']} ticks checked")
