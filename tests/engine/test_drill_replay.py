"""A drill's steps replay its cluster: the drill records what it did as scenario steps
(drain, cancelDrain, uncordon, rolloutRestart, inject nodeDown/nodeUp, delete), and those steps played
over the same manifests and seed as checkpoint entries rebuild the drill's own cluster,
timers and random generators included (engine.checkpoint.replay.fingerprint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.checkpoint.replay import fingerprint
from engine.drill import runner
from engine.drill.findings import DRAIN_BLOCKED
from engine.drill.replay import replay_drill, went_wrong_at
from engine.sim import load_inputs

ROOT = Path(__file__).resolve().parents[2]
DISRUPTION = ROOT / "sample_manifests" / "disruption"


def _drill(monkeypatch, name: str, paths: list[str]):
    """Run one drill, keeping its cluster (the runner does not hand it out)."""
    clusters = []
    new_cluster = runner.new_cluster

    def keep(*args, **kwargs):
        cluster = new_cluster(*args, **kwargs)
        clusters.append(cluster)
        return cluster

    monkeypatch.setattr(runner, "new_cluster", keep)
    inputs = load_inputs(paths)
    results = runner.run_drills(inputs, [name])
    return inputs, results[1], clusters[1]


@pytest.mark.parametrize("name", ["rollout", "node-failure", "pod-kill", "scale-down"])
def test_a_drills_steps_rebuild_its_cluster(monkeypatch, name: str) -> None:
    inputs, result, cluster = _drill(monkeypatch, name, [str(ROOT / "sample_manifests")])
    assert result.steps, "the drill did something"
    replayed = replay_drill(inputs.manifests, result, cluster.now)
    assert fingerprint(replayed) == fingerprint(cluster)


def test_a_drain_drill_records_the_held_drain_it_cancels_as_a_cancel_drain_step(
    monkeypatch,
) -> None:
    """The whole drain drill replays, past the drains it held and cancelled: each cancel is
    a `cancelDrain` step, at the moment the drill gave up on that node."""
    started: list[tuple[str, float, str]] = []
    drain = runner.drain

    def drain_and_look(cluster, options, *args):
        run = drain(cluster, options, *args)
        # What was due at the drain's start runs before the clock moves on, as the replay
        # (run to that moment) leaves it; the drill's story is the same either way.
        cluster.run_until(cluster.now)
        started.append((options.node, cluster.now, fingerprint(cluster)))
        return run

    monkeypatch.setattr(runner, "drain", drain_and_look)
    inputs, result, cluster = _drill(monkeypatch, "drain", [str(DISRUPTION)])
    actions = [(s.action, s.value) for s in result.steps]
    node_1 = {"node": "node-1", "ignoreDaemonsets": True, "deleteEmptydirData": True}
    assert actions[:3] == [("drain", node_1), ("cancelDrain", "node-1"), ("uncordon", "node-1")]
    cancels = [s for s in result.steps if s.action == "cancelDrain"]
    assert len(cancels) >= 2, "the budget holds the drain of more than one node"
    assert cancels[0].at - result.steps[0].at == runner.DRAIN_DEADLINE
    # The whole drill replays.
    assert fingerprint(replay_drill(inputs.manifests, result, cluster.now)) == fingerprint(cluster)
    # A finding about a later node replays to its own moment: that node's drain starting,
    # past the cancelled drain of node-1.
    blocked = [f for f in result.findings if f.rule == DRAIN_BLOCKED]
    later = next(f for f in blocked if "node-1" not in f.why)
    when = went_wrong_at(later, result)
    assert when > cancels[0].at
    expected = next(digest for node, at, digest in started if at == when and node in later.why)
    assert fingerprint(replay_drill(inputs.manifests, result, when)) == expected
