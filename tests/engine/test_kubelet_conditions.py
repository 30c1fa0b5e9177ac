"""Pod conditions as the kubelet writes them (generate.go, generateAPIPodStatus, status manager)."""

from __future__ import annotations

import pytest

from engine.kubelet.conditions import (
    all_container_statuses,
    containers_ready_condition,
    generate_conditions,
    initialized_condition,
    pod_ready_condition,
    ready_to_start_containers_condition,
)

T0 = "2025-01-01T00:00:00Z"
T5 = "2025-01-01T00:00:05Z"
T9 = "2025-01-01T00:00:09Z"


def pod(containers=("a",), init=(), sidecars=(), readiness_gates=(), conditions=None) -> dict:
    init_containers = [{"name": n} for n in init]
    init_containers += [{"name": n, "restartPolicy": "Always"} for n in sidecars]
    result = {
        "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
        "spec": {
            "initContainers": init_containers,
            "containers": [{"name": n} for n in containers],
            "readinessGates": [{"conditionType": g} for g in readiness_gates],
        },
        "status": {},
    }
    if conditions is not None:
        result["status"]["conditions"] = conditions
    return result


def running(name: str, ready: bool = False, started: bool = True) -> dict:
    return {"name": name, "state": {"running": {}}, "ready": ready, "started": started}


def waiting(name: str, reason: str = "ContainerCreating") -> dict:
    return {"name": name, "state": {"waiting": {"reason": reason}}, "ready": False}


def terminated(name: str, exit_code: int = 0) -> dict:
    return {
        "name": name,
        "state": {"terminated": {"exitCode": exit_code}},
        "ready": False,
        "started": False,
    }


def init_done(name: str) -> dict:
    # The prober manager marks a regular init container that exited 0 as ready.
    return {**terminated(name), "ready": True}


def bare(condition_type: str, status: str, reason: str = "", message: str = "") -> dict:
    expected = {"status": status, "type": condition_type}
    if reason:
        expected["reason"] = reason
    if message:
        expected["message"] = message
    return expected


class TestContainersReadyCondition:
    @pytest.mark.parametrize(
        ("the_pod", "statuses", "phase", "expected"),
        [
            pytest.param(
                pod(["a"]),
                None,
                "Pending",
                bare("ContainersReady", "False", "UnknownContainerStatuses"),
                id="nil statuses are unknown",
            ),
            pytest.param(
                pod(["a", "b"]),
                [running("a", ready=True), running("b", ready=True)],
                "Running",
                bare("ContainersReady", "True"),
                id="all ready",
            ),
            pytest.param(
                pod(["a", "b"]),
                [running("a"), waiting("b")],
                "Pending",
                bare(
                    "ContainersReady",
                    "False",
                    "ContainersNotReady",
                    "containers with unready status: [a b]",
                ),
                id="unready containers listed Go-style",
            ),
            pytest.param(
                pod(["a", "b", "c"]),
                [running("a"), running("b", ready=True)],
                "Running",
                bare(
                    "ContainersReady",
                    "False",
                    "ContainersNotReady",
                    "containers with unknown status: [c], containers with unready status: [a]",
                ),
                id="unknown before unready, joined by comma",
            ),
            pytest.param(
                pod(["a"], init=["i"], sidecars=["s"]),
                [terminated("i", 1), running("s"), running("a", ready=True)],
                "Running",
                bare(
                    "ContainersReady",
                    "False",
                    "ContainersNotReady",
                    "containers with unready status: [s]",
                ),
                id="sidecar readiness counts, regular init container does not",
            ),
            pytest.param(
                pod(["a"], sidecars=["s"]),
                [running("a", ready=True)],
                "Running",
                bare(
                    "ContainersReady",
                    "False",
                    "ContainersNotReady",
                    "containers with unknown status: [s]",
                ),
                id="sidecar without status is unknown",
            ),
            pytest.param(
                pod(["a", "b"]),
                [terminated("a"), terminated("b")],
                "Succeeded",
                bare("ContainersReady", "False", "PodCompleted"),
                id="succeeded pod is PodCompleted",
            ),
            pytest.param(
                pod(["a", "b"]),
                [terminated("a")],
                "Succeeded",
                bare(
                    "ContainersReady",
                    "False",
                    "ContainersNotReady",
                    "containers with unknown status: [b], containers with unready status: [a]",
                ),
                id="succeeded with an unknown container is not PodCompleted",
            ),
            pytest.param(
                pod(["a", "b"]),
                [running("a", ready=True)],
                "Failed",
                bare("ContainersReady", "False", "PodFailed"),
                id="failed pod is PodFailed even with unknown containers",
            ),
        ],
    )
    def test_generate_containers_ready_condition(self, the_pod, statuses, phase, expected):
        assert containers_ready_condition(the_pod, statuses, phase) == expected


