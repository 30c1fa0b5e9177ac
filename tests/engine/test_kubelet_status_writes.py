"""The kubelet's pod handler (Cluster._on_pod) is not told of status-only writes: a no-op.

Kubelet.pod_changed syncs a pod only when what its pod config sees changes (_sync_view:
spec, labels, annotations, deletion), as the kubelet's pod config ignores status-only
updates, so the kubelet's own status posts reach it for nothing. Two writes used to matter
and no longer depend on being delivered: the status of a pod the kubelet rejects (its one
sync starts when the handler sees that write: now a full write) and a kubelet that starts
again (Kubelet.start sets each worker's sync_view itself).

The proof runs whole clusters with the filtering and with every watcher told of every
write (tests/engine/test_status_write_filter.py's harness) through what exercises those
paths: pods the kubelet rejects (on a live node and on a node that registers after they
were bound to it), a node down and up again with pods bound to it while it was down, crash
loops and graceful deletion; every object, event, report line and change of the feed must
be the same every 5 simulated seconds, and so must every pod sync.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cluster import Cluster
from engine.kubelet.kubelet import Kubelet
from engine.kubelet.worker import PodWorker
from tests.engine.test_status_write_filter import SAMPLES, _play, _without_filtering

# Bound by nodeName, so the scheduler never looks at them: the kubelet admits or rejects.
BOUND = """\
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  nodeName: {node}
  containers:
  - name: app
    image: nginx:1.27
    resources: {{requests: {{cpu: "{cpu}"}}}}
"""

LATE_NODE = """\
apiVersion: v1
kind: Node
metadata: {name: node-9}
status:
  capacity: {cpu: "1", memory: 2Gi, pods: "2"}
  allocatable: {cpu: "1", memory: 2Gi, pods: "2"}
"""

# Crash-looping on node-2 as its kubelet stops and starts (one bound while it is down):
# every sync of a pod in back-off says so (a BackOff event), so a sync too many shows.
CRASHER = """\
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  nodeName: node-2
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 2; exit 1']
"""

SCENARIO = """\
- at: 5s
  inject: {fault: nodeDown, node: node-2}
- at: 10s
  apply: while-down/
- at: 20s
  apply: late-node/
- at: 30s
  delete: pod/small-1
- at: 40s
  delete: pod/web
  gracePeriod: 20
- at: 60s
  inject: {fault: nodeUp, node: node-2}
- at: 75s
  inject: {fault: crash, pod: crasher}
- at: 90s
  inject: {fault: nodeDown, node: node-2}
- at: 100s
  delete: pod/down-1
- at: 120s
  inject: {fault: nodeUp, node: node-2}
"""


def _write(directory: Path, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)


def _inputs(tmp_path: Path) -> tuple[list[str], str]:
    manifests = tmp_path / "manifests"
    # Rejected on a live node: more CPU than a node has.
    _write(manifests, "huge.yaml", BOUND.format(name="huge", node="node-1", cpu="500"))
    # Bound to node-9 before it exists: rejected as it registers (cpu, then pods).
    for index, cpu in enumerate(("600m", "600m", "100m", "100m"), start=1):
        _write(
            manifests,
            f"small-{index}.yaml",
            BOUND.format(name=f"small-{index}", node="node-9", cpu=cpu),
        )
    _write(manifests, "crasher-2.yaml", CRASHER.format(name="crasher-2"))
    _write(tmp_path / "late-node", "node.yaml", LATE_NODE)
    # Bound to node-2 while its kubelet is stopped: workers made then, synced on nodeUp.
    while_down = tmp_path / "while-down"
    _write(while_down, "down-1.yaml", BOUND.format(name="down-1", node="node-2", cpu="100m"))
    _write(while_down, "down-2.yaml", CRASHER.format(name="down-2"))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    paths = [
        str(manifests),
        str(SAMPLES / "pods" / "crash-loop.yaml"),
        str(SAMPLES / "pods" / "web.yaml"),
    ]
    paths.append(str(SAMPLES / "workloads"))
    return paths, str(scenario)


def _compare(paths: list[str], scenario: str, monkeypatch: pytest.MonkeyPatch) -> list:
    """Both runs' frames (the same), and the same pod syncs: each sync, when and of which
    pod (a sync too many can leave nothing to see, as a running pod's)."""
    syncs: list[tuple[float, str, str]] = []
    start_sync = PodWorker._start_sync

    def counted(worker: PodWorker) -> None:
        syncs.append((worker.clock.now, worker.kubelet.node_name, worker.name))
        start_sync(worker)

    monkeypatch.setattr(PodWorker, "_start_sync", counted)
    filtered = _play(paths, scenario, 200.0, 5.0)
    filtered_syncs = list(syncs)
    syncs.clear()
    with monkeypatch.context() as patched:
        _without_filtering(patched)
        told_all = _play(paths, scenario, 200.0, 5.0)
    assert len(filtered) == len(told_all)
    for got, expected in zip(filtered, told_all, strict=True):
        assert got == expected, f"differs at t={got[0]:g}s"
    assert filtered_syncs == syncs
    return filtered


def test_the_kubelet_pod_handler_left_out_of_status_writes_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, scenario = _inputs(tmp_path)
    frames = _compare(paths, scenario, monkeypatch)
    objects = frames[-1][2]
    pods = {p["metadata"]["name"]: p for p in json.loads(objects["Pod"])}
    # The runs went through the paths in question: rejections on a live node and on a node
    # registering, each with the status its one sync posts (the status manager's conditions) ...
    for name, reason in (("huge", "OutOfcpu"), ("small-2", "OutOfcpu"), ("small-4", "OutOfpods")):
        status = pods[name]["status"]
        assert (status["phase"], status["reason"]) == ("Failed", reason), name
        assert status.get("conditions"), name
    assert pods["small-3"]["status"]["phase"] == "Running"
    # ... pods bound while the kubelet was down, running once it is up ...
    assert pods["down-2"]["status"]["containerStatuses"][0]["restartCount"] >= 2
    assert "down-1" not in pods and "small-1" not in pods
    # ... crash loops and a graceful deletion.
    for name in ("crasher", "crasher-2", "down-2"):
        assert pods[name]["status"]["containerStatuses"][0]["restartCount"] >= 3, name
    assert "web" not in pods
    events = json.loads(objects["Event"])
    assert any(e["reason"] == "BackOff" for e in events)
    assert any(e["reason"] == "Killing" and e["involvedObject"]["name"] == "web" for e in events)


def test_the_kubelets_pod_config_ignores_status_only_updates() -> None:
    # pkg/kubelet/config/config.go, checkAndUpdatePod: an update that changes none of spec,
    # labels, annotations, deletionTimestamp, deletionGracePeriodSeconds only copies the
    # status and sends the pod workers nothing. Here the handler is not even told of them.
    cluster = Cluster(seed=0)
    cluster.boot()
    seen: list[str] = []
    original = Kubelet.pod_changed

    def spy(self: Kubelet, pod: dict) -> None:
        seen.append(pod["metadata"]["resourceVersion"])
        original(self, pod)

    Kubelet.pod_changed = spy  # type: ignore[method-assign]
    try:
        cluster.api.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            }
        )
        cluster.run_until(30)
    finally:
        Kubelet.pod_changed = original  # type: ignore[method-assign]
    pod = cluster.store.get("Pod", "default", "p")
    assert pod is not None and pod["status"]["phase"] == "Running"
    # Told of the binding only, not of the kubelet's own status posts after it.
    assert len(seen) == 1 and int(pod["metadata"]["resourceVersion"]) > int(seen[0])
