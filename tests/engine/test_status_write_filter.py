"""Watchers left out of status-only writes (`watch(status_writes=False)`): provably no-ops.

The kubelet's pod status posts and the scheduler's Unschedulable condition are written with
`store.modified(obj, status_only=True)`, and the watchers that read nothing of a pod's
.status (taint eviction, podUpdated of the node lifecycle controller, the node and budget
pod indexes, PodPreset admission) are not told of them. Two kinds of proof that this changes
nothing:

- the store on its own, on random writes that watchers make while they are told of changes:
  the other watchers see exactly what they saw when every watcher was told of every write,
  and a watcher left out misses nothing but status-only MODIFIED changes;
- whole clusters (every sample manifest, disruption scenarios, faults), run with the
  filtering and with every watcher told of every write: the same objects, byte for byte,
  the same report lines and the same change feed, at every step of the run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.clock import Clock
from engine.sim import SimRun, load_inputs
from engine.store import Change, Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_manifests"


# -- the store on its own -------------------------------------------------------------------

NAMES = ("a", "b", "c")
OPS = st.tuples(st.sampled_from(["add", "modify", "status", "remove"]), st.sampled_from(NAMES))
TRIGGER = st.tuples(
    st.sampled_from([0, 1, 3]),  # the watchers that write (1 and 3 stand between the others)
    st.sampled_from(["ADDED", "MODIFIED", "DELETED"]),
    st.sampled_from(NAMES),
)
# In the filtered run: 2 and 4 with status_writes=False, 5 with a test no object passes
# (the same), 6 with one every object passes (told of every write, as with True), 7 with
# one that an object at an even resourceVersion passes.
LEFT_OUT = (2, 4, 5, 7)
FILTERED = {
    2: False,
    4: False,
    5: lambda obj: False,
    6: lambda obj: True,
    7: lambda obj: int(obj["metadata"]["resourceVersion"]) % 2 == 0,
}


def run_store(script: list, reactions: dict, *, filtered: bool) -> tuple[dict, list]:
    """Each watcher's log of (type, name, serial, resourceVersion), and every write made as
    (serial, resourceVersion, status only)."""
    store = Store(Clock())
    logs: dict = {number: [] for number in range(8)}
    writes: list = []
    pending = {key: list(ops) for key, ops in reactions.items()}
    serial = [0]

    def apply(op: str, name: str) -> None:
        live = store.get("ConfigMap", "default", name)
        # Noted before the write: watchers told of it may write more before it returns.
        version = store.resource_version + 1  # the resourceVersion the write is given
        if op == "add" and live is None:
            serial[0] += 1
            writes.append((serial[0], version, False))
            store.add(
                {
                    "kind": "ConfigMap",
                    "metadata": {"name": name, "namespace": "default", "serial": serial[0]},
                }
            )
        elif op in ("modify", "status") and live is not None:
            writes.append((live["metadata"]["serial"], version, op == "status"))
            store.modified(live, status_only=op == "status")
        elif op == "remove" and live is not None:
            writes.append((live["metadata"]["serial"], version, False))
            store.remove("ConfigMap", "default", name)

    def watcher(number: int):  # type: ignore[no-untyped-def]
        def told(change: Change) -> None:
            meta = change.obj["metadata"]
            logs[number].append(
                (change.type, meta["name"], meta["serial"], int(meta["resourceVersion"]))
            )
            # A watcher left out of status writes makes none of its own here: a watcher
            # that reacts to a status write may not ask to be left out of them.
            if number not in FILTERED:
                for op in pending.pop((number, change.type, meta["name"]), ()):
                    apply(*op)

        return told

    for number in range(8):
        store.watch(
            watcher(number),
            {"ConfigMap"},
            status_writes=FILTERED.get(number, True) if filtered else True,
        )
    for op in script:
        apply(*op)
    return logs, writes


def is_subsequence(short: list, long: list) -> bool:
    rest = iter(long)
    return all(item in rest for item in short)


@settings(max_examples=400, deadline=None)
@given(
    script=st.lists(OPS, min_size=1, max_size=10),
    reactions=st.dictionaries(TRIGGER, st.lists(OPS, min_size=1, max_size=3), max_size=8),
)
def test_leaving_a_watcher_out_of_status_writes_changes_nothing_else(script, reactions) -> None:  # type: ignore[no-untyped-def]
    told_all, writes = run_store(script, reactions, filtered=False)
    filtered, filtered_writes = run_store(script, reactions, filtered=True)
    # The writes (their order, resourceVersions) and the watchers told of every write.
    assert filtered_writes == writes
    for number in (0, 1, 3, 6):
        assert filtered[number] == told_all[number]
    status_only = {version for _, version, status in writes if status}
    for number in LEFT_OUT:
        got, full = filtered[number], told_all[number]
        # Nothing new, nothing out of order ...
        assert is_subsequence(got, full)
        # ... and what it was not told of were status-only MODIFIED changes ...
        missed = list(full)
        for item in got:
            missed.remove(item)
        assert all(kind == "MODIFIED" and version in status_only for kind, *_, version in missed)
        if number == 7:  # and ones its test failed (the object as it was then)
            assert all(version % 2 == 1 for *_, version in missed)
        # ... so it saw every other write of every object: at that write's turn or later.
        for object_serial, version, status in writes:
            if not status:
                assert any(s == object_serial and v >= version for _, _, s, v in got), (
                    object_serial,
                    version,
                )


def test_a_status_write_is_not_told_to_a_watcher_that_asked_to_be_left_out() -> None:
    store = Store(Clock())
    seen: dict[str, list[str]] = {"all": [], "spec": []}
    store.watch(lambda c: seen["all"].append(c.type), {"Pod"})
    store.watch(lambda c: seen["spec"].append(c.type), {"Pod"}, status_writes=False)
    pod = store.add({"kind": "Pod", "metadata": {"name": "p", "namespace": "default"}})
    pod["status"] = {"phase": "Running"}
    store.modified(pod, status_only=True)
    pod["spec"] = {"nodeName": "node-1"}
    store.modified(pod)
    store.remove("Pod", "default", "p")
    assert seen["all"] == ["ADDED", "MODIFIED", "MODIFIED", "DELETED"]
    assert seen["spec"] == ["ADDED", "MODIFIED", "DELETED"]


def test_a_watcher_owed_an_added_gets_it_at_a_status_writes_turn() -> None:
    # The first watcher posts the new object's status while told of its ADDED: the watchers
    # after it are told at the status write's turn, with the ADDED's type, even one that
    # asked to be left out of status writes (it has not seen the object yet).
    store = Store(Clock())
    seen: list[tuple[str, str]] = []

    def poster(change: Change) -> None:
        if change.type == "ADDED":
            change.obj["status"] = {"phase": "Pending"}
            store.modified(change.obj, status_only=True)

    store.watch(poster, {"Pod"})
    store.watch(
        lambda c: seen.append((c.type, c.obj["metadata"]["resourceVersion"])),
        {"Pod"},
        status_writes=False,
    )
    store.add({"kind": "Pod", "metadata": {"name": "p", "namespace": "default"}})
    assert seen == [("ADDED", "2")]


# -- whole clusters ---------------------------------------------------------------------------

CUSTOM_SCENARIO = """\
- at: 20s
  cordon: node-1
