"""The Eviction API (pkg/registry/core/pod/storage/eviction.go; control-plane.md §2)."""

from __future__ import annotations

import pytest

from engine.api import errors
from engine.cluster import Cluster
from engine.disruption.eviction import EvictionError, evict, evict_action
from engine.printers import pod_status_reason
from tests.engine.simulation import cluster_with

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


def web_pods(count: int = 3, *, extra: str = "") -> str:
    docs = []
    for index in range(1, count + 1):
        docs.append(
            f"""
apiVersion: v1
kind: Pod
metadata: {{name: web-{index}, labels: {{app: web}}}}
spec:
  containers: [{{name: app, image: nginx:1.27}}]
"""
        )
    return "---".join(docs) + extra


def pdb(
    name: str = "web-pdb",
    *,
    min_available: int | str | None = 2,
    selector: str = "{matchLabels: {app: web}}",
    api_version: str = "policy/v1",
    policy: str | None = None,
) -> str:
    lines = [
        "---",
        f"apiVersion: {api_version}",
        "kind: PodDisruptionBudget",
        f"metadata: {{name: {name}}}",
        "spec:",
        f"  selector: {selector}",
    ]
    if min_available is not None:
        lines.append(
            f"  minAvailable: {min_available!r}"
            if isinstance(min_available, str)
            else f"  minAvailable: {min_available}"
        )
    if policy is not None:
        lines.append(f"  unhealthyPodEvictionPolicy: {policy}")
    return "\n" + "\n".join(lines) + "\n"


NOT_READY_POD = """
---
apiVersion: v1
kind: Pod
metadata: {name: sick, labels: {app: web}}
spec:
  containers:
  - name: app
    image: nginx:1.27
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 5}
"""


def ready_cluster(text: str) -> Cluster:
    cluster = cluster_with(text)
    cluster.run_until(20)
    return cluster


def pod(cluster: Cluster, name: str) -> dict | None:
    return cluster.store.get("Pod", "default", name)


def budget_status(cluster: Cluster, name: str = "web-pdb") -> dict:
    return cluster.store.get("PodDisruptionBudget", "default", name)["status"]


def condition(obj: dict, condition_type: str) -> dict | None:
    return next(
        (c for c in obj["status"].get("conditions", []) if c["type"] == condition_type), None
    )


class TestEvictionWithoutBudget:
    def test_evicted_pod_gets_disruption_target_and_terminates(self) -> None:
        cluster = ready_cluster(web_pods(1))
        evict(cluster, "web-1")
        evicted = pod(cluster, "web-1")
        assert evicted is not None and evicted["metadata"]["deletionTimestamp"]
        target = condition(evicted, "DisruptionTarget")
        assert target is not None
        assert (target["status"], target["reason"], target["message"]) == (
            "True",
            "EvictionByEvictionAPI",
            "Eviction API: evicting",
        )
        assert pod_status_reason(evicted) == "Terminating"
        cluster.run_until(60)
        assert pod(cluster, "web-1") is None

    def test_missing_pod_is_not_found(self) -> None:
        cluster = ready_cluster(web_pods(1))
        with pytest.raises(errors.APIError) as err:
            evict(cluster, "nope")
        assert (err.value.code, err.value.message) == (404, 'pods "nope" not found')

    def test_grace_period_is_passed_to_the_delete(self) -> None:
        cluster = ready_cluster(web_pods(1))
        evict(cluster, "web-1", grace_period=0)
        assert pod(cluster, "web-1") is None


