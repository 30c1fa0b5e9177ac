"""`podtui drill`: play the disruptions a cluster will live through on a fresh copy of it,
and report what broke.

Each drill starts from its own cluster made from the same manifests, brings it to steady
state, runs its disruption as Kubernetes (and kubectl) would, then lets the cluster settle
or a deadline pass. What the steady state already gets wrong (pods that never schedule,
crash-loop ...) is reported once, as the `steady-state` drill, and not again under each
drill.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from engine.api.admission import ADMIN
from engine.cluster import DEFAULT_NODE_COUNT, Cluster
from engine.controllers.podgc import QUARANTINE
from engine.disruption.drain import DrainOptions, drain
from engine.drill import checks
from engine.drill import findings as F
from engine.drill.findings import Evidence, Finding
from engine.drill.observe import Observer
from engine.drill.workloads import (
    WORKLOAD_KINDS,
    Owners,
    WorkloadRef,
    budgets,
    desired,
    get,
    ready,
    workloads,
)
from engine.scenario import Step
from engine.sim import Inputs
from engine.steps import apply_manifests, run_step
from engine.timeutil import DEFAULT_START

DRILLS = ("drain", "rollout", "node-failure", "pod-kill", "scale-down")
STEADY_STATE = "steady-state"

STEADY_LIMIT = 300.0
"""How long the cluster may take to reach steady state before each drill."""
SETTLE_LIMIT = 600.0
"""How long the cluster may take to recover after a disruption."""
DRAIN_DEADLINE = 300.0
"""How long one node's drain may run before the drill calls it held up."""
NODE_DOWN_SECONDS = 600.0
"""How long the node-failure drill keeps each node's kubelet silent."""
ROLLOUT_DEADLINE = 660.0
"""A Deployment's default progressDeadlineSeconds (600 s), and time for the condition."""
CHECK_EVERY = 5.0
"""Simulated seconds between checks of whether the cluster has settled (and whether the
drills were asked to stop)."""


class DrillsStopped(Exception):
    """`run_drills`' `stop()` said so: the drills ended where they were."""


@dataclass
class DrillResult:
    drill: str
    findings: list[Finding] = field(default_factory=list)
    workloads: list[WorkloadRef] = field(default_factory=list)
    simulated_seconds: float = 0.0
    availability: dict[WorkloadRef, dict] = field(default_factory=dict)
    """Each workload's Ready pods through the drill (lowest, time below desired ...)."""
    steps: list[Step] = field(default_factory=list)
    """What the drill did, as scenario steps at their simulated times: played over the
    same manifests and seed (engine.drill.replay) they rebuild the drill's cluster."""


@dataclass
class DrillContext:
    """A drill's cluster and what watches it."""

    cluster: Cluster
    name: str
    seed: int
    observer: Observer | None = None
    findings: list[Finding] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    stop: Callable[[], bool] | None = None
    """Asked every few simulated seconds: True ends the drills (DrillsStopped)."""

    def check(self) -> None:
        if self.stop is not None and self.stop():
            raise DrillsStopped(self.name)

    def step(self, action: str, value, **options) -> Step:
        """Record what the drill does now as a scenario step, and run it as one."""
        step = Step(self.cluster.now, action, value, options)
        self.steps.append(step)
        return step

    def run_step(self, action: str, value, **options) -> None:
        run_step(self.cluster, self.step(action, value, **options))

    def run_until(self, done: Callable[[], bool], limit: float) -> bool:
        """Run the clock until `done()` (checked every few seconds) or `limit` seconds pass."""
        deadline = self.cluster.now + limit
        while self.cluster.now < deadline:
            if done():
                return True
            self.check()
            self.cluster.run_until(min(deadline, self.cluster.now + CHECK_EVERY))
        return done()

    def wait(self, seconds: float) -> None:
        """Let the clock run `seconds` (the same story as one run_until: timers run in time
        order however the time is cut), stopping if asked."""
        self.run_until(lambda: False, seconds)

    def settle(self, limit: float = SETTLE_LIMIT) -> bool:
        # Give the controllers a moment to see the disruption before asking whether the
        # cluster has settled: statuses written before it would say it already has.
        self.wait(CHECK_EVERY)
        return self.run_until(lambda: settled(self.cluster), limit - CHECK_EVERY)


