"""kubectl get pods: READY / STATUS / RESTARTS / AGE as printPod computes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.printers import (
    pod_ready,
    pod_restarts,
    pod_status_reason,
    print_row,
    summarize_pod,
)

NOW = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(
    *,
    containers: int = 1,
    init: int = 0,
    sidecars: tuple[str, ...] = (),
    phase: str = "Running",
    statuses: list[dict] | None = None,
    init_statuses: list[dict] | None = None,
    conditions: list[dict] | None = None,
    reason: str | None = None,
    deleting: bool = False,
    name: str = "p",
) -> dict:
    """A v1 Pod in wire shape; sidecars are init containers with restartPolicy Always."""
    init_containers = [{"name": f"init-{i}", "image": "busybox"} for i in range(init)]
    init_containers += [
        {"name": s, "image": "busybox", "restartPolicy": "Always"} for s in sidecars
    ]
    spec: dict = {"containers": [{"name": f"c{i}", "image": "nginx"} for i in range(containers)]}
    if init_containers:
        spec["initContainers"] = init_containers
    status: dict = {"phase": phase}
    if reason:
        status["reason"] = reason
    if conditions:
        status["conditions"] = conditions
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if statuses is not None:
        status["containerStatuses"] = statuses
    metadata: dict = {"name": name, "namespace": "default"}
    if deleting:
        metadata["deletionTimestamp"] = ago(10)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


def cs(
    *,
    name: str = "",
    ready: bool = False,
    restarts: int = 0,
    state: dict | None = None,
    last_finished: float | None = None,
    started: bool | None = None,
) -> dict:
    """A container status; last_finished is how long ago lastState.terminated finished."""
    status: dict = {"name": name, "ready": ready, "restartCount": restarts, "state": state or {}}
    if last_finished is not None:
        status["lastState"] = {"terminated": {"exitCode": 1, "finishedAt": ago(last_finished)}}
    if started is not None:
        status["started"] = started
    return status


RUNNING: dict = {"running": {"startedAt": "2025-01-01T00:00:00Z"}}
WAITING: dict = {"waiting": {}}


def waiting(reason: str) -> dict:
    return {"waiting": {"reason": reason}}


def terminated(reason: str = "", exit_code: int = 0) -> dict:
    body: dict = {"exitCode": exit_code}
    if reason:
        body["reason"] = reason
    return {"terminated": body}


def cond(condition_type: str, status: str = "True", reason: str | None = None) -> dict:
    condition = {"type": condition_type, "status": status}
    if reason:
        condition["reason"] = reason
    return condition


DAY = 24 * 3600

# Every row of TestPrintPod / TestPrintPodWithRestartableInitContainer (kubelet.md §4.3).
PRINTER_TEST_ROWS = [
    pytest.param(
        pod(
            containers=2,
            phase="podPhase",
            statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(restarts=3)],
        ),
        ("1/2", "podPhase", "6"),
        id="ready-running-plus-stateless-shows-phase",
    ),
    pytest.param(
        pod(
            containers=2,
            phase="podPhase",
            statuses=[
                cs(ready=True, restarts=3, state=RUNNING),
                cs(restarts=3, state=waiting("X")),
            ],
        ),
        ("1/2", "X", "6"),
        id="waiting-reason-overrides-phase",
    ),
    pytest.param(
        pod(
            containers=2,
            phase="podPhase",
            statuses=[cs(restarts=3, state=waiting("X")), cs(restarts=3, state=terminated("Y"))],
        ),
        ("0/2", "X", "6"),
        id="first-container-reason-wins",
    ),
    pytest.param(
        pod(
            containers=2,
            phase="podPhase",
            statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(ready=True, restarts=3)],
        ),
        ("1/2", "podPhase", "6"),
        id="ready-without-running-is-not-counted",
    ),
    pytest.param(
        pod(
            containers=2,
            phase="podPhase",
            reason="podReason",
            statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(ready=True, restarts=3)],
        ),
        ("1/2", "podReason", "6"),
        id="status-reason-overrides-phase",
    ),
    pytest.param(
        pod(
            containers=2,
            statuses=[
                cs(ready=True, restarts=3, state=terminated("Completed")),
                cs(ready=True, restarts=3, state=RUNNING),
            ],
        ),
        ("1/2", "NotReady", "6"),
        id="completed-plus-running-without-ready-condition-is-notready",
    ),
    pytest.param(
        pod(
            containers=2,
            conditions=[cond("Ready")],
            statuses=[
                cs(ready=True, restarts=3, state=terminated("Completed")),
                cs(ready=True, restarts=3, state=RUNNING),
            ],
        ),
        ("1/2", "Running", "6"),
        id="completed-plus-running-with-ready-condition-is-running",
    ),
    pytest.param(
        pod(
            init=1,
            phase="podPhase",
            init_statuses=[cs(restarts=3, state=RUNNING, last_finished=10)],
            statuses=[cs(state=WAITING)],
        ),
        ("0/1", "Init:0/1", "3 (10s ago)"),
        id="restarting-init-container",
    ),
    pytest.param(
        pod(
            init=2,
            phase="podPhase",
            init_statuses=[cs(restarts=3, state=RUNNING, last_finished=10), cs(state=WAITING)],
            statuses=[cs(state=WAITING)],
        ),
        ("0/1", "Init:0/2", "3 (10s ago)"),
        id="first-of-two-init-containers-restarting",
    ),
    pytest.param(
        pod(
            init=2,
            phase="podPhase",
            init_statuses=[
                cs(state={"terminated": {}}),
                cs(restarts=3, state=RUNNING, last_finished=10),
            ],
            statuses=[cs(state=WAITING)],
        ),
        ("0/1", "Init:1/2", "3 (10s ago)"),
        id="second-init-container-restarting",
    ),
    pytest.param(
        pod(
            init=2,
            phase="podPhase",
            init_statuses=[
                cs(restarts=2, state={"terminated": {}}, last_finished=120),
                cs(restarts=3, state=RUNNING, last_finished=10),
            ],
            statuses=[cs(state=WAITING)],
        ),
        ("0/1", "Init:1/2", "5 (10s ago)"),
        id="init-restarts-add-up-while-initializing",
    ),
    pytest.param(
        pod(
            init=1,
            init_statuses=[cs(restarts=2, state={"terminated": {}}, last_finished=120)],
            statuses=[cs(restarts=4, state=RUNNING, last_finished=20)],
        ),
        ("0/1", "Running", "4 (20s ago)"),
        id="completed-init-restarts-no-longer-count",
    ),
    pytest.param(
        pod(statuses=[cs(ready=True, restarts=3, state=RUNNING, last_finished=5 * DAY)]),
        ("1/1", "Running", "3 (5d ago)"),
        id="restart-five-days-ago",
    ),
    pytest.param(
        pod(
            containers=2,
            statuses=[
                cs(ready=True, state=RUNNING),
                cs(ready=True, restarts=3, state=RUNNING, last_finished=10 * DAY),
            ],
        ),
        ("2/2", "Running", "3 (10d ago)"),
        id="one-container-restarted-ten-days-ago",
    ),
    pytest.param(
        pod(
            containers=2,
            statuses=[
                cs(ready=True, restarts=6, state=RUNNING, last_finished=5 * DAY),
                cs(ready=True, restarts=3, state=RUNNING, last_finished=20 * DAY),
            ],
        ),
        ("2/2", "Running", "9 (5d ago)"),
        id="newest-restart-of-all-containers",
    ),
    pytest.param(
        pod(
            containers=2,
            phase="podPhase",
            conditions=[cond("PodScheduled", "False", "SchedulingGated")],
        ),
        ("0/2", "SchedulingGated", "0"),
        id="scheduling-gated",
    ),
    pytest.param(
        pod(phase="Succeeded", statuses=[cs(state=terminated("Completed"))]),
        ("0/1", "Completed", "0"),
        id="succeeded",
    ),
    pytest.param(
        pod(phase="Failed", statuses=[cs(state=terminated("Error", 1))]),
        ("0/1", "Error", "0"),
        id="failed",
    ),
    pytest.param(
        pod(phase="Succeeded", deleting=True, statuses=[cs(state=terminated("Completed"))]),
        ("0/1", "Completed", "0"),
        id="succeeded-and-deleted-is-not-terminating",
    ),
    pytest.param(
        pod(deleting=True, statuses=[cs(state=RUNNING)]),
        ("0/1", "Terminating", "0"),
        id="running-and-deleted-is-terminating",
    ),
    pytest.param(
        pod(phase="Pending", deleting=True),
        ("0/1", "Terminating", "0"),
        id="pending-and-deleted-is-terminating",
    ),
    pytest.param(
        pod(
            sidecars=("s1", "s2"),
            phase="Pending",
            conditions=[cond("Initialized", "False")],
            init_statuses=[
                cs(name="s1", restarts=3, state=RUNNING, started=False, last_finished=10),
                cs(name="s2", state=WAITING, started=False),
            ],
            statuses=[cs(state=WAITING)],
        ),
        ("0/3", "Init:0/2", "3 (10s ago)"),
        id="sidecar-running-not-started",
    ),
    pytest.param(
        pod(
            sidecars=("s1", "s2"),
            phase="Pending",
            conditions=[cond("Initialized", "False")],
            init_statuses=[
                cs(name="s1", restarts=3, state=RUNNING, started=True, last_finished=10),
                cs(name="s2", state=RUNNING, started=False),
            ],
            statuses=[cs(state=WAITING)],
        ),
        ("0/3", "Init:1/2", "3 (10s ago)"),
        id="first-sidecar-started",
    ),
    pytest.param(
        pod(
            sidecars=("s1", "s2"),
            conditions=[cond("Initialized")],
            init_statuses=[
                cs(name="s1", restarts=3, state=RUNNING, started=True, last_finished=10),
                cs(name="s2", state=RUNNING, started=True),
            ],
            statuses=[cs(ready=True, restarts=4, state=RUNNING, last_finished=20)],
        ),
        ("1/3", "Running", "7 (10s ago)"),
        id="sidecars-started-and-container-running",
    ),
    pytest.param(
        pod(
            sidecars=("s1", "s2"),
            phase="Succeeded",
            conditions=[cond("Initialized")],
            init_statuses=[
                cs(
                    name="s1",
                    restarts=3,
                    state=terminated("Error", 137),
                    started=False,
                    last_finished=10,
                ),
                cs(name="s2", state=terminated("Error", 137), started=False),
            ],
            statuses=[cs(restarts=4, state=terminated("Completed"), last_finished=20)],
        ),
        ("0/3", "Completed", "7 (10s ago)"),
        id="sidecars-killed-after-main-container-completed",
    ),
    pytest.param(
        pod(
            init=1,
            sidecars=("sidecar1",),
            init_statuses=[{"name": "initinvalid"}, {"name": "init-0"}, {"name": "sidecar1"}],
            statuses=[{"name": "containerinvalid"}, {"name": "c0"}],
        ),
        ("0/2", "Init:0/2", "0"),
        id="statuses-for-unknown-containers",
    ),
]


@pytest.mark.parametrize(("obj", "expected"), PRINTER_TEST_ROWS)
def test_print_pod_matches_upstream_printer_tests(
    obj: dict, expected: tuple[str, str, str]
) -> None:
    ready, status, restarts, age = print_row(obj, NOW)[1:]
    assert (ready, status, restarts) == expected
    assert age == "<unknown>"  # no creationTimestamp, as in the upstream tests


class TestDerivedStatus:
    """The STATUS strings users meet most, from the kubelet's container states."""

    @pytest.mark.parametrize(
        ("obj", "expected"),
        [
            pytest.param(pod(phase="Pending"), "Pending", id="unscheduled-pending"),
            pytest.param(
                pod(phase="Pending", statuses=[cs(state=waiting("ContainerCreating"))]),
                "ContainerCreating",
                id="container-creating",
            ),
            pytest.param(
                pod(
                    init=1,
                    phase="Pending",
                    init_statuses=[cs(state=waiting("PodInitializing"))],
                    statuses=[cs(state=waiting("PodInitializing"))],
                ),
                "Init:0/1",
                id="init-podinitializing-shows-progress",
            ),
            pytest.param(
                pod(
                    init=1,
                    phase="Pending",
                    conditions=[cond("Initialized")],
                    init_statuses=[cs(state=terminated("Completed"))],
                    statuses=[cs(state=waiting("PodInitializing"))],
                ),
                "PodInitializing",
                id="pod-initializing",
            ),
            pytest.param(
                pod(
                    init=2,
                    phase="Pending",
                    init_statuses=[cs(state=WAITING), cs(state=WAITING)],
                    statuses=[cs(state=waiting("PodInitializing"))],
                ),
                "Init:0/2",
                id="init-0-of-2",
            ),
            pytest.param(
                pod(init=1, phase="Pending", init_statuses=[cs(state=terminated("Error", 1))]),
                "Init:Error",
                id="init-error",
            ),
            pytest.param(
                pod(
                    init=1,
                    phase="Pending",
                    init_statuses=[cs(restarts=2, state=waiting("CrashLoopBackOff"))],
                ),
                "Init:CrashLoopBackOff",
                id="init-crashloop",
            ),
            pytest.param(
                pod(init=1, phase="Pending", init_statuses=[cs(state=waiting("ImagePullBackOff"))]),
                "Init:ImagePullBackOff",
                id="init-imagepullbackoff",
            ),
            pytest.param(
                pod(init=1, phase="Pending", init_statuses=[cs(state=terminated(exit_code=2))]),
                "Init:ExitCode:2",
                id="init-exit-code-without-reason",
            ),
            pytest.param(
                pod(
                    init=1,
                    phase="Pending",
                    init_statuses=[cs(state={"terminated": {"exitCode": 0 + 143, "signal": 15}})],
                ),
                "Init:Signal:15",
                id="init-signal",
            ),
            pytest.param(
                pod(statuses=[cs(restarts=4, state=waiting("CrashLoopBackOff"))]),
                "CrashLoopBackOff",
                id="crashloop",
            ),
            pytest.param(
                pod(phase="Pending", statuses=[cs(state=waiting("ErrImagePull"))]),
                "ErrImagePull",
                id="err-image-pull",
            ),
            pytest.param(
                pod(phase="Pending", statuses=[cs(state=waiting("CreateContainerConfigError"))]),
                "CreateContainerConfigError",
                id="config-error",
            ),
            pytest.param(
                pod(statuses=[cs(state=terminated("OOMKilled", 137))]), "OOMKilled", id="oomkilled"
            ),
            pytest.param(
                pod(phase="Failed", statuses=[cs(state=terminated("Error", 1))]),
                "Error",
                id="error",
            ),
            pytest.param(
                pod(statuses=[cs(state=terminated(exit_code=3))]), "ExitCode:3", id="exit-code"
            ),
            pytest.param(
                pod(phase="Succeeded", statuses=[cs(state=terminated("Completed"))]),
                "Completed",
                id="completed",
            ),
            pytest.param(
                pod(
                    containers=2,
                    statuses=[cs(state=terminated("Completed")), cs(state=terminated("Error", 1))],
                ),
                "Error",
                id="completed-with-failed-sibling-shows-error",
            ),
            pytest.param(
                pod(phase="Running", statuses=[cs(ready=True, state=RUNNING)]),
                "Running",
                id="running",
            ),
            pytest.param(
                pod(phase="Failed", reason="Evicted"), "Evicted", id="evicted-via-status-reason"
            ),
            pytest.param(
                pod(reason="NodeLost", deleting=True, statuses=[cs(ready=True, state=RUNNING)]),
                "Unknown",
                id="nodelost-and-deleted-is-unknown",
            ),
            pytest.param(
                pod(reason="NodeLost", statuses=[cs(ready=True, state=RUNNING)]),
                "NodeLost",
                id="nodelost-without-deletion-shows-the-reason",
            ),
            pytest.param(
                pod(deleting=True, statuses=[cs(restarts=1, state=waiting("CrashLoopBackOff"))]),
                "Terminating",
                id="terminating-beats-container-reason",
            ),
            pytest.param(
                pod(phase="Failed", deleting=True, statuses=[cs(state=terminated("Error", 1))]),
                "Error",
                id="failed-and-deleted-is-not-terminating",
            ),
        ],
    )
    def test_status_column(self, obj: dict, expected: str) -> None:
        assert pod_status_reason(obj) == expected


