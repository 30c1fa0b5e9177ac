"""The node lifecycle controller's rules as pure functions (node_lifecycle_controller.go;
kubelet.md §10)."""

from __future__ import annotations

import pytest

from engine.disruption import node_health as nh
from engine.disruption.node_taints import no_schedule_taints_wanted, swap_taints
from engine.disruption.taint_eviction import matching_tolerations, min_toleration_time


def ready(heartbeat: str, transition: str = "t0", status: str = "True") -> dict:
    return {
        "type": "Ready",
        "status": status,
        "lastHeartbeatTime": heartbeat,
        "lastTransitionTime": transition,
    }


class TestObserve:
    def test_first_sight_takes_now_as_the_probe_time(self) -> None:
        health = nh.observe(None, ready("h1"), None, now=10, created=0)
        assert (health.probe_timestamp, health.ready_transition_timestamp) == (10, 10)

    def test_a_new_heartbeat_refreshes_the_probe_time(self) -> None:
        health = nh.observe(None, ready("h1"), None, now=10, created=0)
        health = nh.observe(health, ready("h2"), None, now=20, created=0)
        assert (health.probe_timestamp, health.ready_transition_timestamp) == (20, 10)

    def test_a_lease_renewal_refreshes_the_probe_time(self) -> None:
        health = nh.observe(None, ready("h1"), "2025-01-01T00:00:10.000000Z", now=10, created=0)
        health = nh.observe(health, ready("h1"), "2025-01-01T00:00:20.000000Z", now=25, created=0)
        assert health.probe_timestamp == 25
        same = nh.observe(health, ready("h1"), "2025-01-01T00:00:20.000000Z", now=30, created=0)
        assert same.probe_timestamp == 25

    def test_silence_for_longer_than_the_grace_period_is_stale(self) -> None:
        health = nh.observe(None, ready("h1"), None, now=30, created=0)
        assert not nh.is_stale(health, 80, nh.NODE_MONITOR_GRACE_PERIOD)
        assert nh.is_stale(health, 80.001, nh.NODE_MONITOR_GRACE_PERIOD)

    def test_grace_periods(self) -> None:
        assert nh.NODE_MONITOR_GRACE_PERIOD == 50
        assert nh.grace_period(None) == 60
        assert nh.grace_period(ready("h")) == 50


class TestMarkUnknown:
    def test_conditions_become_unknown_with_upstreams_words(self) -> None:
        conditions = [
            ready("h1"),
            {
                "type": "MemoryPressure",
                "status": "False",
                "lastHeartbeatTime": "h1",
                "lastTransitionTime": "t0",
            },
            {
                "type": "NetworkUnavailable",
                "status": "False",
                "lastHeartbeatTime": "h1",
                "lastTransitionTime": "t0",
            },
        ]
        out = {c["type"]: c for c in nh.mark_unknown(conditions, "now", "created")}
        assert out["Ready"] == {
            "lastHeartbeatTime": "h1",
            "lastTransitionTime": "now",
            "message": "Kubelet stopped posting node status.",
            "reason": "NodeStatusUnknown",
            "status": "Unknown",
            "type": "Ready",
        }
        assert out["MemoryPressure"]["status"] == "Unknown"
        assert out["NetworkUnavailable"]["status"] == "False"
        assert out["DiskPressure"]["reason"] == "NodeStatusNeverUpdated"
        assert out["DiskPressure"]["message"] == "Kubelet never posted node status."
        assert out["DiskPressure"]["lastHeartbeatTime"] == "created"