- at: 25s
  inject: {fault: crash, pod: web}
- at: 30s
  inject: {fault: nodeDown, node: node-2}
- at: 40s
  setImage: {target: deployment/checkout, image: "nginx:1.28"}
- at: 50s
  scale: {target: deployment/checkout, replicas: 5}
- at: 70s
  uncordon: node-1
- at: 90s
  delete: pod/website
- at: 120s
  drain: {node: node-3, ignoreDaemonsets: true, deleteEmptydirData: true, force: true, timeout: 100s}
- at: 400s
  inject: {fault: nodeUp, node: node-2}
"""


def _without_filtering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every watcher told of every write, as before status-only writes were told apart, and
    the Endpoints and EndpointSlice controllers each with a pod watcher of its own."""
    monkeypatch.setattr(
        Store,
        "_status_watchers_of",
        lambda self, kind: tuple((watcher, None) for watcher in self._watchers_of(kind)),
    )
    monkeypatch.setattr(Store, "last_watcher", lambda self, kind: None)


def _play(paths: list[str], scenario: str | None, until: float, step: float) -> list:
    """Every object (as JSON), the report lines and the change feed after every `step`."""
    inputs = load_inputs(paths, scenario)
    assert not inputs.problems, [str(p) for p in inputs.problems]
    lines: list[str] = []
    run = SimRun.start(inputs, seed=3, report=lines.append)
    feed: list[tuple] = []
    run.cluster.store.watch(
        lambda c: feed.append(
            (c.type, c.kind, c.obj["metadata"].get("name"), c.obj["metadata"]["resourceVersion"])
        )
    )
    frames = []
    at = 0.0
    while at < until:
        at = min(until, at + step)
        run.advance(at)
        store = run.cluster.store
        objects = {kind: json.dumps(store.list(kind), sort_keys=True) for kind in store.kinds()}
        frames.append((at, store.resource_version, objects, list(lines), list(feed)))
    return frames