class TestEvictionWithBudget:
    def test_eviction_takes_one_disruption_at_once_and_records_the_pod(self) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        assert budget_status(cluster)["disruptionsAllowed"] == 1
        outcome = evict(cluster, "web-1")
        assert outcome.budget_name == "web-pdb"
        status = budget_status(cluster)
        assert status["disruptionsAllowed"] == 0
        assert status["disruptedPods"] == {"web-1": cluster.clock.timestamp()}
        reached_zero = condition(
            cluster.store.get("PodDisruptionBudget", "default", "web-pdb"), "DisruptionAllowed"
        )
        assert (reached_zero["status"], reached_zero["reason"]) == ("False", "InsufficientPods")

    def test_budget_at_zero_refuses_with_429_and_its_cause(self) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        evict(cluster, "web-1")
        cluster.run_until(21)
        with pytest.raises(EvictionError) as err:
            evict(cluster, "web-2")
        assert (err.value.code, err.value.reason, err.value.message) == (
            429,
            "TooManyRequests",
            VIOLATION,
        )
        assert err.value.causes == [
            (
                "DisruptionBudget",
                "The disruption budget web-pdb needs 2 healthy pods and has 2 currently",
            )
        ]
        assert err.value.retry_after_seconds == 0
        assert pod(cluster, "web-2")["metadata"].get("deletionTimestamp") is None
        assert condition(pod(cluster, "web-2"), "DisruptionTarget") is None

    def test_second_eviction_in_the_same_instant_sees_the_decremented_budget(self) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        evict(cluster, "web-1")
        with pytest.raises(EvictionError) as err:
            evict(cluster, "web-2")
        assert err.value.cause_messages == [
            "The disruption budget web-pdb needs 2 healthy pods and has 3 currently"
        ]

    def test_two_budgets_are_a_500(self) -> None:
        cluster = ready_cluster(web_pods() + pdb() + pdb("other", min_available=1))
        with pytest.raises(EvictionError) as err:
            evict(cluster, "web-1")
        assert (err.value.code, err.value.message) == (
            500,
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        )

    def test_budget_still_being_processed_is_a_429_with_retry_after(self) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        budget_obj = cluster.store.get("PodDisruptionBudget", "default", "web-pdb")
        budget_obj["spec"]["minAvailable"] = 1
        cluster.store.modified(budget_obj, spec_changed=True)
        with pytest.raises(EvictionError) as err:
            evict(cluster, "web-1")
        assert err.value.code == 429
        assert err.value.retry_after_seconds == 10
        assert err.value.cause_messages == [
            "The disruption budget web-pdb is still being processed by the server."
        ]
        cluster.run_until(21)
        evict(cluster, "web-1")

    @pytest.mark.parametrize(
        ("status", "message"),
        [
            ({"disruptionsAllowed": -1}, "pdb disruptions allowed is negative"),
            (
                {
                    "disruptionsAllowed": 1,
                    "disruptedPods": {f"p{i}": "2025-01-01T00:00:00Z" for i in range(2001)},
                },
                "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
            ),
        ],
    )
    def test_forbidden_budget_states(self, status: dict, message: str) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        budget_obj = cluster.store.get("PodDisruptionBudget", "default", "web-pdb")
        budget_obj["status"].update(status)
        with pytest.raises(EvictionError) as err:
            evict(cluster, "web-1")
        assert err.value.code == 403
        assert err.value.message == f'poddisruptionbudget.policy "web-pdb" is forbidden: {message}'

    def test_dry_run_changes_nothing(self) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        before = dict(budget_status(cluster))
        outcome = evict(cluster, "web-1", dry_run=True)
        assert outcome.dry_run
        assert budget_status(cluster) == before
        assert pod(cluster, "web-1")["metadata"].get("deletionTimestamp") is None
        assert condition(pod(cluster, "web-1"), "DisruptionTarget") is None


