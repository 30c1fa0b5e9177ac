"""Replaying a drill: its steps after the manifests, to the moment a finding went wrong.

A drill records what it did as scenario steps (engine.drill.runner); played over the same
manifests and seed as checkpoint entries (what `podtui --load` replays), they rebuild the
drill's cluster: its steady-state phase is the clock running before the first step.
"""

from __future__ import annotations

from engine.checkpoint.entries import Entry, apply_entry, step_entry
from engine.checkpoint.replay import replay
from engine.cluster import DEFAULT_NODE_COUNT, Cluster
from engine.drill.findings import Finding
from engine.drill.runner import DrillResult
from engine.manifests.loader import Manifest
from engine.timeutil import DEFAULT_START


def drill_entries(manifests: list[Manifest], result: DrillResult) -> list[Entry]:
    """The manifests at t=0, then each step the drill took, at its time (a held drain's
    cancel included: `cancelDrain`)."""
    entries = [apply_entry(0.0, manifests, initial=True)]
    for step in result.steps:
        entry = step_entry(step)
        if entries[-1].at == step.at and len(entries) > 1:
            # The drill took these steps one after the other (a rollout of every workload,
            # a pod of each killed): nothing due in between ran, so nothing does here.
            entry.data["settled"] = False
        entries.append(entry)
    return entries


def went_wrong_at(finding: Finding, result: DrillResult) -> float:
    """The moment to replay to: the finding's first evidence (else the drill's last step)."""
    at = min((e.at for e in finding.evidence), default=None)
    if at is None:
        at = result.steps[-1].at if result.steps else 0.0
    return at


def replay_drill(
    manifests: list[Manifest],
    result: DrillResult,
    until: float,
    *,
    seed: int = 0,
    nodes: int | None = None,
) -> Cluster:
    """A fresh cluster with the drill played to `until` (headless; the console replays the
    same entries on its own session)."""
    cluster = Cluster(seed=seed, start=DEFAULT_START)
    has_nodes = any(m.kind == "Node" for m in manifests)
    cluster.boot(default_nodes=not has_nodes, node_count=nodes or DEFAULT_NODE_COUNT)
    replay(cluster, drill_entries(manifests, result), until)
    return cluster