class TestPodReadyCondition:
    def test_copies_containers_ready_when_not_true(self):
        the_pod = pod(["a"], readiness_gates=["example.com/lb"])
        assert pod_ready_condition(the_pod, [], [running("a")], "Running") == bare(
            "Ready", "False", "ContainersNotReady", "containers with unready status: [a]"
        )

    def test_terminal_reasons_are_copied(self):
        the_pod = pod(["a"])
        assert pod_ready_condition(the_pod, [], [terminated("a", 1)], "Failed") == bare(
            "Ready", "False", "PodFailed"
        )
        assert pod_ready_condition(the_pod, [], [terminated("a")], "Succeeded") == bare(
            "Ready", "False", "PodCompleted"
        )

    @pytest.mark.parametrize(
        ("conditions", "expected"),
        [
            pytest.param(
                [],
                bare(
                    "Ready",
                    "False",
                    "ReadinessGatesNotReady",
                    'corresponding condition of pod readiness gate "example.com/lb" does not'
                    ' exist., corresponding condition of pod readiness gate "example.com/dns"'
                    " does not exist.",
                ),
                id="missing gate conditions",
            ),
            pytest.param(
                [
                    {"type": "example.com/lb", "status": "False"},
                    {"type": "example.com/dns", "status": "Unknown"},
                ],
                bare(
                    "Ready",
                    "False",
                    "ReadinessGatesNotReady",
                    'the status of pod readiness gate "example.com/lb" is not "True", but False,'
                    ' the status of pod readiness gate "example.com/dns" is not "True", but'
                    " Unknown",
                ),
                id="gate conditions not True",
            ),
            pytest.param(
                [
                    {"type": "example.com/lb", "status": "True"},
                    {"type": "example.com/dns", "status": "True"},
                ],
                bare("Ready", "True"),
                id="all gates True",
            ),
        ],
    )
    def test_readiness_gates(self, conditions, expected):
        the_pod = pod(["a"], readiness_gates=["example.com/lb", "example.com/dns"])
        assert pod_ready_condition(the_pod, conditions, [running("a", True)], "Running") == expected


class TestInitializedCondition:
    @pytest.mark.parametrize(
        ("the_pod", "statuses", "phase", "expected"),
        [
            pytest.param(
                pod(["a"], init=["i"]),
                None,
                "Pending",
                bare("Initialized", "False", "UnknownContainerStatuses"),
                id="nil statuses with init containers",
            ),
            pytest.param(
                pod(["a"]), None, "Pending", bare("Initialized", "True"), id="no init containers"
            ),
            pytest.param(
                pod(["a"], init=["i", "j"]),
                [running("i", started=False), waiting("a", "PodInitializing")],
                "Pending",
                bare(
                    "Initialized",
                    "False",
                    "ContainersNotInitialized",
                    "containers with unknown status: [j], containers with incomplete status: [i]",
                ),
                id="running init container is incomplete, missing one unknown",
            ),
            pytest.param(
                pod(["a"], init=["i"]),
                [terminated("i", 1), waiting("a", "PodInitializing")],
                "Pending",
                bare(
                    "Initialized",
                    "False",
                    "ContainersNotInitialized",
                    "containers with incomplete status: [i]",
                ),
                id="failed init container is incomplete",
            ),
            pytest.param(
                pod(["a"], init=["i"]),
                [init_done("i"), waiting("a")],
                "Pending",
                bare("Initialized", "True"),
                id="init container exited 0",
            ),
            pytest.param(
                pod(["a"], sidecars=["s"]),
                [running("s", started=False), waiting("a", "PodInitializing")],
                "Pending",
                bare(
                    "Initialized",
                    "False",
                    "ContainersNotInitialized",
                    "containers with incomplete status: [s]",
                ),
                id="sidecar not started is incomplete",
            ),
            pytest.param(
                pod(["a"], sidecars=["s"]),
                [running("s", started=True), waiting("a")],
                "Pending",
                bare("Initialized", "True"),
                id="sidecar started counts as initialized",
            ),
            pytest.param(
                pod(["a"], sidecars=["s"]),
                [waiting("s", "CrashLoopBackOff"), running("a", ready=True)],
                "Running",
                bare("Initialized", "True"),
                id="a started regular container keeps a restarting sidecar's pod initialized",
            ),
            pytest.param(
                pod(["a"], init=["i"]),
                [terminated("i", 1), terminated("a")],
                "Succeeded",
                bare("Initialized", "True", "PodCompleted"),
                id="succeeded pod is PodCompleted",
            ),
        ],
    )
    def test_generate_pod_initialized_condition(self, the_pod, statuses, phase, expected):
        assert initialized_condition(the_pod, statuses, phase) == expected


