"""The disruption controller against upstream's test table (pkg/controller/disruption/
disruption_test.go; control-plane.md §1.3). Tuples are (disruptionsAllowed, currentHealthy,
desiredHealthy, expectedPods), as VerifyPdbStatus checks them."""

from __future__ import annotations

import pytest

from engine.api.kinds import KindInfo, register_kind
from engine.disruption.finders import SCALABLE, register_scale_subresource
from tests.engine.disruption.harness import PdbHarness


class TestNoSelector:
    def test_empty_selector_in_policy_v1_selects_every_pod(self) -> None:
        h = PdbHarness()
        h.pdb(min_available=3, selector={})
        h.sync()
        assert h.status() == (0, 0, 3, 0)
        h.pod("naked", labels={})
        h.sync()
        assert h.status() == (0, 1, 3, 1)

    def test_budget_without_pods_records_no_pods(self) -> None:
        h = PdbHarness()
        pdb = h.pdb(min_available=3)
        h.sync()
        assert h.event_messages(pdb, "NoPods") == ["No matching pods found"]


class TestUnavailable:
    @pytest.mark.parametrize("count", [0, 1, 2, 3])
    def test_integer_min_available_counts_naked_pods(self, count: int) -> None:
        h = PdbHarness()
        h.pdb(min_available=3)
        for index in range(count):
            h.pod(f"p{index}")
        h.sync()
        assert h.status() == (0, count, 3, count)

    def test_fourth_ready_pod_allows_one_disruption_and_unready_takes_it_back(self) -> None:
        h = PdbHarness()
        h.pdb(min_available=3)
        pods = [h.pod(f"p{index}") for index in range(4)]
        h.sync()
        assert h.status() == (1, 4, 3, 4)
        h.set_ready(pods[0], False)
        h.sync()
        assert h.status() == (0, 3, 3, 4)


class TestMaxUnavailable:
    def test_integer_max_unavailable_with_a_naked_pod_is_unmanaged(self) -> None:
        h = PdbHarness()
        pdb = h.pdb(max_unavailable=1)
        h.pod("naked")
        h.sync()
        assert h.status()[0] == 0
        assert "UnmanagedPods" in h.event_reasons(pdb)

    def test_integer_max_unavailable_follows_the_replica_set_scale(self) -> None:
        h = PdbHarness()
        h.pdb(max_unavailable=2)
        rs = h.owner("ReplicaSet", "web", 7)
        pod = h.pod("p0", owner=rs)
        h.sync()
        assert h.status() == (0, 1, 5, 7)
        h.scale(rs, 5)
        h.set_ready(pod, True)  # the controller looks again when a pod changes
        h.sync()
        assert h.status() == (0, 1, 3, 5)

    @pytest.mark.parametrize(("replicas", "expected"), [(7, (0, 1, 4, 7)), (3, (0, 1, 2, 3))])
    def test_percentage_max_unavailable_rounds_up(self, replicas: int, expected: tuple) -> None:
        # 30% of 7 = 2.1 -> 3 unavailable -> 4 desired; 30% of 3 = 0.9 -> 1 -> 2 desired.
        h = PdbHarness()
        h.pdb(max_unavailable="30%")
        rs = h.owner("ReplicaSet", "web", replicas)
        h.pod("p0", owner=rs)
        h.sync()
        assert h.status() == expected


