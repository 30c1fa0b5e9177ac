"""`podtui drill`: each disruption played as Kubernetes plays it, and each kind of finding
shown by what the drill did to a workload."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.drill import findings as F
from engine.drill.runner import DRILLS, STEADY_STATE, DrillResult, run_drills
from engine.sim import load_inputs

ROOT = Path(__file__).resolve().parents[2]


def deployment(
    name: str,
    replicas: int = 3,
    *,
    probe: str | None = "httpGet: {path: /, port: 80}",
    image: str = "nginx:1.27",
    extra_container: str = "",
    spec_extra: str = "",
) -> str:
    readiness = f"\n        readinessProbe: {{{probe}, periodSeconds: 5}}" if probe else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}{spec_extra}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: app
        image: {image}
        ports: [{{containerPort: 80}}]{readiness}{extra_container}
"""


def budget(name: str, app: str, rule: str) -> str:
    return f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec:
  {rule}
  selector: {{matchLabels: {{app: {app}}}}}
"""


def drill(tmp_path: Path, *docs: str, drills: list[str] | None = None) -> list[DrillResult]:
    (tmp_path / "app.yaml").write_text("\n---\n".join(docs))
    inputs = load_inputs([str(tmp_path)])
    assert not inputs.problems, [str(p) for p in inputs.problems]
    return run_drills(inputs, drills)


def findings(results: list[DrillResult], drill_name: str | None = None) -> list[F.Finding]:
    return [f for r in results for f in r.findings if drill_name is None or f.drill == drill_name]


def rules(results: list[DrillResult], drill_name: str | None = None) -> set[tuple[str, str, str]]:
    return {(f.workload, f.rule, f.severity) for f in findings(results, drill_name)}


HEALTHY = (
    deployment("shop"),
    budget("shop", "shop", "maxUnavailable: 1"),
)


class TestHealthyWorkloads:
    def test_a_replicated_probed_budgeted_deployment_passes_every_drill(self, tmp_path) -> None:
        results = drill(tmp_path, *HEALTHY)
        assert [r.drill for r in results] == [STEADY_STATE, *DRILLS]
        assert findings(results) == []

    def test_a_drain_under_a_max_unavailable_1_budget_takes_one_pod_at_a_time(
        self, tmp_path
    ) -> None:
        # The eviction API lets one pod go while the others keep desiredHealthy (2 of 3).
        results = drill(tmp_path, *HEALTHY, drills=["drain"])
        figures = next(iter(results[1].availability.values()))
        assert figures["lowestReady"] == 2
        assert figures["budgetDesiredHealthy"] == 2
        assert figures["secondsWithNoneReady"] == 0


class TestDrainFindings:
    def test_the_sample_checkout_budget_holds_every_drain(self) -> None:
        inputs = load_inputs([str(ROOT / "sample_manifests" / "disruption")])
        results = run_drills(inputs, ["drain"])
        held = findings(results, "drain")
        assert {f.rule for f in held} == {F.DRAIN_BLOCKED}
        assert {f.workload for f in held} == {"deployment/checkout"}
        assert all("checkout-pdb has minAvailable 3 for 3 pods" in f.why for f in held)
        assert [f.why.split(":")[0] for f in held] == [
            f"the drain of node-{n} never completes" for n in (1, 2, 3)
        ]
        # The evidence is kubectl drain's own retry lines.
        assert any(
            "Cannot evict pod as it would violate the pod's disruption budget." in e.text
            for e in held[0].evidence
        )

    def test_a_budget_over_pods_that_are_never_ready_holds_the_drain(self, tmp_path) -> None:
        # IfHealthyBudget (the default): a not-ready pod may only go while the budget is
        # healthy (pkg/registry/core/pod/storage/eviction.go); with 0 of 2 healthy it is not.
        results = drill(
            tmp_path,
            deployment("stuck", probe="exec: {command: [cat, /nonexistent]}"),
            budget("stuck", "stuck", "minAvailable: 2"),
            drills=["drain"],
        )
        held = [f for f in findings(results, "drain") if f.rule == F.DRAIN_BLOCKED]
        assert held and "stuck needs 2 healthy pods and has 0 of 3" in held[0].why
        assert ("deployment/stuck", F.NEVER_READY, F.ERROR) in rules(results, STEADY_STATE)

    def test_two_budgets_over_one_pod_fail_the_drain(self, tmp_path) -> None:
        results = drill(
            tmp_path,
            *HEALTHY,
            budget("shop-too", "shop", "minAvailable: 1"),
            drills=["drain"],
        )
        failed = [f for f in findings(results, "drain") if f.rule == F.DRAIN_FAILED]
        assert failed
        assert "more than one PodDisruptionBudget" in failed[0].why
        assert failed[0].workload == "deployment/shop"

    def test_a_pod_without_a_controller_fails_the_drain_without_force(self, tmp_path) -> None:
        bare = """apiVersion: v1