class TestPodsThatIgnoreTheBudget:
    def _blocked_budget(self, extra: str) -> Cluster:
        # minAvailable 100%: no disruption is ever allowed.
        return ready_cluster(web_pods(2) + pdb(min_available="100%") + extra)

    def test_pending_pod_is_deleted_without_the_budget(self) -> None:
        cluster = self._blocked_budget(
            """
---
apiVersion: v1
kind: Pod
metadata: {name: huge, labels: {app: web}}
spec:
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "64"}}}]
"""
        )
        assert pod(cluster, "huge")["status"]["phase"] == "Pending"
        evict(cluster, "huge")
        assert pod(cluster, "huge") is None  # unscheduled: grace forced to 0

    def test_finished_pod_is_deleted_without_the_budget(self) -> None:
        cluster = self._blocked_budget(
            """
---
apiVersion: v1
kind: Pod
metadata: {name: done, labels: {app: web}}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox:1.36, command: [sh, -c, "exit 0"]}]
"""
        )
        assert pod(cluster, "done")["status"]["phase"] == "Succeeded"
        evict(cluster, "done")
        assert pod(cluster, "done") is None

    def test_terminating_pod_is_deleted_again_without_the_budget(self) -> None:
        cluster = self._blocked_budget("")
        cluster.api.delete("Pod", "default", "web-1")
        evict(cluster, "web-1")
        assert pod(cluster, "web-1")["metadata"]["deletionTimestamp"]

    def test_ready_running_pod_is_refused(self) -> None:
        cluster = self._blocked_budget("")
        with pytest.raises(EvictionError):
            evict(cluster, "web-1")


class TestUnhealthyPodEvictionPolicy:
    def test_if_healthy_budget_lets_an_unready_pod_go_while_the_budget_is_met(self) -> None:
        cluster = ready_cluster(web_pods(3) + pdb(min_available=2) + NOT_READY_POD)
        assert budget_status(cluster)["currentHealthy"] == 3
        evict(cluster, "sick")
        assert budget_status(cluster)["disruptionsAllowed"] == 1  # not decremented
        assert pod(cluster, "sick")["metadata"]["deletionTimestamp"]

    def test_if_healthy_budget_guards_an_unready_pod_when_the_budget_is_not_met(self) -> None:
        cluster = ready_cluster(web_pods(1) + pdb(min_available=2) + NOT_READY_POD)
        assert (
            budget_status(cluster)["currentHealthy"],
            budget_status(cluster)["desiredHealthy"],
        ) == (1, 2)
        with pytest.raises(EvictionError):
            evict(cluster, "sick")

    def test_always_allow_lets_an_unready_pod_go_regardless(self) -> None:
        cluster = ready_cluster(
            web_pods(1) + pdb(min_available=2, policy="AlwaysAllow") + NOT_READY_POD
        )
        evict(cluster, "sick")
        assert pod(cluster, "sick")["metadata"]["deletionTimestamp"]
        with pytest.raises(EvictionError):
            evict(cluster, "web-1")  # a Ready pod still needs the budget


class TestSelectors:
    def test_policy_v1_empty_selector_guards_every_pod(self) -> None:
        cluster = ready_cluster(web_pods(1) + pdb(min_available=1, selector="{}"))
        with pytest.raises(EvictionError):
            evict(cluster, "web-1")

    def test_policy_v1beta1_empty_selector_guards_nothing(self) -> None:
        cluster = ready_cluster(
            web_pods(1) + pdb(min_available=1, selector="{}", api_version="policy/v1beta1")
        )
        evict(cluster, "web-1")
        assert pod(cluster, "web-1")["metadata"]["deletionTimestamp"]


class TestEvictAction:
    def test_success_line(self) -> None:
        cluster = ready_cluster(web_pods() + pdb())
        result = evict_action(cluster, "pod/web-1")
        assert (result.lines, result.errors) == (["pod/web-1 evicted"], [])

    def test_refusal_line_is_kubectls(self) -> None:
        cluster = ready_cluster(web_pods(2) + pdb())
        result = evict_action(cluster, "pod/web-1")
        assert result.errors == [f'error when evicting pods/"web-1" -n "default": {VIOLATION}']

    def test_missing_pod_line(self) -> None:
        cluster = ready_cluster(web_pods(1))
        result = evict_action(cluster, "pod/nope")
        assert result.errors == ['Error from server (NotFound): pods "nope" not found']