class TestControllers:
    def test_naked_pod_with_percentage_min_available_is_unmanaged(self) -> None:
        h = PdbHarness()
        pdb = h.pdb(min_available="28%")
        h.pod("naked")
        h.sync()
        assert h.status()[0] == 0
        [message] = h.event_messages(pdb, "UnmanagedPods")
        assert message == (
            "Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:"
            "map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were "
            "found to be unmanaged. As a result, the status of the PDB cannot be calculated "
            "correctly, which may result in undefined behavior. To account for these pods please "
            'set ".spec.minAvailable" field of the PDB to an integer value.'
        )
        assert h.condition()["reason"] == "InsufficientPods"

    def test_unsupported_controller_fails_to_calculate_expected_pods(self) -> None:
        h = PdbHarness()
        pdb = h.pdb(min_available="28%")
        owner = h.owner("TestWorkload", "custom", 3, api_version="apps.test.io/v1")
        h.pod("p0", owner=owner)
        h.sync()
        assert h.status()[0] == 0
        message = 'no matches for kind "TestWorkload" in version "apps.test.io/v1"'
        assert h.event_messages(pdb, "CalculateExpectedPodCountFailed") == [
            f"Failed to calculate the number of expected pods: {message}"
        ]
        condition = h.condition()
        assert (condition["status"], condition["reason"], condition["message"]) == (
            "False",
            "SyncFailed",
            message,
        )

    def test_replica_set_scale_is_the_denominator(self) -> None:
        h = PdbHarness()
        h.pdb(min_available="20%")
        rs = h.owner("ReplicaSet", "web", 10)
        h.pod("p0", owner=rs)
        h.sync()
        assert h.status() == (0, 1, 2, 10)

    def test_scale_subresource_of_any_kind(self) -> None:
        register_kind(KindInfo("TestScalable", "scale.test.io", ("v1",), "testscalables"))
        register_scale_subresource("scale.test.io", "TestScalable", "testscalables.scale.test.io")
        try:
            h = PdbHarness()
            h.pdb(max_unavailable=5)
            owner = h.owner("TestScalable", "custom", 10, api_version="scale.test.io/v1")
            for index in range(4):
                h.pod(f"p{index}", owner=owner)
            h.sync()
            assert h.status() == (0, 4, 5, 10)
        finally:
            SCALABLE.pop(("scale.test.io", "TestScalable"), None)

    def test_kind_without_scale_subresource_says_so(self) -> None:
        register_kind(KindInfo("TestNoScale", "noscale.test.io", ("v1",), "testnoscales"))
        h = PdbHarness()
        pdb = h.pdb(min_available="50%")
        owner = h.owner("TestNoScale", "custom", 2, api_version="noscale.test.io/v1")
        h.pod("p0", owner=owner)
        h.sync()
        assert h.event_messages(pdb, "CalculateExpectedPodCountFailed") == [
            "Failed to calculate the number of expected pods: "
            "testnoscales.noscale.test.io does not implement the scale subresource"
        ]

    def test_multiple_pods_of_one_controller_count_it_once(self) -> None:
        h = PdbHarness()
        h.pdb(min_available="1%")
        pods = [h.pod("p0"), h.pod("p1")]
        h.sync()
        assert h.status()[0] == 0
        rc = h.owner("ReplicationController", "rc", 1, api_version="v1")
        for pod in pods:
            pod["metadata"]["ownerReferences"] = [
                {
                    "apiVersion": "v1",
                    "kind": "ReplicationController",
                    "name": "rc",
                    "uid": rc["metadata"]["uid"],
                    "controller": True,
                }
            ]
            h.store.modified(pod)
        h.sync()
        assert h.status()[0] == 1

    @pytest.mark.parametrize(
        ("kind", "api_version"), [("ReplicationController", "v1"), ("StatefulSet", "apps/v1")]
    )
    def test_controller_with_34_percent_min_available(self, kind: str, api_version: str) -> None:
        h = PdbHarness()
        h.pdb(min_available="34%")
        owner = h.owner(kind, "web", 3, api_version=api_version)
        h.sync()
        # Controllers are found only through selected pods: none yet, nothing expected.
        assert h.status() == (0, 0, 0, 0)
        for index in range(3):
            h.pod(f"web-{index}", owner=owner)
            h.sync()
            expected = (0, index + 1, 2, 3) if index < 2 else (1, 3, 2, 3)
            assert h.status() == expected
        h.pod("rogue")
        h.sync()
        assert h.status()[0] == 2

    def test_two_controllers_add_up(self) -> None:
        h = PdbHarness()
        h.pdb(min_available="28%")
        rc = h.owner("ReplicationController", "rc", 11, api_version="v1")
        deployment = h.owner("Deployment", "dep", 11)
        rs = h.owner("ReplicaSet", "dep-abc", 11, controller=deployment)
        h.pod("rc-0", owner=rc)
        h.sync()
        assert h.status()[2:] == (4, 11)  # ceil(3.08)
        pods = [h.pod(f"rc-{i}", owner=rc) for i in range(1, 5)]
        pods += [h.pod(f"dep-{i}", owner=rs) for i in range(4)]
        h.sync()
        assert h.status() == (2, 9, 7, 22)  # ceil(6.16) = 7
        h.set_ready(pods[0], False)
        h.sync()
        assert h.status() == (1, 8, 7, 22)
        h.set_ready(pods[1], False)
        h.sync()
        assert h.status() == (0, 7, 7, 22)
        h.set_ready(pods[0], True)
        h.sync()
        assert h.status() == (1, 8, 7, 22)