def test_ready_counts_sidecars_in_total_and_started_ready_sidecars_as_ready() -> None:
    obj = pod(
        containers=2,
        sidecars=("proxy",),
        conditions=[cond("Initialized")],
        init_statuses=[cs(name="proxy", ready=True, state=RUNNING, started=True)],
        statuses=[cs(ready=True, state=RUNNING), cs(state=RUNNING)],
    )
    assert pod_ready(obj) == (2, 3)


def test_restarts_without_finish_time_have_no_ago() -> None:
    obj = pod(statuses=[cs(ready=True, restarts=2, state=RUNNING)])
    assert pod_restarts(obj, NOW) == "2"


def test_summary_keeps_the_newest_restart_time() -> None:
    obj = pod(
        containers=2,
        statuses=[
            cs(restarts=1, state=RUNNING, last_finished=300),
            cs(restarts=1, state=RUNNING, last_finished=30),
        ],
    )
    summary = summarize_pod(obj)
    assert summary.restarts == 2
    assert summary.last_restart == NOW - timedelta(seconds=30)
    assert pod_restarts(obj, NOW) == "2 (30s ago)"


def test_age_is_time_since_creation() -> None:
    obj = pod(statuses=[cs(ready=True, state=RUNNING)])
    obj["metadata"]["creationTimestamp"] = ago(185)
    assert print_row(obj, NOW)[-1] == "3m5s"