class TestZoneState:
    @pytest.mark.parametrize(
        ("statuses", "expected"),
        [
            (["True", "True", "True"], (0, nh.STATE_NORMAL)),
            (["True", "True", "Unknown"], (1, nh.STATE_NORMAL)),
            (["Unknown", "Unknown", "Unknown"], (3, nh.STATE_FULL_DISRUPTION)),
            (["True", "Unknown", "Unknown", "Unknown"], (3, nh.STATE_PARTIAL_DISRUPTION)),
            (["True", "True", "Unknown", "Unknown"], (2, nh.STATE_NORMAL)),
            (["True"] * 4 + ["False"] * 3, (3, nh.STATE_NORMAL)),  # 3/7 < 55%
        ],
    )
    def test_compute_zone_state(self, statuses: list[str], expected: tuple) -> None:
        assert nh.compute_zone_state([{"status": s} for s in statuses]) == expected

    @pytest.mark.parametrize(
        ("state", "size", "qps"),
        [
            (nh.STATE_NORMAL, 3, 0.1),
            (nh.STATE_FULL_DISRUPTION, 3, 0.1),
            (nh.STATE_PARTIAL_DISRUPTION, 10, 0.0),
            (nh.STATE_PARTIAL_DISRUPTION, 51, 0.01),
        ],
    )
    def test_tainting_rate(self, state: str, size: int, qps: float) -> None:
        assert nh.zone_tainting_qps(state, size) == qps

    def test_zone_key(self) -> None:
        assert nh.zone_key({"metadata": {"labels": {}}}) == ""
        labels = {"topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "z"}
        assert nh.zone_key({"metadata": {"labels": labels}}) == "r:\x00:z"


class TestTokenBucket:
    def test_one_node_every_ten_seconds(self) -> None:
        bucket = nh.TokenBucket(0.1, now=0)
        assert bucket.try_accept(0)
        assert not bucket.try_accept(5)
        assert bucket.next_token_at(5) == pytest.approx(10)
        assert bucket.try_accept(10)

    def test_zero_rate_never_accepts(self) -> None:
        bucket = nh.TokenBucket(0.0, now=0)
        assert not bucket.try_accept(1000)
        assert bucket.next_token_at(1000) is None


class TestTaints:
    @pytest.mark.parametrize(
        ("ready_status", "unschedulable", "expected"),
        [
            ("True", False, []),
            ("False", False, [("node.kubernetes.io/not-ready", "NoSchedule")]),
            ("Unknown", False, [("node.kubernetes.io/unreachable", "NoSchedule")]),
            ("True", True, [("node.kubernetes.io/unschedulable", "NoSchedule")]),
        ],
    )
    def test_no_schedule_taints_follow_conditions(
        self, ready_status: str, unschedulable: bool, expected: list
    ) -> None:
        node = {
            "spec": {"unschedulable": unschedulable},
            "status": {"conditions": [{"type": "Ready", "status": ready_status}]},
        }
        assert no_schedule_taints_wanted(node) == expected

    def test_swap_adds_with_time_and_removes_by_key_and_effect(self) -> None:
        taints = [
            {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute", "timeAdded": "old"},
            {"key": "other", "effect": "NoSchedule"},
        ]
        out = swap_taints(
            taints,
            [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}],
            [{"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}],
            "now",
        )
        assert out == [
            {"key": "other", "effect": "NoSchedule"},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "timeAdded": "now"},
        ]


UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
NOT_READY = {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}
DEFAULT_TOLERATIONS = [
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
]


class TestTaintEvictionRules:
    @pytest.mark.parametrize(
        ("taints", "tolerations", "expected"),
        [
            ([UNREACHABLE], DEFAULT_TOLERATIONS, (True, 300.0)),
            ([UNREACHABLE], [], (False, None)),
            ([UNREACHABLE, NOT_READY], DEFAULT_TOLERATIONS[1:], (False, None)),
            (
                [UNREACHABLE],
                [{"operator": "Exists"}],
                (True, -1.0),
            ),  # tolerates everything, forever
            (
                [UNREACHABLE],
                [
                    {
                        "key": "node.kubernetes.io/unreachable",
                        "operator": "Exists",
                        "effect": "NoExecute",
                        "tolerationSeconds": 0,
                    }
                ],
                (True, 0.0),
            ),
            (
                [UNREACHABLE, NOT_READY],
                [DEFAULT_TOLERATIONS[0], {**DEFAULT_TOLERATIONS[1], "tolerationSeconds": 60}],
                (True, 60.0),
            ),
        ],
    )
    def test_get_matching_tolerations_and_min_toleration_time(
        self, taints: list, tolerations: list, expected: tuple
    ) -> None:
        tolerated, used = matching_tolerations(taints, tolerations)
        assert tolerated == expected[0]
        if tolerated:
            assert min_toleration_time(used) == expected[1]
