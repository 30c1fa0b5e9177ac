"""getPhase, table for table as kubelet_pods_test.go has it (feature gates off).

Each class is one upstream test function; each row is (init statuses, regular statuses,
podIsTerminal, podHasInitialized, expected phase). `None` in a row is a container with no
status at all.
"""

from __future__ import annotations

import pytest

from engine.kubelet.phase import get_phase, has_any_regular_container_started, is_sidecar

# The upstream helper states (kubelet_pods_test.go).
RUNNING = {"state": {"running": {}}}
STARTED = {"state": {"running": {}}, "started": True}
STOPPED = {"state": {"terminated": {}}}
SUCCEEDED = {"state": {"terminated": {"exitCode": 0}}}
FAILED = {"state": {"terminated": {"exitCode": -1}}}
WAITING = {"state": {"waiting": {}}}
WAITING_LT0 = {"state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": 0}}}
WAITING_LT1 = {"state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": -1}}}


def spec(
    restart_policy: str,
    init: tuple[str, ...] | list[str] = (),
    sidecars: tuple[str, ...] | list[str] = (),
    containers: tuple[str, ...] | list[str] = ("A", "B"),
) -> dict:
    init_containers = [{"name": n} for n in init]
    init_containers += [{"name": n, "restartPolicy": "Always"} for n in sidecars]
    return {
        "initContainers": init_containers,
        "containers": [{"name": n} for n in containers],
        "restartPolicy": restart_policy,
    }


def statuses(names: list[str], states: list[dict | None]) -> list[dict]:
    return [{"name": n, **s} for n, s in zip(names, states, strict=True) if s is not None]


def phase(pod_spec: dict, init_names, init_states, names, states, terminal, has_init) -> str:
    return get_phase(
        pod_spec,
        statuses(init_names, init_states),
        statuses(names, states),
        pod_is_terminal=terminal,
        pod_has_initialized=has_init,
    )


class TestPodPhaseWithRestartAlways:
    SPEC = spec("Always")

    @pytest.mark.parametrize(
        ("a", "b", "terminal", "expected"),
        [
            pytest.param(None, None, False, "Pending", id="waiting"),
            pytest.param(RUNNING, RUNNING, False, "Running", id="all running"),
            pytest.param(STOPPED, STOPPED, False, "Running", id="all stopped with restart always"),
            pytest.param(SUCCEEDED, SUCCEEDED, True, "Succeeded", id="all succeeded, pod terminal"),
            pytest.param(SUCCEEDED, FAILED, True, "Failed", id="all stopped, pod terminal"),
            pytest.param(RUNNING, STOPPED, False, "Running", id="mixed state #1"),
            pytest.param(RUNNING, None, False, "Pending", id="mixed state #2"),
            pytest.param(RUNNING, WAITING, False, "Pending", id="mixed state #3"),
            pytest.param(RUNNING, WAITING_LT0, False, "Running", id="backoff crashloop container"),
        ],
    )
    def test_phase(self, a, b, terminal, expected):
        assert phase(self.SPEC, [], [], ["A", "B"], [a, b], terminal, False) == expected


class TestPodPhaseWithRestartAlwaysInitContainers:
    SPEC = spec("Always", init=["X"])

    @pytest.mark.parametrize(
        ("x", "ab", "expected"),
        [
            pytest.param(None, None, "Pending", id="empty, waiting"),
            pytest.param(RUNNING, None, "Pending", id="init container running"),
            pytest.param(FAILED, None, "Pending", id="init container terminated non-zero"),
            pytest.param(WAITING_LT0, None, "Pending", id="init waiting, terminated zero"),
            pytest.param(WAITING_LT1, None, "Pending", id="init waiting, terminated non-zero"),
            pytest.param(WAITING, None, "Pending", id="init waiting, not terminated"),
            pytest.param(SUCCEEDED, RUNNING, "Running", id="init container succeeded"),
        ],
    )
    def test_phase(self, x, ab, expected):
        assert phase(self.SPEC, ["X"], [x], ["A", "B"], [ab, ab], False, False) == expected