class TestWideColumns:
    """-o wide: IP, NODE, NOMINATED NODE, READINESS GATES."""

    def test_wide_row_with_ip_node_and_gates(self) -> None:
        obj = pod(
            containers=2,
            phase="podPhase",
            conditions=[cond("condition1", "False"), cond("condition2")],
            statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(restarts=3)],
        )
        obj["spec"].update(
            nodeName="test1",
            readinessGates=[
                {"conditionType": "condition1"},
                {"conditionType": "condition2"},
                {"conditionType": "condition3"},
            ],
        )
        obj["status"].update(
            podIP="1.1.1.1",
            podIPs=[{"ip": "1.1.1.1"}, {"ip": "2001:db8::"}],
            nominatedNodeName="node1",
        )
        assert print_row(obj, NOW, wide=True) == [
            "p",
            "1/2",
            "podPhase",
            "6",
            "<unknown>",
            "1.1.1.1",
            "test1",
            "node1",
            "1/3",
        ]

    def test_wide_row_without_ip_node_or_gates_shows_none(self) -> None:
        obj = pod(phase="Pending")
        assert print_row(obj, NOW, wide=True)[5:] == ["<none>", "<none>", "<none>", "<none>"]

    def test_pod_ip_falls_back_to_status_pod_ip(self) -> None:
        obj = pod()
        obj["status"]["podIP"] = "10.244.1.7"
        assert print_row(obj, NOW, wide=True)[5] == "10.244.1.7"


def test_a_previous_termination_without_a_restart_prints_no_ago() -> None:
    # printPod adds the "(X ago)" only when the restart count is not zero, even though a
    # container's lastState.terminated sets lastRestartDate (kubectl printers.go printPod).
    obj = pod(statuses=[cs(ready=True, restarts=0, state=RUNNING, last_finished=30)])
    assert pod_restarts(obj, NOW) == "0"


def test_a_termination_of_a_container_that_never_restarted_still_dates_the_pods_restarts() -> None:
    # lastRestartDate is the newest lastState.terminated.finishedAt of any container, whatever
    # that container's own restartCount (kubectl printers.go printPod).
    obj = pod(
        containers=2,
        statuses=[
            cs(restarts=3, state=RUNNING, last_finished=300),
            cs(restarts=0, state=RUNNING, last_finished=20),
        ],
    )
    assert pod_restarts(obj, NOW) == "3 (20s ago)"