CASES = {
    "every sample, node failure": (
        ["pods", "workloads", "services", "disruption", "security/podpreset.yaml"],
        SAMPLES / "scenarios" / "node-failure.yaml",
        480.0,
    ),
    "drain held by a budget": (["disruption"], SAMPLES / "scenarios" / "drain-held-by-pdb.yaml", 180.0),
    "cordon, crash, node down, rollout, drain": (
        ["pods", "disruption", "security/podpreset.yaml", "workloads"],
        None,
        460.0,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_cluster_runs_the_same_with_and_without_status_write_filtering(
    case: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names, scenario, until = CASES[case]
    if scenario is None:
        scenario = tmp_path / "scenario.yaml"
        scenario.write_text(CUSTOM_SCENARIO)
    paths = [str(SAMPLES / name) for name in names]
    filtered = _play(paths, str(scenario), until, 10.0)
    with monkeypatch.context() as patched:
        _without_filtering(patched)
        told_all = _play(paths, str(scenario), until, 10.0)
    assert len(filtered) == len(told_all)
    for got, expected in zip(filtered, told_all, strict=True):
        assert got == expected, f"{case}: differs at t={got[0]:g}s"
    # The runs did what the filtering is about: status writes, taints, evictions.
    last = filtered[-1]
    assert any(kind == "MODIFIED" and k == "Pod" for kind, k, *_ in last[4])


def test_the_endpoints_and_endpointslice_controllers_share_one_pod_watcher() -> None:
    from engine.cluster import Cluster
    from engine.network.base import _ServicePodWatch
    from engine.network.endpoints import EndpointsController
    from engine.network.endpointslice import EndpointSliceController

    cluster = Cluster(seed=0)
    watch = _ServicePodWatch._by_store[cluster.store]
    assert [type(c) for c in watch.controllers] == [EndpointsController, EndpointSliceController]
    assert sum(1 for w in cluster.store._watchers_of("Pod") if w == watch.on_pod) == 1


def test_a_pod_watcher_subscribed_between_them_keeps_them_apart() -> None:
    # Merging them then would move the second one's part ahead of that watcher.
    from engine.cluster import Cluster
    from engine.network.base import _ServicePodWatch
    from engine.network.endpoints import EndpointsController

    cluster = Cluster(seed=0)
    first = _ServicePodWatch._by_store[cluster.store]
    cluster.watch(lambda change: None, {"Pod"})
    EndpointsController(cluster)
    second = _ServicePodWatch._by_store[cluster.store]
    assert second is not first and len(second.controllers) == 1
    assert cluster.store.last_watcher("Pod") == second.on_pod