def settled(cluster: Cluster) -> bool:
    """Every workload has all its pods Ready and up to date, and no pod is pending."""
    for kind in WORKLOAD_KINDS:
        for obj in cluster.store.iter(kind):
            if obj["metadata"].get("deletionTimestamp"):
                continue
            status = obj.get("status") or {}
            want = desired(obj)
            if ready(obj) < want:
                return False
            if status.get("observedGeneration", 0) < obj["metadata"].get("generation", 0):
                return False
            if kind == "Deployment" and (
                status.get("updatedReplicas", 0) < want or status.get("replicas", 0) > want
            ):
                return False
            if kind == "StatefulSet" and status.get("currentRevision") != status.get(
                "updateRevision"
            ):
                return False
            if kind == "DaemonSet" and status.get("updatedNumberScheduled", 0) < want:
                return False
    # No pod pending (waiting for a node or its containers) and none still terminating.
    return all(
        (p.get("status") or {}).get("phase") != "Pending"
        and not p["metadata"].get("deletionTimestamp")
        for p in cluster.store.iter("Pod")
    )


def new_cluster(inputs: Inputs, *, seed: int, nodes: int | None, start: datetime) -> Cluster:
    cluster = Cluster(seed=seed, start=start)
    has_nodes = any(m.kind == "Node" for m in inputs.manifests)
    cluster.boot(default_nodes=not has_nodes, node_count=nodes or DEFAULT_NODE_COUNT)
    apply_manifests(cluster, inputs.manifests, ADMIN)
    return cluster


# -- the drills ----------------------------------------------------------------------------
def _node_names(cluster: Cluster) -> list[str]:
    return sorted(n["metadata"]["name"] for n in cluster.store.iter("Node"))


def drill_drain(ctx: DrillContext) -> None:
    """A rolling node upgrade: drain each node in turn (kubectl's defaults plus
    --ignore-daemonsets --delete-emptydir-data), uncordon it, let the cluster recover."""
    cluster = ctx.cluster
    for node in _node_names(cluster):
        value = {"node": node, "ignoreDaemonsets": True, "deleteEmptydirData": True}
        run = drain(cluster, DrainOptions.from_step(ctx.step("drain", value).value))
        ctx.run_until(lambda run=run: run.done, DRAIN_DEADLINE)
        evidence = [Evidence(line.at, line.text) for line in run.lines]
        if not run.done:
            _drain_held(ctx, node, run, evidence)
            # kubectl interrupted (its Ctrl-C), as a step: the replay goes on past it.
            ctx.run_step("cancelDrain", node)
        elif run.state != "drained":
            _drain_failed(ctx, node, run, evidence)
        ctx.run_step("uncordon", node)
        ctx.settle()


def _drain_failed(ctx: DrillContext, node: str, run, evidence: list[Evidence]) -> None:
    """A drain that gave up: name each pod's workload and kubectl's error for it, or the
    node when kubectl refused before evicting anything (unmanaged pods without --force)."""
    owners = Owners(ctx.cluster)
    failed = [p for p in run.pods if p.state == "failed"]
    for progress in failed:
        pod = ctx.cluster.store.get("Pod", progress.namespace, progress.name)
        ref = owners.workload_of(pod) if pod is not None else None
        ctx.findings.append(
            Finding(
                F.ERROR,
                ctx.name,
                progress.namespace,
                ref.label if ref else f"pod/{progress.name}",
                F.DRAIN_FAILED,
                f"the drain of {node} fails: {progress.error or progress.reason}",
                _first_and_last([e for e in evidence if progress.name in e.text]),
            )
        )
    if not failed:
        # kubectl's last stderr line is the refusal itself (the filters' message).
        stderr = [line.text for line in run.lines if line.stream == "stderr"]
        errors = stderr[-1] if stderr else "it gave up"
        ctx.findings.append(
            Finding(
                F.ERROR,
                ctx.name,
                "",
                f"node/{node}",
                F.DRAIN_FAILED,
                f"the drain of {node} fails: {errors}",
                _first_and_last(evidence),
            )
        )


def _drain_held(ctx: DrillContext, node: str, run, evidence: list[Evidence]) -> None:
    cluster = ctx.cluster
    owners = Owners(cluster)
    held = run.blocking_budgets()
    reported = set()
    for progress in run.pods:
        if progress.state not in ("blocked", "evicting"):
            continue
        pod = cluster.store.get("Pod", progress.namespace, progress.name)
        ref = owners.workload_of(pod) if pod is not None else None
        label = ref.label if ref else f"pod/{progress.name}"
        if (progress.namespace, label) in reported:
            continue
        reported.add((progress.namespace, label))
        budget_name = progress.blocked_by
        pdb = (
            cluster.store.get("PodDisruptionBudget", progress.namespace, budget_name)
            if budget_name
            else None
        )
        why = checks.budget_why(pdb) if pdb else (progress.reason or "its eviction never succeeds")
        ctx.findings.append(
            Finding(
                F.ERROR,
                ctx.name,
                progress.namespace,
                label,
                F.DRAIN_BLOCKED,
                f"the drain of {node} never completes: {why}",
                _first_and_last([e for e in evidence if progress.name in e.text]),
            )
        )
    del held


