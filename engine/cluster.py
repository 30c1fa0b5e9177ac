"""The simulated cluster: clock, store, API server, controllers, scheduler and kubelets.

This is the engine's front door: the CLI, the console, scenarios and tests drive a cluster
through it (`apply`, the actions in `engine.actions`, `run_until`, the change feed).
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterable
from datetime import datetime

from engine.api.server import APIServer
from engine.clock import Clock
from engine.controllers import controller_factories
from engine.events import EventRecorder
from engine.extensions import load_extensions
from engine.kubelet.kubelet import Kubelet
from engine.shell.fs import Volume
from engine.store import Change, Store
from engine.timeutil import DEFAULT_START

DEFAULT_NODE_COUNT = 3
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


def default_node(name: str, capacity: dict[str, str] | None = None) -> dict:
    """A Node manifest as a kind/kubeadm worker registers itself."""
    node: dict = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {},
    }
    if capacity:
        node["status"] = {"capacity": dict(capacity), "allocatable": dict(capacity)}
    return node


def tune_garbage_collector() -> None:
    """Let the cyclic collector skip the engine's long-lived objects most of the time.

    A large cluster is millions of dicts that live for the whole run; with CPython's
    default thresholds (700, 10, 10) the collector rescans them constantly (40% of the
    time to bring 10,000 pods up). Raising the youngest generation's threshold keeps
    collections rare; garbage is still collected. A threshold someone already changed is
    left alone.

    The middle generation is collected every 500 young collections rather than every 50:
    much of what survives a young collection is a pod's previous status or a replaced
    object that reference counting frees a little later, and a middle collection that
    waits finds it already gone instead of scanning it (a 50,000-pod ramp: 7% less CPU,
    the same peak RSS). The oldest generation still comes every 10 middle collections, as
    often in allocations as before (50,000 x 500 x 10 = 50,000 x 50 x 100).
    """
    if gc.get_threshold()[0] == 700:
        gc.set_threshold(50_000, 500, 10)


class Cluster:
    """A whole simulated cluster, deterministic for a given seed and start time."""

    def __init__(
        self,
        *,
        seed: int = 0,
        start: datetime = DEFAULT_START,
        step: float = 1.0,
        cluster_name: str = "podtui",
    ) -> None:
        tune_garbage_collector()
        self.seed = seed
        self.cluster_name = cluster_name
        self.clock = Clock(start=start, seed=seed, step=step)
        self.rng = self.clock.rng
        # uids come from their own stream, so that a new object or event somewhere does not
        # shift every later random choice (scheduling ties, generated names).
        self.store = Store(self.clock, random.Random(f"podtui-uids-{seed}"))
        self.events = EventRecorder(self.store, self.clock)
        self.api = APIServer(self.store, self.clock, self.rng)
        self.kubelets: dict[str, Kubelet] = {}
        self._claim_volumes: dict[tuple[str, str], Volume] = {}
        self._node_count = 0
        self.controllers: dict[str, object] = {}
        self.store.watch(self._on_node, {"Node"})
        # Not told of status-only writes (the kubelets' status posts, the scheduler's
        # Unschedulable condition): Kubelet.pod_changed syncs a pod only when its spec,
        # labels, annotations or deletion change (_sync_view), as the kubelet's pod config
        # ignores status-only updates; the one status write it acted on (a rejection) is
        # written as a full write, and Kubelet.start sets sync_view itself.
        self.store.watch(self._on_pod, {"Pod"}, status_writes=False)
        for name, factory in controller_factories():
            self.controllers[name] = factory(self)
        for package in load_extensions():
            for plugin_factory in getattr(package, "ADMISSION_PLUGINS", []):
                self.api.admission.register(plugin_factory(self))
        self.booted = False

    # -- boot -----------------------------------------------------------------------------
    def boot(self, *, default_nodes: bool = True, node_count: int = DEFAULT_NODE_COUNT) -> None:
        """Create the system namespaces and (unless manifests bring their own) `node_count`
        default nodes, node-1..node-N (three unless asked otherwise)."""
        if self.booted:
            return
        self.booted = True
        for namespace in SYSTEM_NAMESPACES:
            if self.store.get("Namespace", "", namespace) is None:
                self.api.create(
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
                )
        if default_nodes:
            for index in range(1, node_count + 1):
                self.api.create(default_node(f"node-{index}"))

    # -- nodes and their kubelets ---------------------------------------------------------
    def _on_node(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        if change.type == "ADDED":
            self._node_count += 1
            self._complete_node(change.obj, self._node_count)
            kubelet = Kubelet(self, name, self._node_count - 1)
            self.kubelets[name] = kubelet
            kubelet.register()
            # Pods that named this node before it existed now have a kubelet.
            for pod in self.store.iter("Pod"):
                if (pod.get("spec") or {}).get("nodeName") == name:
                    kubelet.pod_changed(pod)
        elif change.type == "DELETED":
            kubelet = self.kubelets.pop(name, None)
            if kubelet is not None:
                kubelet.stop()

    def _complete_node(self, node: dict, index: int) -> None:
        """What the kubelet and node-ipam controller add when a node registers."""
        meta = node["metadata"]
        name = meta["name"]
        labels = meta.setdefault("labels", {})
        for key, value in (
            ("beta.kubernetes.io/arch", "amd64"),
            ("beta.kubernetes.io/os", "linux"),
            ("kubernetes.io/arch", "amd64"),
            ("kubernetes.io/hostname", name),
            ("kubernetes.io/os", "linux"),
        ):
            labels.setdefault(key, value)
        annotations = meta.setdefault("annotations", {})
        annotations.setdefault("node.alpha.kubernetes.io/ttl", "0")
        annotations.setdefault("volumes.kubernetes.io/controller-managed-attach-detach", "true")
        spec = node.setdefault("spec", {})
        if not spec.get("podCIDR"):
            spec["podCIDR"] = f"10.244.{index}.0/24"
            spec["podCIDRs"] = [spec["podCIDR"]]

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            return
        kubelet = self.kubelets.get(node_name)
        if kubelet is None:
            return
        if change.type == "DELETED":
            kubelet.pod_deleted(pod)
        else:
            kubelet.pod_changed(pod)

    def claim_volume(self, namespace: str, claim: str) -> Volume:
        """The data behind a PersistentVolumeClaim: it outlives the pods that mount it."""
        key = (namespace, claim)
        volume = self._claim_volumes.get(key)
        if volume is None:
            volume = self._claim_volumes[key] = Volume()
        return volume

    # -- time -----------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.clock.now

    def now_datetime(self) -> datetime:
        return self.clock.now_datetime()

    def run_until(self, seconds: float) -> None:
        """Advance simulated time to `seconds` since the start, one tick at a time."""
        while self.clock.now + self.clock.step <= seconds + 1e-9:
            self.clock.tick()
        # Whatever is due at `seconds` itself runs too (an action taken "now" has effects now).
        self.clock.run_until(max(seconds, self.clock.now))

    def tick(self) -> int:
        return self.clock.tick()

    def run_steps(self, steps: Iterable[tuple[float, Callable[[], object]]]) -> None:
        """Run callbacks at their times (scenario steps), then stop."""
        for at, callback in sorted(steps, key=lambda s: s[0]):
            self.run_until(at)
            callback()

    # -- reading --------------------------------------------------------------------------
    def objects(self) -> list[dict]:
        """Every object, sorted by kind, namespace and name."""
        out: list[dict] = []
        for kind in self.store.kinds():
            out.extend(self.store.list(kind))
        return out

    def watch(
        self, callback: Callable[[Change], None], kinds: set[str] | None = None
    ) -> Callable[[], None]:
        """Subscribe to the change feed (ADDED / MODIFIED / DELETED); returns an unsubscribe."""
        return self.store.watch(callback, kinds)

    def logs(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        previous: bool = False,
        *,
        timestamps: bool = False,
        since: float | None = None,
    ) -> list[str]:
        """What a container's process printed (`kubectl logs`); `timestamps`: each line
        after its RFC 3339 time with nanoseconds (`--timestamps`); `since`: only the last
        so many seconds (`--since`)."""
        lines = []
        for at, _stream, line in self.log_entries(namespace, pod, container, previous):
            if since is not None and at < self.now - since:
                continue
            if timestamps:
                moment = self.clock.datetime_at(at)
                nanos = f"{moment.microsecond * 1000:09d}"
                line = f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{nanos}Z {line}"
            lines.append(line)
        return lines

    def log_entries(
        self, namespace: str, pod: str, container: str | None = None, previous: bool = False
    ) -> list[tuple[float, str, str]]:
        """A container's log as (simulated seconds, stream, line), oldest first."""
        obj = self.store.get("Pod", namespace, pod)
        if obj is None:
            return []
        kubelet = self.kubelets.get((obj.get("spec") or {}).get("nodeName") or "")
        if kubelet is None:
            return []
        worker = kubelet.workers.get(obj["metadata"]["uid"])
        if worker is None:
            return []
        names = [c["name"] for c in obj["spec"].get("containers") or []]
        name = container or (names[0] if names else "")
        instances = worker.instances.get(name) or []
        if previous:
            instances = instances[:-1]
        if not instances:
            return []
        return list(instances[-1].logs)