class TestDisruptedPods:
    def test_update_disrupted_pods(self) -> None:
        h = PdbHarness(start_at=600)
        now = h.clock.now
        stamp = h.clock.timestamp
        h.pod("p1", deleting=True)
        p2 = h.pod("p2")
        h.pod("p3")
        h.pdb(
            min_available=1,
            status={
                "disruptedPods": {
                    "p1": stamp(now),
                    "p2": stamp(now - 180),
                    "p3": stamp(now - 60),
                    "notthere": stamp(now),
                }
            },
        )
        h.sync()
        status = h.store.get("PodDisruptionBudget", "default", "web")["status"]
        assert status["disruptedPods"] == {"p3": stamp(now - 60)}
        assert h.status() == (0, 1, 1, 3)
        # Upstream formats the PDB's namespace twice.
        assert h.event_messages(p2, "NotDeleted") == [
            "Pod was expected by PDB default/default to be deleted but it wasn't"
        ]

    def test_entry_expires_after_two_minutes_and_the_pod_counts_again(self) -> None:
        h = PdbHarness(start_at=600)
        h.pod("p1")
        h.pod("p2")
        h.pdb(min_available=1, status={"disruptedPods": {"p1": h.clock.timestamp()}})
        h.sync()
        assert h.status() == (0, 1, 1, 2)
        h.sync(advance=121)
        assert h.status() == (1, 2, 1, 2)
        assert "disruptedPods" not in h.store.get("PodDisruptionBudget", "default", "web")["status"]


class TestConditionsAndFailures:
    def test_invalid_selector_fails_safe(self) -> None:
        h = PdbHarness()
        pdb = h.pdb(
            min_available=1,
            selector={"matchExpressions": [{"key": "app", "operator": "Bogus", "values": ["x"]}]},
        )
        h.pod("p0")
        h.sync()
        assert h.status() == (0, 0, 0, 0)
        condition = h.condition()
        assert (condition["status"], condition["reason"]) == ("False", "SyncFailed")
        assert condition["message"] == '"Bogus" is not a valid label selector operator'
        assert h.event_messages(pdb, "NoPods") == [
            'Failed to get pods: "Bogus" is not a valid label selector operator'
        ]

    def test_disruption_allowed_condition_follows_the_count(self) -> None:
        h = PdbHarness()
        h.pdb(min_available=1)
        pods = [h.pod("p0"), h.pod("p1")]
        h.sync()
        condition = h.condition()
        assert (condition["status"], condition["reason"], condition["message"]) == (
            "True",
            "SufficientPods",
            "",
        )
        assert condition["observedGeneration"] == 1
        h.set_ready(pods[0], False)
        h.sync()
        assert (h.condition()["status"], h.condition()["reason"]) == ("False", "InsufficientPods")

    def test_status_records_observed_generation(self) -> None:
        h = PdbHarness()
        pdb = h.pdb(min_available=1)
        h.sync()
        pdb["spec"]["minAvailable"] = 0
        h.store.modified(pdb, spec_changed=True)
        h.sync()
        status = h.store.get("PodDisruptionBudget", "default", "web")["status"]
        assert status["observedGeneration"] == 2

    def test_pod_matching_two_budgets_warns_and_wakes_the_first(self) -> None:
        h = PdbHarness()
        h.pdb("a", min_available=1)
        h.pdb("b", min_available=1)
        pod = h.pod("p0")
        h.sync()
        assert h.event_messages(pod, "MultiplePodDisruptionBudgets") == [
            'Pod "default"/"p0" matches multiple PodDisruptionBudgets.  Chose "a" arbitrarily.'
        ]


class TestStalePodDisruption:
    def test_stale_disruption_target_is_reset_after_two_minutes(self) -> None:
        h = PdbHarness(start_at=10)
        pod = h.pod("p0")
        pod["status"]["conditions"].append(
            {
                "type": "DisruptionTarget",
                "status": "True",
                "reason": "EvictionByEvictionAPI",
                "message": "Eviction API: evicting",
                "lastTransitionTime": h.clock.timestamp(),
            }
        )
        h.store.modified(pod)
        h.sync(advance=119)
        condition = next(c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget")
        assert condition["status"] == "True"
        h.sync(advance=2)
        condition = next(c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget")
        assert condition["status"] == "False"
        assert "reason" not in condition

    def test_kubelet_disruption_target_is_never_stale(self) -> None:
        h = PdbHarness(start_at=10)
        pod = h.pod("p0")
        pod["status"]["conditions"].append(
            {
                "type": "DisruptionTarget",
                "status": "True",
                "reason": "TerminationByKubelet",
                "lastTransitionTime": h.clock.timestamp(),
            }
        )
        h.store.modified(pod)
        h.sync(advance=300)
        condition = next(c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget")
        assert condition["status"] == "True"