kind: Pod
metadata: {name: lonely}
spec:
  nodeName: node-1
  containers: [{name: app, image: nginx:1.27}]
"""
        results = drill(tmp_path, *HEALTHY, bare, drills=["drain"])
        failed = [f for f in findings(results, "drain") if f.rule == F.DRAIN_FAILED]
        assert len(failed) == 1
        assert failed[0].workload == "node/node-1"
        assert "cannot delete Pods that declare no controller" in failed[0].why


class TestAvailabilityFindings:
    def test_a_single_replica_goes_down_in_a_drain_and_has_no_budget(self, tmp_path) -> None:
        results = drill(tmp_path, deployment("solo", 1), drills=["drain"])
        found = rules(results, "drain")
        assert ("deployment/solo", F.OUTAGE, F.ERROR) in found
        assert ("deployment/solo", F.NO_BUDGET, F.WARNING) in found
        outage = next(f for f in findings(results) if f.rule == F.OUTAGE)
        assert "its single replica went down" in outage.why

    def test_a_killed_single_replica_is_an_outage(self, tmp_path) -> None:
        results = drill(tmp_path, deployment("solo", 1), drills=["pod-kill"])
        assert ("deployment/solo", F.OUTAGE, F.ERROR) in rules(results, "pod-kill")

    def test_a_replicated_workload_without_a_budget_is_shown_by_the_drain(self, tmp_path) -> None:
        results = drill(tmp_path, deployment("loose"), drills=["drain"])
        assert rules(results, "drain") == {("deployment/loose", F.NO_BUDGET, F.WARNING)}

    def test_no_readiness_probe_shows_when_replacements_are_ready_at_once(self, tmp_path) -> None:
        results = drill(
            tmp_path,
            deployment("blind", probe=None),
            budget("blind", "blind", "maxUnavailable: 1"),
            drills=["pod-kill"],
        )
        assert rules(results, "pod-kill") == {("deployment/blind", F.NO_READINESS_PROBE, F.WARNING)}
        finding = findings(results, "pod-kill")[0]
        assert "counted Ready as soon as their containers started" in finding.why
        assert finding.evidence and "with no probe" in finding.evidence[0].text

    def test_a_budget_promises_nothing_about_a_node_failure(self, tmp_path) -> None:
        # PodDisruptionBudgets guard voluntary disruptions only (the Eviction API); the
        # availability figures still show what a node failure did.
        results = drill(tmp_path, *HEALTHY, drills=["node-failure"])
        assert findings(results, "node-failure") == []
        figures = next(iter(results[1].availability.values()))
        assert figures["lowestReady"] < 3
        assert figures["secondsBelowDesired"] > 0


class TestRolloutFindings:
    def test_a_rollout_that_cannot_surge_stalls_past_its_progress_deadline(self, tmp_path) -> None:
        # Three 3-CPU pods on three 4-CPU nodes: the surge pod never fits, maxUnavailable 0
        # keeps the old ones, and the Deployment reports ProgressDeadlineExceeded.
        big = deployment(
            "big",
            spec_extra="\n  progressDeadlineSeconds: 60\n  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}",
            extra_container="\n        resources: {requests: {cpu: '3'}}",
        )
        results = drill(
            tmp_path, big, budget("big", "big", "maxUnavailable: 1"), drills=["rollout"]
        )
        stalled = [f for f in findings(results, "rollout") if f.rule == F.ROLLOUT_STALLED]
        assert len(stalled) == 1
        assert "within its progress deadline (60s)" in stalled[0].why
        assert "Insufficient cpu" in stalled[0].why
        assert any("ProgressDeadlineExceeded" in e.text for e in stalled[0].evidence)

    def test_a_rollout_whose_new_pods_turn_unready_goes_below_max_unavailable(
        self, tmp_path
    ) -> None:
        flaky = deployment(
            "flaky",
            probe="exec: {command: [cat, /tmp/ready]}",
            extra_container=(
                "\n        command: [sh, -c, 'sleep 5; touch /tmp/ready; sleep 40; "
                "rm /tmp/ready; sleep 3600']"
            ),
        )
        results = drill(tmp_path, flaky, drills=["rollout"])
        assert ("deployment/flaky", F.ROLLOUT_UNAVAILABLE, F.ERROR) in rules(results, "rollout")


class TestPodFindings:
    def test_steady_state_problems_are_reported_once_with_the_schedulers_words(
        self, tmp_path
    ) -> None:
        huge = deployment("huge", 1, extra_container="\n        resources: {requests: {cpu: '64'}}")
        crash = deployment(
            "crash",
            1,
            probe=None,
            image="busybox:1.36",
            extra_container="\n        command: [sh, -c, 'exit 1']",
        )
        results = drill(tmp_path, huge, crash, drills=["pod-kill"])
        steady = {(f.workload, f.rule) for f in findings(results, STEADY_STATE)}
        assert ("deployment/huge", F.NEVER_SCHEDULED) in steady
        assert ("deployment/crash", F.CRASH_LOOP) in steady
        never = next(f for f in findings(results) if f.rule == F.NEVER_SCHEDULED)
        assert "0/3 nodes are available: 3 Insufficient cpu." in never.why
        # Not repeated under the drill.
        assert F.NEVER_SCHEDULED not in {f.rule for f in findings(results, "pod-kill")}

    def test_a_controller_refused_by_pod_security_policy_cannot_create_pods(self) -> None:
        inputs = load_inputs([str(ROOT / "sample_manifests" / "security")])
        results = run_drills(inputs, ["pod-kill"])
        refused = [f for f in findings(results, STEADY_STATE) if f.rule == F.CREATE_REFUSED]
        assert refused
        assert any("PodSecurityPolicy: unable to admit pod" in f.why for f in refused)


class TestDeterminism:
    def test_same_input_same_report(self, tmp_path) -> None:
        from engine.drill.report import render_json

        first = render_json(drill(tmp_path, deployment("solo", 1), drills=["pod-kill", "drain"]))
        again = render_json(drill(tmp_path, deployment("solo", 1), drills=["pod-kill", "drain"]))
        assert first == again


@pytest.mark.parametrize("name", DRILLS)
def test_every_drill_runs_on_the_bundled_sample(name: str) -> None:
    inputs = load_inputs([str(ROOT / "sample_manifests")])
    results = run_drills(inputs, [name])
    assert results[1].drill == name
    assert results[1].workloads


def node(name: str, cpu: str) -> str:
    return f"""apiVersion: v1
kind: Node
metadata: {{name: {name}}}
status:
  capacity: {{cpu: "{cpu}", memory: 8Gi, pods: "110"}}
"""


class TestScaleDown:
    def test_losing_the_largest_node_leaves_pods_that_no_longer_fit(self, tmp_path) -> None:
        # PodGC collects the lost node's pods after its 40 s quarantine; their replacements
        # (1500m each) fit once on each 2-CPU node, and the third never schedules.
        wide = deployment("wide", extra_container="\n        resources: {requests: {cpu: 1500m}}")
        results = drill(
            tmp_path,
            node("big", "8"),
            node("small-1", "2"),
            node("small-2", "2"),
            wide,
            budget("wide", "wide", "maxUnavailable: 1"),
            drills=["scale-down"],
        )
        assert findings(results, STEADY_STATE) == []
        never = [f for f in findings(results, "scale-down") if f.rule == F.NEVER_SCHEDULED]
        assert [f.workload for f in never] == ["deployment/wide"]
        assert "Insufficient cpu" in never[0].why
        assert results[1].simulated_seconds >= 40