def _first_and_last(lines: list[Evidence], first: int = 2, last: int = 3) -> list[Evidence]:
    """Where a repeated story starts and how it stands at the end."""
    if len(lines) <= first + last:
        return lines
    return lines[:first] + lines[-last:]


def drill_rollout(ctx: DrillContext) -> None:
    """A template change to every Deployment, StatefulSet and DaemonSet at once."""
    cluster = ctx.cluster
    refs = workloads(cluster)
    # A workload that had not finished rolling out before the drill (its pods are refused,
    # never ready ...) is the steady state's finding, not the rollout's.
    was_done = {ref for ref in refs if _rollout_done(get(cluster, ref) or {})}
    for ref in refs:
        ctx.run_step("rolloutRestart", f"{ref.kind.lower()}/{ref.name}", namespace=ref.namespace)
    ctx.run_until(lambda: settled(cluster) or _all_stalled(cluster), ROLLOUT_DEADLINE)
    for ref in refs:
        obj = get(cluster, ref)
        if obj is None or ref not in was_done or _rollout_done(obj):
            continue
        why = _stall_reason(ctx, ref)
        deadline = (obj.get("spec") or {}).get("progressDeadlineSeconds")
        within = (
            f"within its progress deadline ({deadline}s)" if deadline else "in the drill's time"
        )
        ctx.findings.append(
            Finding(
                F.ERROR,
                ctx.name,
                ref.namespace,
                ref.label,
                F.ROLLOUT_STALLED,
                f"the rollout does not finish {within}: {why}",
                _condition_evidence(cluster, obj),
            )
        )
    ctx.settle(limit=60)


def _rollout_done(obj: dict) -> bool:
    if not obj:
        return False
    status = obj.get("status") or {}
    want = desired(obj)
    if status.get("observedGeneration", 0) < obj["metadata"].get("generation", 0):
        return False
    if obj["kind"] == "Deployment":
        return (
            status.get("updatedReplicas", 0) >= want
            and status.get("availableReplicas", 0) >= want
            and status.get("replicas", 0) <= want
        )
    if obj["kind"] == "StatefulSet":
        return status.get("currentRevision") == status.get("updateRevision") and ready(obj) >= want
    return (
        status.get("updatedNumberScheduled", 0) >= want and status.get("numberAvailable", 0) >= want
    )


def _all_stalled(cluster: Cluster) -> bool:
    """Every unfinished rollout is a Deployment that has passed its progress deadline."""
    unfinished = [
        obj for kind in WORKLOAD_KINDS for obj in cluster.store.iter(kind) if not _rollout_done(obj)
    ]
    return bool(unfinished) and all(
        obj["kind"] == "Deployment" and _timed_out(obj) for obj in unfinished
    )


def _timed_out(obj: dict) -> bool:
    return any(
        c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded"
        for c in (obj.get("status") or {}).get("conditions") or []
    )


def _condition_evidence(cluster: Cluster, obj: dict) -> list[Evidence]:
    return [
        Evidence(
            cluster.now,
            f"{c.get('type')}={c.get('status')} {c.get('reason', '')}: {c.get('message', '')}",
        )
        for c in (obj.get("status") or {}).get("conditions") or []
    ]


def _stall_reason(ctx: DrillContext, ref: WorkloadRef) -> str:
    """Why the newest pods are not available: image, probe, scheduling or admission."""
    problems = checks.pod_findings(ctx.cluster, ctx.observer, "")
    for finding in problems:
        if finding.namespace == ref.namespace and finding.workload == ref.label:
            return finding.why
    return "its new pods do not become available"


def drill_node_failure(ctx: DrillContext) -> None:
    """Each node in turn stops heartbeating for 10 minutes, then returns."""
    cluster = ctx.cluster
    for node in _node_names(cluster):
        ctx.run_step("inject", {"fault": "nodeDown", "node": node})
        ctx.wait(NODE_DOWN_SECONDS)
        ctx.run_step("inject", {"fault": "nodeUp", "node": node})
        ctx.settle()


def drill_pod_kill(ctx: DrillContext) -> None:
    """A seeded chaos pass: one pod of every workload is deleted at once."""
    cluster = ctx.cluster
    chooser = random.Random(ctx.seed)
    owners = Owners(cluster)
    for ref in workloads(cluster):
        pods = sorted(
            p["metadata"]["name"]
            for p in owners.pods_of(ref)
            if not p["metadata"].get("deletionTimestamp")
        )
        if pods:
            ctx.run_step("delete", f"pod/{chooser.choice(pods)}", namespace=ref.namespace)
    ctx.settle()