class TestPodPhaseWithRestartAlwaysRestartableInitContainers:
    SPEC = spec("Always", sidecars=["X"])

    @pytest.mark.parametrize(
        ("x", "a", "b", "terminal", "has_init", "expected"),
        [
            pytest.param(None, None, None, False, False, "Pending", id="empty, waiting"),
            pytest.param(RUNNING, None, None, False, False, "Pending", id="sidecar running"),
            pytest.param(STOPPED, None, None, False, False, "Pending", id="sidecar stopped"),
            pytest.param(WAITING_LT0, None, None, False, False, "Pending", id="waiting, exit 0"),
            pytest.param(WAITING_LT1, None, None, False, False, "Pending", id="waiting, exit !0"),
            pytest.param(WAITING, None, None, False, False, "Pending", id="waiting, not run"),
            pytest.param(STARTED, RUNNING, None, False, True, "Pending", id="started, 1/2 running"),
            pytest.param(STARTED, RUNNING, RUNNING, False, True, "Running", id="started, all run"),
            pytest.param(RUNNING, RUNNING, RUNNING, False, True, "Running", id="running, all run"),
            pytest.param(STOPPED, RUNNING, RUNNING, False, True, "Running", id="stopped, all run"),
            pytest.param(WAITING_LT0, RUNNING, RUNNING, False, True, "Running", id="crashloop"),
            pytest.param(
                FAILED, SUCCEEDED, SUCCEEDED, True, True, "Succeeded", id="sidecar failed, terminal"
            ),
            pytest.param(
                SUCCEEDED, SUCCEEDED, SUCCEEDED, True, True, "Succeeded", id="all succeeded"
            ),
            pytest.param(
                RUNNING,
                RUNNING,
                RUNNING,
                False,
                False,
                "Pending",
                id="re-initializing the pod after the sandbox is recreated",
            ),
        ],
    )
    def test_phase(self, x, a, b, terminal, has_init, expected):
        assert phase(self.SPEC, ["X"], [x], ["A", "B"], [a, b], terminal, has_init) == expected


class TestPodPhaseWithRestartAlwaysAndPodHasRun:
    SPEC = spec("Always", init=["X"], sidecars=["Y"], containers=["A"])

    @pytest.mark.parametrize(
        ("x", "y", "a", "has_init", "expected"),
        [
            pytest.param(RUNNING, RUNNING, RUNNING, False, "Pending", id="all running"),
            pytest.param(RUNNING, RUNNING, STOPPED, False, "Pending", id="regular stopped"),
            pytest.param(SUCCEEDED, RUNNING, STOPPED, False, "Pending", id="sandbox re-created"),
            pytest.param(SUCCEEDED, RUNNING, STOPPED, True, "Running", id="init done, A stopped"),
            pytest.param(SUCCEEDED, RUNNING, RUNNING, True, "Running", id="init done, A running"),
        ],
    )
    def test_phase(self, x, y, a, has_init, expected):
        assert phase(self.SPEC, ["X", "Y"], [x, y], ["A"], [a], False, has_init) == expected


class TestPodPhaseWithRestartNever:
    SPEC = spec("Never")

    @pytest.mark.parametrize(
        ("a", "b", "expected"),
        [
            pytest.param(None, None, "Pending", id="waiting"),
            pytest.param(RUNNING, RUNNING, "Running", id="all running"),
            pytest.param(SUCCEEDED, SUCCEEDED, "Succeeded", id="all succeeded"),
            pytest.param(FAILED, FAILED, "Failed", id="all failed"),
            pytest.param(RUNNING, SUCCEEDED, "Running", id="mixed state #1"),
            pytest.param(RUNNING, None, "Pending", id="mixed state #2"),
            pytest.param(RUNNING, WAITING, "Pending", id="mixed state #3"),
        ],
    )
    def test_phase(self, a, b, expected):
        assert phase(self.SPEC, [], [], ["A", "B"], [a, b], False, False) == expected


class TestPodPhaseWithRestartNeverInitContainers:
    SPEC = spec("Never", init=["X"])

    @pytest.mark.parametrize(
        ("x", "ab", "expected"),
        [
            pytest.param(None, None, "Pending", id="empty, waiting"),
            pytest.param(RUNNING, None, "Pending", id="init container running"),
            pytest.param(FAILED, None, "Failed", id="init container terminated non-zero"),
            pytest.param(WAITING_LT0, None, "Pending", id="init waiting, terminated zero"),
            pytest.param(WAITING_LT1, None, "Failed", id="init waiting, terminated non-zero"),
            pytest.param(WAITING, None, "Pending", id="init waiting, not terminated"),
            pytest.param(SUCCEEDED, RUNNING, "Running", id="init container succeeded"),
        ],
    )
    def test_phase(self, x, ab, expected):
        assert phase(self.SPEC, ["X"], [x], ["A", "B"], [ab, ab], False, False) == expected


