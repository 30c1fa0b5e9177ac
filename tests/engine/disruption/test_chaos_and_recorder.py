"""Chaos mode (a seeded pod killer) and the session recorder whose scenario `podtui sim` replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cluster import Cluster
from engine.disruption.chaos import ChaosMonkey
from engine.disruption.drain import DrainOptions
from engine.disruption.recorder import SessionRecorder, format_seconds
from engine.output import to_yaml
from engine.scenario import load_scenario
from engine.sim import load_inputs, simulate
from tests.engine.simulation import cluster_with

PODS = "\n---\n".join(
    f"""apiVersion: v1
kind: Pod
metadata: {{name: web-{i}, labels: {{app: web}}}}
spec:
  containers: [{{name: app, image: nginx:1.27}}]"""
    for i in range(1, 6)
)


def kills(seed: int, until: float = 300) -> list[tuple[float, str]]:
    cluster = cluster_with(PODS)
    cluster.run_until(10)
    monkey = ChaosMonkey(cluster, mean_interval=30, seed=seed, selector="app=web").start()
    cluster.run_until(until)
    return [(k.at, k.pod) for k in monkey.kills]


class TestChaosMonkey:
    def test_same_seed_same_kills(self) -> None:
        first = kills(7)
        assert first and first == kills(7)

    def test_another_seed_other_kills(self) -> None:
        assert kills(7) != kills(8)

    def test_kill_times_are_milliseconds(self) -> None:
        for at, _ in kills(3):
            assert round(at, 3) == at

    def test_mean_interval_is_kept_on_average(self) -> None:
        cluster = cluster_with(PODS)
        monkey = ChaosMonkey(cluster, mean_interval=10, seed=1, selector="app=web")
        gaps = []
        now = 0.0
        for _ in range(2000):
            monkey._schedule()
            assert monkey.next_at is not None
            gaps.append(monkey.next_at - now)
            monkey.stop()
        assert sum(gaps) / len(gaps) == pytest.approx(10, rel=0.1)

    def test_only_running_matching_pods_are_candidates(self) -> None:
        cluster = cluster_with(PODS)
        cluster.run_until(10)
        cluster.api.delete("Pod", "default", "web-1")
        monkey = ChaosMonkey(cluster, mean_interval=5, seed=0, selector="app=web")
        names = [p["metadata"]["name"] for p in monkey.candidates()]
        assert names == ["web-2", "web-3", "web-4", "web-5"]
        assert ChaosMonkey(cluster, mean_interval=5, selector="app=db").candidates() == []

    def test_stop_stops(self) -> None:
        cluster = cluster_with(PODS)
        monkey = ChaosMonkey(cluster, mean_interval=1, seed=0).start()
        monkey.stop()
        cluster.run_until(100)
        assert monkey.kills == [] and not monkey.running


class TestSessionRecorder:
    def test_steps_in_designs_format(self, tmp_path: Path) -> None:
        cluster = cluster_with("")
        recorder = SessionRecorder(cluster, manifests=["sample_manifests"])
        cluster.run_until(10)
        recorder.cordon("node-2")
        recorder.evict("web-0")
        cluster.run_until(40)
        recorder.drain(DrainOptions("node-2", ignore_daemonsets=True, timeout=120))
        recorder.delete("deployment/web", cascade="orphan")
        recorder.inject("crash", pod="web-0", container="app", exitCode=1)
        recorder.inject("probeFail", pod="web-0", probe="readiness", duration=30)
        recorder.scale("deployment/web", 5)
        recorder.set_image("deployment/web", "nginx:1.27", container="app")
        recorder.rollout_restart("deployment/web")
        recorder.rollout_undo("statefulset/db", to_revision=2, namespace="shop")
        recorder.drain(DrainOptions("node-3", dry_run="server", skip_wait_for_delete_timeout=30))
        text = recorder.to_yaml(tmp_path)
        assert text.splitlines()[2:] == [
            "- at: 10s",
            "  cordon: node-2",
            "- at: 10s",
            "  evict: pod/web-0",
            "- at: 40s",
            "  drain: {node: node-2, ignoreDaemonsets: true, timeout: 120s}",
            "- at: 40s",
            "  delete: deployment/web",
            "  cascade: orphan",
            "- at: 40s",
            "  inject: {fault: crash, pod: web-0, container: app, exitCode: 1}",
            "- at: 40s",
            "  inject: {fault: probeFail, pod: web-0, probe: readiness, duration: 30s}",
            "- at: 40s",
            "  scale: {target: deployment/web, replicas: 5}",
            "- at: 40s",
            "  setImage: {target: deployment/web, container: app, image: 'nginx:1.27'}",
            "- at: 40s",
            "  rolloutRestart: deployment/web",
            "- at: 40s",
            "  rolloutUndo: statefulset/db",
            "  namespace: shop",
            "  toRevision: 2",
            "- at: 40s",
            "  drain: {node: node-3, skipWaitForDeleteTimeout: 30, dryRun: server}",
        ]
        assert (
            text.splitlines()[1]
            == "# Replay: podtui sim sample_manifests --seed 0 --scenario THIS_FILE"
        )

    def test_saved_scenario_parses(self, tmp_path: Path) -> None:
        cluster = cluster_with("")
        recorder = SessionRecorder(cluster)
        extra = tmp_path / "more"
        extra.mkdir()
        (extra / "pod.yaml").write_text(PODS.split("---")[0])
        cluster.run_until(12.5)
        recorder.apply(str(extra))
        recorder.uncordon("node-1")
        recorder.inject("nodeDown", node="node-3")
        path = recorder.save(tmp_path / "session.yaml")
        scenario, problems = load_scenario(str(path))
        assert problems == []
        assert [(s.at, s.action) for s in scenario.steps] == [
            (12.5, "apply"),
            (12.5, "uncordon"),
            (12.5, "inject"),
        ]
        assert scenario.steps[0].value == "more"

    @pytest.mark.parametrize(
        ("seconds", "text"), [(40, "40s"), (12.371, "12.371s"), (3600.5, "3600.5s")]
    )
    def test_times_read_back_exactly(self, seconds: float, text: str) -> None:
        assert format_seconds(seconds) == text

    def test_a_chaos_session_replays_to_the_same_cluster(self, tmp_path: Path) -> None:
        manifests = tmp_path / "pods.yaml"
        manifests.write_text(PODS)
        live: Cluster = simulate(load_inputs([str(manifests)]), until=0, seed=5)
        recorder = SessionRecorder(live, manifests=[str(manifests)])
        monkey = ChaosMonkey(live, mean_interval=20, seed=11, selector="app=web")
        recorder.follow_chaos(monkey)
        monkey.start()
        live.run_until(120)
        assert len(monkey.kills) >= 3
        scenario = recorder.save(tmp_path / "session.yaml")
        replay = simulate(load_inputs([str(manifests)], str(scenario)), until=120, seed=5)
        assert to_yaml(replay.objects()) == to_yaml(live.objects())


def test_chaos_keeps_the_last_kills_and_counts_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kill records are bounded (a console left in chaos mode for a day); past the bound
    the kills themselves are the same, only the oldest records are let go."""
    from engine.disruption import chaos

    unbounded = kills(5, until=900)
    assert len(unbounded) == 5  # every bare pod, once
    monkeypatch.setattr(chaos, "KILLS_KEPT", 2)
    cluster = cluster_with(PODS)
    cluster.run_until(10)
    monkey = ChaosMonkey(cluster, mean_interval=30, seed=5, selector="app=web").start()
    cluster.run_until(900)
    assert monkey.kill_count == len(unbounded)
    assert [(k.at, k.pod) for k in monkey.kills] == unbounded[-2:]