def drill_scale_down(ctx: DrillContext) -> None:
    """The cluster loses its largest node (most allocatable CPU, then memory)."""
    from engine.quantity import parse_quantity

    cluster = ctx.cluster
    nodes = list(cluster.store.iter("Node"))
    if len(nodes) < 2:
        return

    def size(node: dict) -> tuple:
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        return (
            -parse_quantity(allocatable.get("cpu", "0")),
            -parse_quantity(allocatable.get("memory", "0")),
            node["metadata"]["name"],
        )

    largest = min(nodes, key=size)["metadata"]["name"]
    ctx.run_step("delete", f"node/{largest}")
    # Nothing marks the lost node's pods until PodGC collects them, 40 s after the Node
    # object goes (pkg/controller/podgc, quarantineTime): only then are they replaced.
    ctx.wait(QUARANTINE)
    ctx.settle()


RUNNERS: dict[str, Callable[[DrillContext], None]] = {
    "drain": drill_drain,
    "rollout": drill_rollout,
    "node-failure": drill_node_failure,
    "pod-kill": drill_pod_kill,
    "scale-down": drill_scale_down,
}
VOLUNTARY = {"drain"}


# -- running ---------------------------------------------------------------------------------
def _key(finding: Finding) -> tuple:
    return (finding.namespace, finding.workload, finding.rule)


def run_drills(
    inputs: Inputs,
    names: list[str] | None = None,
    *,
    nodes: int | None = None,
    seed: int = 0,
    start: datetime = DEFAULT_START,
    progress: Callable[[str], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[DrillResult]:
    """Run each drill on its own fresh cluster; the first result is the steady state's.
    `progress` hears each drill's name as it starts (the console's progress line); `stop`
    is asked before each drill and every few simulated seconds within one: True raises
    DrillsStopped there (the console's `esc`)."""
    if progress is not None:
        progress(STEADY_STATE)
    baseline_cluster = new_cluster(inputs, seed=seed, nodes=nodes, start=start)
    base = DrillContext(baseline_cluster, STEADY_STATE, seed, stop=stop)
    base.observer = Observer(baseline_cluster)
    base.settle(STEADY_LIMIT)
    base.observer.stop()
    steady = DrillResult(
        STEADY_STATE,
        checks.pod_findings(baseline_cluster, base.observer, STEADY_STATE),
        workloads(baseline_cluster),
        baseline_cluster.now,
    )
    known = {_key(f) for f in steady.findings}
    results = [steady]
    for name in names or list(DRILLS):
        if stop is not None and stop():
            raise DrillsStopped(name)
        if progress is not None:
            progress(name)
        cluster = new_cluster(inputs, seed=seed, nodes=nodes, start=start)
        ctx = DrillContext(cluster, name, seed, stop=stop)
        ctx.settle(STEADY_LIMIT)
        before = cluster.now
        refs = workloads(cluster)
        ctx.observer = Observer(cluster)
        RUNNERS[name](ctx)
        ctx.observer.stop()
        found = ctx.findings
        found += checks.availability_findings(
            cluster,
            ctx.observer,
            name,
            voluntary=name in VOLUNTARY,
            rollout=name == "rollout",
        )
        found += checks.readiness_probe_findings(cluster, ctx.observer, name)
        found += checks.pod_findings(cluster, ctx.observer, name)
        found = [f for f in found if _key(f) not in known or f.rule in _DRILL_RULES]
        availability = {}
        for ref, track in sorted(ctx.observer.tracks.items()):
            obj = get(cluster, ref)
            promised = [checks.desired_healthy(p) for p in budgets(cluster, obj)] if obj else []
            availability[ref] = {
                **track.as_dict(),
                "budgetDesiredHealthy": max((h for h in promised if h is not None), default=None),
            }
        results.append(
            DrillResult(
                name,
                _dedupe(found),
                refs,
                cluster.now - before,
                availability,
                ctx.steps,
            )
        )
    for result in results:
        result.findings.sort(key=Finding.sort_key)
    return results


# Rules that only a drill can break, reported even when the steady state had the same rule.
_DRILL_RULES = {
    F.DRAIN_BLOCKED,
    F.DRAIN_FAILED,
    F.OUTAGE,
    F.BELOW_BUDGET,
    F.NO_BUDGET,
    F.ROLLOUT_STALLED,
    F.ROLLOUT_UNAVAILABLE,
    F.NO_READINESS_PROBE,
}


def _dedupe(found: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for finding in found:
        key = (*_key(finding), finding.why)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


__all__ = ["DRILLS", "STEADY_STATE", "DrillResult", "DrillsStopped", "budgets", "run_drills"]