class TestPodPhaseWithRestartNeverRestartableInitContainers:
    SPEC = spec("Never", sidecars=["X"])

    @pytest.mark.parametrize(
        ("x", "a", "b", "has_init", "expected"),
        [
            pytest.param(None, None, None, False, "Pending", id="empty, waiting"),
            pytest.param(RUNNING, None, None, False, "Pending", id="sidecar running"),
            pytest.param(STOPPED, None, None, False, "Pending", id="sidecar stopped"),
            pytest.param(WAITING_LT0, None, None, False, "Pending", id="waiting, exit 0"),
            pytest.param(WAITING_LT1, None, None, False, "Pending", id="waiting, exit !0"),
            pytest.param(WAITING, None, None, False, "Pending", id="waiting, not run"),
            pytest.param(STARTED, RUNNING, None, True, "Pending", id="started, 1/2 running"),
            pytest.param(STARTED, SUCCEEDED, SUCCEEDED, True, "Running", id="started, all done"),
            pytest.param(RUNNING, SUCCEEDED, SUCCEEDED, True, "Running", id="running, all done"),
            pytest.param(SUCCEEDED, SUCCEEDED, SUCCEEDED, True, "Succeeded", id="all succeeded"),
            pytest.param(FAILED, SUCCEEDED, SUCCEEDED, True, "Succeeded", id="sidecar failed"),
            pytest.param(WAITING_LT0, SUCCEEDED, SUCCEEDED, True, "Succeeded", id="crashloop 0"),
            pytest.param(WAITING_LT1, SUCCEEDED, SUCCEEDED, True, "Succeeded", id="crashloop !0"),
        ],
    )
    def test_phase(self, x, a, b, has_init, expected):
        assert phase(self.SPEC, ["X"], [x], ["A", "B"], [a, b], False, has_init) == expected


class TestPodPhaseWithRestartOnFailure:
    SPEC = spec("OnFailure")

    @pytest.mark.parametrize(
        ("a", "b", "expected"),
        [
            pytest.param(None, None, "Pending", id="waiting"),
            pytest.param(RUNNING, RUNNING, "Running", id="all running"),
            pytest.param(SUCCEEDED, SUCCEEDED, "Succeeded", id="all succeeded"),
            pytest.param(FAILED, FAILED, "Running", id="all failed"),
            pytest.param(RUNNING, SUCCEEDED, "Running", id="mixed state #1"),
            pytest.param(RUNNING, None, "Pending", id="mixed state #2"),
            pytest.param(RUNNING, WAITING, "Pending", id="mixed state #3"),
            pytest.param(RUNNING, WAITING_LT0, "Running", id="backoff crashloop container"),
        ],
    )
    def test_phase(self, a, b, expected):
        assert phase(self.SPEC, [], [], ["A", "B"], [a, b], False, False) == expected


# TestPodPhaseWithContainerRestartPolicy*, TestPodPhaseWithRestartAllContainers: these cover
# the alpha gates ContainerRestartRules / RestartAllContainersOnContainerExits, which podtui
# keeps off like a default cluster; skipped on purpose.


class TestPodPhaseBeyondTheTables:
    def test_crashlooping_container_counts_as_stopped_but_never_succeeded(self):
        # Never policy, last run exited 0 but the container is waiting: stopped != succeeded.
        pod_spec = spec("Never", containers=["A"])
        assert phase(pod_spec, [], [], ["A"], [WAITING_LT0], False, False) == "Failed"

    def test_terminal_static_pod_keeps_restart_policy_phase(self):
        pod_spec = spec("Always", containers=["A"])
        args = ([], [{"name": "A", **SUCCEEDED}])
        assert get_phase(pod_spec, *args, pod_is_terminal=True, pod_has_initialized=True) == (
            "Succeeded"
        )
        assert (
            get_phase(
                pod_spec, *args, pod_is_terminal=True, pod_has_initialized=True, static_pod=True
            )
            == "Running"
        )

    def test_status_without_any_state_is_unknown(self):
        pod_spec = spec("Always", containers=["A", "B"])
        assert phase(pod_spec, [], [], ["A", "B"], [RUNNING, {"state": {}}], False, True) == (
            "Pending"
        )

    def test_init_failure_with_restart_never_fails_pod_even_with_regulars_missing(self):
        pod_spec = spec("Never", init=["X", "Z"])
        assert (
            phase(pod_spec, ["X", "Z"], [FAILED, None], ["A", "B"], [None, None], False, False)
            == "Failed"
        )


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ({"name": "x", "restartPolicy": "Always"}, True),
        ({"name": "x"}, False),
        ({"name": "x", "restartPolicy": "OnFailure"}, False),
    ],
)
def test_is_sidecar_means_init_container_with_restart_policy_always(container, expected):
    assert is_sidecar(container) is expected


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([WAITING], False),
        ([RUNNING], True),
        ([FAILED], True),
        ([WAITING_LT0], False),
        ([], False),
    ],
)
def test_has_any_regular_container_started(states, expected):
    pod_spec = spec("Always", init=["X"], containers=["A"])
    # An init container's state never counts.
    mixed = [{"name": "X", **RUNNING}, *statuses(["A"] * len(states), states)]
    assert has_any_regular_container_started(pod_spec, mixed) is expected
