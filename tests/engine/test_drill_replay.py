"""A drill's steps replay its cluster: the drill records what it did as scenario steps
(drain, uncordon, rolloutRestart, inject nodeDown/nodeUp, delete), and those steps played
over the same manifests and seed as checkpoint entries rebuild the drill's own cluster,
timers and random generators included (engine.checkpoint.replay.fingerprint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.checkpoint.replay import fingerprint
from engine.disruption.drain import Drain
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
    assert result.replayable_until is None
    replayed = replay_drill(inputs.manifests, result, cluster.now)
    assert fingerprint(replayed) == fingerprint(cluster)


def test_a_held_drain_replays_to_where_the_drill_cancelled_it(monkeypatch) -> None:
    at_cancel: list[tuple[float, str]] = []
    cancel = Drain.cancel

    def cancelled(self, *args, **kwargs):
        if not at_cancel:
            at_cancel.append((self.cluster.now, fingerprint(self.cluster)))
        return cancel(self, *args, **kwargs)

    monkeypatch.setattr(Drain, "cancel", cancelled)
    inputs, result, _ = _drill(monkeypatch, "drain", [str(DISRUPTION)])
    assert [s.action for s in result.steps[:2]] == ["drain", "uncordon"]
    assert result.steps[0].value == {
        "node": "node-1",
        "ignoreDaemonsets": True,
        "deleteEmptydirData": True,
    }
    (when, expected) = at_cancel[0]
    assert result.replayable_until == when
    assert fingerprint(replay_drill(inputs.manifests, result, when)) == expected
    blocked = [f for f in result.findings if f.rule == DRAIN_BLOCKED]
    # The first node's drain went wrong when it started; a later node's finding is past
    # the cancelled drain, so its replay stops there.
    assert went_wrong_at(blocked[0], result) == result.steps[0].at
    assert went_wrong_at(blocked[-1], result) == when
