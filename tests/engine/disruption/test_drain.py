"""kubectl drain as an engine operation (kubectl pkg/drain, pkg/cmd/drain; control-plane.md §3):
its lines, their times, and what happens to the node and its pods."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import actions
from engine.cluster import Cluster
from engine.disruption.drain import (
    DRAINED,
    FAILED,
    Drain,
    DrainOptions,
    DrainUsageError,
    drain,
    drains_of,
)
from engine.disruption.drain_progress import parse_go_duration
from engine.sim import load_inputs, simulate
from tests.engine.simulation import cluster_with

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


def pod_yaml(
    name: str, node: str = "node-2", *, labels: str = "{app: web}", extra: str = "", spec: str = ""
) -> str:
    return f"""
---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {labels}{extra}}}
spec:
  nodeName: {node}
  containers: [{{name: app, image: nginx:1.27}}]
{spec}"""


PDB = """
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-pdb}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
"""


def started(text: str, until: float = 20) -> Cluster:
    cluster = cluster_with(text)
    cluster.run_until(until)
    return cluster


def texts(d: Drain) -> list[tuple[float, str]]:
    return [(line.at, line.text) for line in d.lines]


def node_unschedulable(cluster: Cluster, name: str) -> bool:
    return bool(cluster.store.get("Node", "", name)["spec"].get("unschedulable"))


class TestFilters:
    def test_unmanaged_pods_fail_the_drain_and_the_node_stays_cordoned(self) -> None:
        cluster = started(pod_yaml("naked"))
        d = drain(cluster, DrainOptions("node-2"))
        assert d.state == FAILED
        assert [line.text for line in d.lines] == [
            "node/node-2 cordoned",
            'error: unable to drain node "node-2" due to error: cannot delete Pods that declare no '
            "controller (use --force to override): default/naked, continuing command...",
            "There are pending nodes to be drained:",
            " node-2",
            "cannot delete Pods that declare no controller (use --force to override): default/naked",
        ]
        assert [line.stream for line in d.lines] == ["stdout"] + ["stderr"] * 4
        assert node_unschedulable(cluster, "node-2")
        assert (
            cluster.store.get("Pod", "default", "naked")["metadata"].get("deletionTimestamp")
            is None
        )

    def test_several_refusals_are_aggregated(self) -> None:
        # Drained at once: the garbage collector soon deletes a pod whose owner is gone.
        cluster = started(
            pod_yaml("naked")
            + pod_yaml(
                "ds-pod",
                extra=", ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: gone, uid: u1, controller: true}]",
            ),
            until=0,
        )
        d = drain(cluster, DrainOptions("node-2", ignore_daemonsets=True))
        errors = [
            'cannot delete daemonsets.apps "gone" not found: default/ds-pod',
            "cannot delete Pods that declare no controller (use --force to override): default/naked",
        ]
        assert d.lines[1].text == (
            f'error: unable to drain node "node-2" due to error: [{errors[0]}, {errors[1]}], continuing command...'
        )
        assert [line.text for line in d.lines[-2:]] == errors

    def test_emptydir_pods_need_delete_emptydir_data(self) -> None:
        cluster = started(pod_yaml("scratch", spec="  volumes: [{name: tmp, emptyDir: {}}]"))
        d = drain(cluster, DrainOptions("node-2", force=True))
        assert d.lines[-1].text == (
            "cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch"
        )
        ok = drain(cluster, DrainOptions("node-2", force=True, delete_emptydir_data=True))
        assert ok.lines[0].text == "node/node-2 already cordoned"
        assert (
            ok.lines[1].text == "Warning: deleting Pods that declare no controller: default/scratch"
        )

    def test_mirror_pods_are_left_alone_silently(self) -> None:
        cluster = started(
            pod_yaml("static", extra=", annotations: {kubernetes.io/config.mirror: abc}")
        )
        d = drain(cluster, DrainOptions("node-2"))
        assert texts(d) == [(20, "node/node-2 cordoned"), (20, "node/node-2 drained")]
        assert cluster.store.get("Pod", "default", "static") is not None

    def test_pods_on_other_nodes_are_not_touched(self) -> None:
        cluster = started(pod_yaml("elsewhere", node="node-1"))
        d = drain(cluster, DrainOptions("node-2"))
        assert d.state == DRAINED
        assert (
            cluster.store.get("Pod", "default", "elsewhere")["metadata"].get("deletionTimestamp")
            is None
        )

    def test_unknown_node(self) -> None:
        cluster = started("")
        d = drain(cluster, DrainOptions("node-9"))
        assert [line.text for line in d.lines] == [
            'Error from server (NotFound): nodes "node-9" not found'
        ]


class TestEvictions:
    def test_every_pod_is_evicted_at_once_and_reported_when_gone(self) -> None:
        cluster = started(pod_yaml("a") + pod_yaml("b"))
        d = drain(cluster, DrainOptions("node-2", force=True))
        assert texts(d) == [
            (20, "node/node-2 cordoned"),
            (20, "Warning: deleting Pods that declare no controller: default/a, default/b"),
            (20, "evicting pod default/a"),
            (20, "evicting pod default/b"),
        ]
        cluster.run_until(60)
        assert d.state == DRAINED
        tail = texts(d)[4:]
        assert [text for _, text in tail] == [
            "pod/a evicted",
            "pod/b evicted",
            "node/node-2 drained",
        ]
        # kubectl polls every second: `evicted` comes at the first poll after the pod is gone.
        gone_at = tail[0][0]
        assert 20 < gone_at < 60 and float(gone_at - 20).is_integer()
        assert cluster.store.get("Pod", "default", "a") is None

    def test_grace_period_zero_evicts_at_once(self) -> None:
        cluster = started(pod_yaml("a"))
        d = drain(cluster, DrainOptions("node-2", force=True, grace_period=0))
        assert [text for _, text in texts(d)][-2:] == ["pod/a evicted", "node/node-2 drained"]

    def test_a_budget_holds_the_drain_up_and_it_retries_every_five_seconds(self) -> None:
        cluster = started(pod_yaml("web-1") + pod_yaml("web-2", node="node-1") + PDB)
        d = drain(cluster, DrainOptions("node-2", force=True))
        cluster.run_until(31)
        retry = f'error when evicting pods/"web-1" -n "default" (will retry after 5s): {VIOLATION}'
        assert texts(d)[2:] == [
            (20, "evicting pod default/web-1"),
            (20, retry),
            (25, "evicting pod default/web-1"),
            (25, retry),
            (30, "evicting pod default/web-1"),
            (30, retry),
        ]
        [progress] = d.pods
        assert (progress.state, progress.blocked_by) == ("blocked", "web-pdb")
        assert (
            progress.reason
            == "The disruption budget web-pdb needs 2 healthy pods and has 2 currently"
        )
        assert d.blocking_budgets() == {"web-pdb": ["default/web-1"]}
        # A third pod becomes Ready elsewhere: the budget allows one, the next retry goes through.
        from engine.manifests.loader import load_text
        from engine.steps import apply_manifests

        apply_manifests(cluster, load_text(pod_yaml("web-3", node="node-3"), "x.yaml").manifests)
        cluster.run_until(120)
        assert d.state == DRAINED
        assert "pod/web-1 evicted" in [text for _, text in texts(d)]

    def test_global_timeout_fails_a_blocked_eviction_at_its_next_attempt(self) -> None:
        cluster = started(pod_yaml("web-1") + pod_yaml("web-2", node="node-1") + PDB)
        d = drain(cluster, DrainOptions("node-2", force=True, timeout=12))
        cluster.run_until(60)
        assert d.state == FAILED
        timeout = 'error when evicting pods/"web-1" -n "default": global timeout reached: 12s'
        assert texts(d)[-7:] == [
            (35, "evicting pod default/web-1"),
            (35, f'There are pending pods in node "node-2" when an error occurred: {timeout}'),
            (35, "pod/web-1"),
            (
                35,
                f'error: unable to drain node "node-2" due to error: {timeout}, continuing command...',
            ),
            (35, "There are pending nodes to be drained:"),
            (35, " node-2"),
            (35, timeout),
        ]
        assert node_unschedulable(cluster, "node-2")

    def test_disable_eviction_deletes_through_the_budget(self) -> None:
        cluster = started(pod_yaml("web-1") + pod_yaml("web-2", node="node-1") + PDB)
        d = drain(cluster, DrainOptions("node-2", force=True, disable_eviction=True))
        assert [text for _, text in texts(d)] == [
            "node/node-2 cordoned",
            "Warning: deleting Pods that declare no controller: default/web-1",
        ]
        cluster.run_until(60)
        assert [text for _, text in texts(d)][2:] == ["pod/web-1 deleted", "node/node-2 drained"]

    def test_eviction_on_a_dead_node_waits_until_the_global_timeout(self) -> None:
        cluster = started(pod_yaml("a"))
        actions.inject(cluster, "nodeDown", node="node-2")
        d = drain(cluster, DrainOptions("node-2", force=True, timeout=10))
        cluster.run_until(60)
        waiting = 'error when waiting for pod "a" in namespace "default" to terminate: context deadline exceeded'
        assert texts(d)[3:] == [
            (30, f'There are pending pods in node "node-2" when an error occurred: {waiting}'),
            (30, "pod/a"),
            (
                30,
                f'error: unable to drain node "node-2" due to error: {waiting}, continuing command...',
            ),
            (30, "There are pending nodes to be drained:"),
            (30, " node-2"),
            (30, waiting),
        ]

    def test_skip_wait_for_delete_timeout_gives_up_on_a_pod_stuck_terminating(self) -> None:
        cluster = started(pod_yaml("a"))
        actions.inject(cluster, "nodeDown", node="node-2")
        d = drain(cluster, DrainOptions("node-2", force=True, skip_wait_for_delete_timeout=5))
        cluster.run_until(80)
        # deletionTimestamp is now + 30 s of grace; it is "older than 5 s" after 36 s.
        assert texts(d)[-2:] == [
            (56, 'pod "a" has DeletionTimestamp older than 5 seconds, skipping'),
            (56, "node/node-2 drained"),
        ]

    def test_disable_eviction_timeout_is_a_plain_error(self) -> None:
        cluster = started(pod_yaml("a"))
        actions.inject(cluster, "nodeDown", node="node-2")
        d = drain(cluster, DrainOptions("node-2", force=True, disable_eviction=True, timeout=10))
        cluster.run_until(60)
        assert texts(d)[2:] == [
            (
                30,
                'There are pending pods in node "node-2" when an error occurred: context deadline exceeded',
            ),
            (30, "pod/a"),
            (
                30,
                'error: unable to drain node "node-2" due to error: context deadline exceeded, continuing command...',
            ),
            (30, "There are pending nodes to be drained:"),
            (30, " node-2"),
            (30, "error: context deadline exceeded"),
        ]

    def test_server_dry_run_changes_nothing(self) -> None:
        cluster = started(pod_yaml("a"))
        d = drain(cluster, DrainOptions("node-2", force=True, dry_run="server"))
        assert [text for _, text in texts(d)] == [
            "node/node-2 cordoned (server dry run)",
            "Warning: deleting Pods that declare no controller: default/a",
            "evicting pod default/a (server dry run)",
            "node/node-2 drained (server dry run)",
        ]
        assert not node_unschedulable(cluster, "node-2")
        assert cluster.store.get("Pod", "default", "a")["metadata"].get("deletionTimestamp") is None

    def test_client_dry_run(self) -> None:
        cluster = started(pod_yaml("a"))
        d = drain(cluster, DrainOptions("node-2", force=True, dry_run="client"))
        assert [text for _, text in texts(d)][2:] == [
            "evicting pod default/a (dry run)",
            "node/node-2 drained (dry run)",
        ]

    def test_cancel_leaves_the_node_cordoned(self) -> None:
        cluster = started(pod_yaml("web-1") + pod_yaml("web-2", node="node-1") + PDB)
        d = drain(cluster, DrainOptions("node-2", force=True))
        d.cancel()
        count = len(d.lines)
        cluster.run_until(60)
        assert d.state == "cancelled" and len(d.lines) == count
        assert node_unschedulable(cluster, "node-2")

    def test_drains_are_listed_for_the_console(self) -> None:
        cluster = started(pod_yaml("a"))
        d = drain(cluster, DrainOptions("node-2", force=True))
        assert drains_of(cluster) == [d]


class TestDrainStep:
    def test_progress_lines_carry_their_own_simulated_time(self, tmp_path: Path) -> None:
        manifests = tmp_path / "m.yaml"
        manifests.write_text(pod_yaml("web-1") + pod_yaml("web-2", node="node-1") + PDB)
        scenario = tmp_path / "s.yaml"
        scenario.write_text("- at: 20s\n  drain: {node: node-2, force: true, timeout: 12s}\n")
        lines: list[str] = []
        inputs = load_inputs([str(manifests)], str(scenario))
        assert not inputs.problems
        simulate(inputs, until=40, report=lines.append)
        drain_lines = [line for line in lines if line.startswith("[")]
        assert drain_lines[:4] == [
            "[20s] node/node-2 cordoned",
            "[20s] Warning: deleting Pods that declare no controller: default/web-1",
            "[20s] evicting pod default/web-1",
            f'[20s] error when evicting pods/"web-1" -n "default" (will retry after 5s): {VIOLATION}',
        ]
        assert drain_lines[4] == "[25s] evicting pod default/web-1"
        assert (
            drain_lines[-1]
            == '[35s] error when evicting pods/"web-1" -n "default": global timeout reached: 12s'
        )

    def test_a_cancel_drain_step_stops_the_drain_and_the_node_stays_cordoned(
        self, tmp_path: Path
    ) -> None:
        # An interrupted kubectl drain (k8s.io/kubectl/pkg/cmd/drain/drain.go): no more
        # eviction attempts; the cordon it made stays (only uncordon lifts it).
        from engine.sim import simulate

        manifests = tmp_path / "m.yaml"
        manifests.write_text(pod_yaml("web-1") + pod_yaml("web-2", node="node-1") + PDB)
        scenario = tmp_path / "s.yaml"
        scenario.write_text(
            "- at: 20s\n  drain: {node: node-2, force: true}\n"
            "- at: 30s\n  cancelDrain: node-2\n"
            "- at: 40s\n  cancelDrain: node-2\n"
        )
        lines: list[str] = []
        inputs = load_inputs([str(manifests)], str(scenario))
        assert not inputs.problems
        cluster = simulate(inputs, until=60, report=lines.append)
        stamped = [line for line in lines if line.startswith("[")]
        stopped = stamped.index("[30s] drain of node/node-2 stopped; the node stays cordoned")
        # The retry due at 30s ran before the step (what is due at a step's time runs first).
        assert stamped[stopped - 1].startswith('[30s] error when evicting pods/"web-1"')
        assert stamped[stopped + 1 :] == ["[40s] error: no drain of node/node-2 is running"]
        (run,) = drains_of(cluster)
        assert run.state == "cancelled"
        assert node_unschedulable(cluster, "node-2")
        assert cluster.store.get("Pod", "default", "web-1") is not None

    def test_options_round_trip_through_a_step(self) -> None:
        options = DrainOptions(
            "node-2",
            force=True,
            ignore_daemonsets=True,
            timeout=120,
            grace_period=10,
            pod_selector="app=web",
        )
        assert DrainOptions.from_step(options.to_step()) == options

    def test_dry_run_and_skip_wait_round_trip_through_a_step(self) -> None:
        # kubectl drain --dry-run=server --skip-wait-for-delete-timeout=30, as the console
        # records it: the step's dryRun and skipWaitForDeleteTimeout.
        options = DrainOptions("node-2", dry_run="server", skip_wait_for_delete_timeout=30)
        assert options.to_step() == {
            "node": "node-2",
            "skipWaitForDeleteTimeout": 30,
            "dryRun": "server",
        }
        assert DrainOptions.from_step(options.to_step()) == options

    def test_a_drain_step_with_dry_run_client_changes_nothing(self, tmp_path) -> None:
        # kubectl drain --dry-run=client: `node/NAME cordoned (dry run)`, the node untouched.
        from engine.sim import load_inputs, simulate

        (tmp_path / "pod.yaml").write_text(pod_yaml("a"))
        scenario = tmp_path / "s.yaml"
        scenario.write_text("- at: 10s\n  drain: {node: node-2, force: true, dryRun: client}\n")
        lines: list[str] = []
        cluster = simulate(
            load_inputs([str(tmp_path / "pod.yaml")], str(scenario)), until=30, report=lines.append
        )
        assert "[10s] node/node-2 cordoned (dry run)" in lines
        assert not cluster.store.get("Node", "", "node-2")["spec"].get("unschedulable")
        assert cluster.store.get("Pod", "default", "a") is not None

    def test_a_drain_step_gives_up_on_a_pod_stuck_terminating_after_skip_wait(
        self, tmp_path
    ) -> None:
        # drain's skipWaitForDeleteTimeout is kubectl's --skip-wait-for-delete-timeout
        # (k8s.io/kubectl/pkg/drain/filters.go skipDeletedFilter).
        from engine.sim import load_inputs, simulate

        (tmp_path / "pod.yaml").write_text(pod_yaml("a"))
        scenario = tmp_path / "s.yaml"
        scenario.write_text(
            "- at: 5s\n  inject: {fault: nodeDown, node: node-2}\n"
            "- at: 6s\n  drain: {node: node-2, force: true, skipWaitForDeleteTimeout: 5}\n"
        )
        lines: list[str] = []
        simulate(
            load_inputs([str(tmp_path / "pod.yaml")], str(scenario)), until=80, report=lines.append
        )
        assert any("has DeletionTimestamp older than 5 seconds, skipping" in line for line in lines)
        assert lines[-1].endswith("node/node-2 drained")


class TestDrainArguments:
    """`:drain` in the console takes kubectl's arguments."""

    def test_flags(self) -> None:
        options = DrainOptions.from_args(
            [
                "node-2",
                "--ignore-daemonsets",
                "--delete-emptydir-data",
                "--force=true",
                "--timeout=2m",
                "--grace-period",
                "10",
                "--pod-selector=app=web",
                "--dry-run=server",
            ]
        )
        assert options == DrainOptions(
            "node-2",
            force=True,
            ignore_daemonsets=True,
            delete_emptydir_data=True,
            grace_period=10,
            timeout=120,
            pod_selector="app=web",
            dry_run="server",
        )
        assert DrainOptions.from_args(options.to_args()) == options

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ([], "USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples"),
            (
                ["node-2", "--delete-local-data"],
                "unknown flag: --delete-local-data\nSee 'kubectl drain --help' for usage.",
            ),
            (
                ["node-2", "--timeout=5"],
                'invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"'
                "\nSee 'kubectl drain --help' for usage.",
            ),
            (
                ["node-2", "--timeout"],
                "flag needs an argument: --timeout\nSee 'kubectl drain --help' for usage.",
            ),
            (
                ["node-2", "--dry-run=maybe"],
                'Invalid dry-run value (maybe). Must be "none", "server", or "client".',
            ),
        ],
    )
    def test_refusals(self, argv: list[str], message: str) -> None:
        with pytest.raises(DrainUsageError) as err:
            DrainOptions.from_args(argv)
        assert str(err.value) == message

    @pytest.mark.parametrize(
        ("text", "seconds"), [("90s", 90), ("1h30m", 5400), ("1.5m", 90), ("0", 0), ("250ms", 0.25)]
    )
    def test_go_durations(self, text: str, seconds: float) -> None:
        assert parse_go_duration(text) == seconds
