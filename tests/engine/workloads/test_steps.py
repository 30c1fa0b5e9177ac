"""Scenario steps: scale and setImage run the workload actions; delete cascades."""

from __future__ import annotations

from pathlib import Path

from engine.scenario import load_scenario
from engine.sim import load_inputs, simulate
from tests.engine.workloads.helpers import workload


def write(tmp_path: Path, manifests: str, scenario: str) -> tuple[str, str]:
    (tmp_path / "app.yaml").write_text(manifests)
    (tmp_path / "scenario.yaml").write_text(scenario)
    return str(tmp_path / "app.yaml"), str(tmp_path / "scenario.yaml")


class TestSteps:
    def test_scale_and_set_image_print_kubectls_lines(self, tmp_path: Path) -> None:
        manifests, scenario = write(
            tmp_path,
            workload("Deployment", "web", replicas=2),
            "- at: 10s\n  scale: {target: deployment/web, replicas: 3}\n"
            "- at: 20s\n  setImage: {target: deployment/web, container: app, image: 'nginx:1.28'}\n"
            "- at: 30s\n  scale: {target: daemonset/web, replicas: 3}\n",
        )
        lines: list[str] = []
        cluster = simulate(load_inputs([manifests], scenario), until=90, report=lines.append)
        assert lines[1:] == [
            "[10s] deployment.apps/web scaled",
            "[20s] deployment.apps/web image updated",
            '[30s] Error from server (NotFound): daemonsets.apps "web" not found',
        ]
        d = cluster.store.get("Deployment", "default", "web")
        assert d["status"]["updatedReplicas"] == 3
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"

    def test_delete_with_cascade_orphan_keeps_the_pods(self, tmp_path: Path) -> None:
        manifests, scenario = write(
            tmp_path,
            workload("Deployment", "web", replicas=2),
            "- at: 10s\n  delete: deployment/web\n  cascade: orphan\n",
        )
        cluster = simulate(load_inputs([manifests], scenario), until=20)
        assert cluster.store.get("Deployment", "default", "web") is None
        assert (
            len([p for p in cluster.store.list("Pod") if p["metadata"]["name"].startswith("web-")])
            == 2
        )

    def test_the_steps_validate(self, tmp_path: Path) -> None:
        path = tmp_path / "s.yaml"
        path.write_text("- at: 1s\n  scale: {target: deployment/web, replicas: 2}\n")
        scenario, problems = load_scenario(str(path))
        assert problems == [] and scenario is not None
        assert load_inputs([], str(path)).problems == []

    def test_delete_through_an_api_version_prints_that_group(self, tmp_path: Path) -> None:
        # kubectl names the group the request went through: `deployment.extensions "web"`.
        manifests, scenario = write(
            tmp_path,
            workload("Deployment", "web", replicas=2),
            "- at: 10s\n  delete: deployment/web\n  apiVersion: extensions/v1beta1\n",
        )
        lines: list[str] = []
        simulate(load_inputs([manifests], scenario), until=20, report=lines.append)
        assert '[10s] deployment.extensions "web" deleted' in lines

    def test_a_delete_through_a_version_that_does_not_serve_the_kind_is_refused(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "s.yaml"
        path.write_text("- at: 1s\n  delete: statefulset/db\n  apiVersion: extensions/v1beta1\n")
        _scenario, problems = load_scenario(str(path))
        assert [str(p) for p in problems] == [
            f'{path}:3: no matches for kind "StatefulSet" in version "extensions/v1beta1" '
            "(podtui serves StatefulSet as apps/v1, apps/v1beta1, apps/v1beta2)"
        ]


class TestRolloutSteps:
    """`rolloutRestart` and `rolloutUndo` run kubectl rollout restart / undo
    (kubectl pkg/cmd/rollout/rollout_restart.go, rollout_undo.go --to-revision)."""

    def test_rollout_restart_and_undo_to_a_revision_print_kubectls_lines(
        self, tmp_path: Path
    ) -> None:
        manifests, scenario = write(
            tmp_path,
            workload("Deployment", "web", replicas=2),
            "- at: 10s\n  setImage: {target: deployment/web, container: app, image: 'nginx:1.28'}\n"
            "- at: 40s\n  rolloutRestart: deployment/web\n"
            "- at: 70s\n  rolloutUndo: deployment/web\n  toRevision: 1\n"
            "- at: 75s\n  rolloutUndo: deployment/web\n  toRevision: 9\n",
        )
        lines: list[str] = []
        cluster = simulate(load_inputs([manifests], scenario), until=120, report=lines.append)
        assert lines[1:] == [
            "[10s] deployment.apps/web image updated",
            "[40s] deployment.apps/web restarted",
            "[70s] deployment.apps/web rolled back",
            "[75s] error: unable to find specified revision 9 in history",
        ]
        d = cluster.store.get("Deployment", "default", "web")
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
        # Revision 1's template has no restartedAt annotation: the undo took it away.
        assert "kubectl.kubernetes.io/restartedAt" not in (
            d["spec"]["template"].get("metadata", {}).get("annotations") or {}
        )

    def test_rollout_undo_without_to_revision_goes_to_the_previous_revision(
        self, tmp_path: Path
    ) -> None:
        manifests, scenario = write(
            tmp_path,
            workload("Deployment", "web", replicas=1),
            "- at: 10s\n  setImage: {target: deployment/web, container: app, image: 'nginx:1.28'}\n"
            "- at: 40s\n  rolloutUndo: deployment/web\n",
        )
        cluster = simulate(load_inputs([manifests], scenario), until=60)
        d = cluster.store.get("Deployment", "default", "web")
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