@pytest.mark.parametrize(
    ("ready", "expected"),
    [
        (True, bare("PodReadyToStartContainers", "True")),
        (False, bare("PodReadyToStartContainers", "False")),
    ],
)
def test_ready_to_start_containers_has_no_reason(ready, expected):
    assert ready_to_start_containers_condition(ready) == expected


@pytest.mark.parametrize(
    ("init", "regular", "expected"),
    [
        (None, None, None),
        (None, [], None),
        ([], None, []),
        (None, [{"name": "a"}], [{"name": "a"}]),
        ([{"name": "i"}], [{"name": "a"}], [{"name": "i"}, {"name": "a"}]),
    ],
)
def test_all_container_statuses_keeps_go_nil_semantics(init, regular, expected):
    assert all_container_statuses(init, regular) == expected


def types(conditions: list[dict]) -> list[str]:
    return [c["type"] for c in conditions]


class TestGenerateConditions:
    def test_kubelet_order_after_preserved_conditions(self):
        the_pod = pod(
            ["a"],
            readiness_gates=["example.com/lb"],
            conditions=[
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": T0},
                {"type": "example.com/lb", "status": "True", "lastTransitionTime": T0},
                {"type": "Ready", "status": "False", "lastTransitionTime": T0},
            ],
        )
        result = generate_conditions(
            the_pod,
            "Running",
            None,
            [running("a", ready=True)],
            ready_to_start_containers=True,
            old_conditions=the_pod["status"]["conditions"],
            now=T5,
        )
        assert types(result) == [
            "example.com/lb",
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
        ]
        # The gate condition found among the preserved ones makes the pod Ready.
        assert result[3]["status"] == "True"

    def test_wire_shape_last_probe_time_null_and_sorted_keys(self):
        result = generate_conditions(
            pod(["a"]),
            "Pending",
            None,
            [waiting("a")],
            ready_to_start_containers=False,
            old_conditions=[],
            now=T5,
        )
        assert result[2] == {
            "lastProbeTime": None,
            "lastTransitionTime": T5,
            "message": "containers with unready status: [a]",
            "reason": "ContainersNotReady",
            "status": "False",
            "type": "Ready",
        }
        assert list(result[0]) == ["lastProbeTime", "lastTransitionTime", "status", "type"]

    def test_last_transition_time_kept_unless_status_changes(self):
        old = [
            {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": T0},
            {"type": "Initialized", "status": "True", "lastTransitionTime": T0},
            {"type": "Ready", "status": "False", "lastTransitionTime": T0},
            {"type": "ContainersReady", "status": "False", "lastTransitionTime": T0},
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": T0},
        ]
        result = generate_conditions(
            pod(["a"], conditions=old),
            "Running",
            None,
            [running("a", ready=True)],
            ready_to_start_containers=True,
            old_conditions=old,
            now=T9,
        )
        times = {c["type"]: c["lastTransitionTime"] for c in result}
        assert times == {
            "PodReadyToStartContainers": T0,
            "Initialized": T0,
            "Ready": T9,
            "ContainersReady": T9,
            "PodScheduled": T0,
        }

    def test_reason_change_alone_keeps_transition_time(self):
        # Running-unready → Failed: status stays False, only the reason changes.
        old = [
            {
                "type": "ContainersReady",
                "status": "False",
                "reason": "ContainersNotReady",
                "lastTransitionTime": T0,
            }
        ]
        result = generate_conditions(
            pod(["a"]),
            "Failed",
            None,
            [terminated("a", 1)],
            ready_to_start_containers=False,
            old_conditions=old,
            now=T9,
        )
        containers_ready = result[3]
        assert containers_ready["reason"] == "PodFailed"
        assert containers_ready["lastTransitionTime"] == T0

    def test_pod_scheduled_keeps_the_schedulers_time(self):
        scheduled = [{"type": "PodScheduled", "status": "True", "lastTransitionTime": T0}]
        result = generate_conditions(
            pod(["a"], conditions=scheduled),
            "Pending",
            None,
            [waiting("a")],
            ready_to_start_containers=False,
            old_conditions=scheduled,
            now=T5,
        )
        assert result[-1] == {
            "lastProbeTime": None,
            "lastTransitionTime": T0,
            "status": "True",
            "type": "PodScheduled",
        }
        # The other kubelet conditions appear for the first time now.
        assert {c["lastTransitionTime"] for c in result[:-1]} == {T5}

    def test_disruption_target_copied_forward_from_old_status(self):
        target = {
            "type": "DisruptionTarget",
            "status": "True",
            "reason": "EvictionByEvictionAPI",
            "message": "Eviction API: evicting",
            "lastProbeTime": None,
            "lastTransitionTime": T0,
        }
        result = generate_conditions(
            pod(["a"]),
            "Running",
            None,
            [running("a", ready=True)],
            ready_to_start_containers=True,
            old_conditions=[target],
            now=T5,
        )
        assert types(result)[0] == "DisruptionTarget"
        assert result[0] == target

    def test_disruption_target_in_api_is_replaced_in_place_not_duplicated(self):
        api = [
            {"type": "example.com/x", "status": "True"},
            {"type": "DisruptionTarget", "status": "True", "reason": "Old"},
            {"type": "example.com/y", "status": "True"},
        ]
        newer = {"type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC"}
        result = generate_conditions(
            pod(["a"], conditions=api),
            "Running",
            None,
            [running("a", ready=True)],
            ready_to_start_containers=True,
            old_conditions=[newer],
            now=T5,
        )
        assert types(result)[:3] == ["example.com/x", "DisruptionTarget", "example.com/y"]
        assert result[1]["reason"] == "DeletionByPodGC"
        assert types(result).count("DisruptionTarget") == 1

    def test_kubelet_owned_conditions_from_api_are_regenerated_not_kept(self):
        api = [{"type": "Ready", "status": "True", "lastTransitionTime": T0}]
        result = generate_conditions(
            pod(["a"], conditions=api),
            "Pending",
            None,
            [waiting("a")],
            ready_to_start_containers=False,
            old_conditions=api,
            now=T5,
        )
        ready = [c for c in result if c["type"] == "Ready"]
        assert len(ready) == 1
        assert ready[0]["status"] == "False"
        assert ready[0]["lastTransitionTime"] == T5

    def test_succeeded_pod_conditions(self):
        result = generate_conditions(
            pod(["a"], init=["i"]),
            "Succeeded",
            [init_done("i")],
            [terminated("a")],
            ready_to_start_containers=False,
            old_conditions=[],
            now=T5,
        )
        by_type = {c["type"]: (c["status"], c.get("reason")) for c in result}
        assert by_type == {
            "PodReadyToStartContainers": ("False", None),
            "Initialized": ("True", "PodCompleted"),
            "Ready": ("False", "PodCompleted"),
            "ContainersReady": ("False", "PodCompleted"),
            "PodScheduled": ("True", None),
        }

    def test_readiness_gate_not_satisfied_by_absent_condition(self):
        result = generate_conditions(
            pod(["a"], readiness_gates=["example.com/lb"]),
            "Running",
            None,
            [running("a", ready=True)],
            ready_to_start_containers=True,
            old_conditions=[],
            now=T5,
        )
        ready = result[2]
        assert ready["type"] == "Ready"
        assert ready["reason"] == "ReadinessGatesNotReady"
        assert ready["message"] == (
            'corresponding condition of pod readiness gate "example.com/lb" does not exist.'
        )

    def test_observed_generation_only_when_tracking_is_on(self):
        kwargs = {
            "ready_to_start_containers": True,
            "old_conditions": [],
            "now": T5,
        }
        off = generate_conditions(pod(["a"]), "Pending", None, [waiting("a")], **kwargs)
        on = generate_conditions(
            pod(["a"]), "Pending", None, [waiting("a")], observed_generation=3, **kwargs
        )
        assert all("observedGeneration" not in c for c in off)
        assert [c["observedGeneration"] for c in on] == [3] * 5

    def test_inputs_are_not_mutated(self):
        api = [{"type": "example.com/x", "status": "True"}]
        the_pod = pod(["a"], conditions=api)
        result = generate_conditions(
            the_pod,
            "Running",
            None,
            [running("a", ready=True)],
            ready_to_start_containers=True,
            old_conditions=[],
            now=T5,
        )
        result[0]["status"] = "False"
        assert api[0]["status"] == "True"
