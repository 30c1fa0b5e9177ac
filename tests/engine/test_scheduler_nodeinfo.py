"""PodRequests, non-zero requests, host ports and NodeInfo accounting."""

from __future__ import annotations

import pytest

from engine.scheduler import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    NodeInfo,
    host_port_conflicts,
    pod_host_ports,
    pod_non_zero_requests,
    pod_requests,
    pod_resources,
)
from engine.scheduler.changes import NODE_CHANGES

MI = 1024 * 1024


def container(name: str = "c", restart_policy: str | None = None, **requests: str) -> dict:
    out: dict = {"name": name, "image": "busybox"}
    if requests:
        out["resources"] = {"requests": dict(requests)}
    if restart_policy:
        out["restartPolicy"] = restart_policy
    return out


def pod(containers: list, init: list | None = None, **spec: object) -> dict:
    body: dict = {"containers": containers, **spec}
    if init:
        body["initContainers"] = init
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "u1"}, "spec": body}


# (name, pod, expected pod_requests) — rows from upstream's component-helpers
# TestPodRequestsAndLimits / TestPodLevelResourceRequests and the fit.go doc example.
POD_REQUESTS = [
    (
        "containers are summed",
        pod([container(cpu="1", memory="5"), container(cpu="4", memory="12")]),
        {"cpu": 5000, "memory": 17},
    ),
    (
        "largest init container wins over the containers",
        pod([container(cpu="1")], init=[container(cpu="4")]),
        {"cpu": 4000},
    ),
    (
        "max(sum of containers, each init container) per resource",
        pod(
            [container(cpu="2", memory="1G"), container(cpu="1", memory="1G")],
            init=[container(cpu="2", memory="1G"), container(cpu="2", memory="3G")],
        ),
        {"cpu": 3000, "memory": 3_000_000_000},
    ),
    (
        "a sidecar adds to the containers",
        pod(
            [container(memory="3Mi", cpu="2m")],
            init=[container(memory="5Mi", cpu="4m", restart_policy="Always")],
        ),
        {"memory": 8 * MI, "cpu": 6},
    ),
    (
        "an init container after a sidecar runs beside it",
        pod(
            [container(memory="3Mi", cpu="2m")],
            init=[
                container("sidecar", memory="5Mi", cpu="4m", restart_policy="Always"),
                container("init", memory="6Mi", cpu="8m"),
            ],
        ),
        {"memory": 11 * MI, "cpu": 12},
    ),
    (
        "an init container before a sidecar does not run beside it",
        pod(
            [container(memory="3Mi", cpu="2m")],
            init=[
                container("init", memory="6Mi", cpu="8m"),
                container("sidecar", memory="5Mi", cpu="4m", restart_policy="Always"),
            ],
        ),
        {"memory": 8 * MI, "cpu": 8},
    ),
    (
        "overhead is added",
        pod([container(cpu="1", memory="10")], overhead={"cpu": "5", "memory": "5"}),
        {"cpu": 6000, "memory": 15},
    ),
    (
        "pod-level requests replace the containers' cpu and memory",
        pod(
            [container(memory="3Mi", cpu="2m")],
            resources={"requests": {"memory": "6Mi", "cpu": "8m"}},
        ),
        {"memory": 6 * MI, "cpu": 8},
    ),
    (
        "pod-level requests for other resources are not honoured",
        pod([container(memory="3Mi")], resources={"requests": {"storage": "2Mi"}}),
        {"memory": 3 * MI},
    ),
    (
        "extended resources are summed like any other",
        pod([container(**{"nvidia.com/gpu": "1"}), container(**{"nvidia.com/gpu": "2"})]),
        {"nvidia.com/gpu": 3},
    ),
    (
        "cpu rounds up to whole millicores after summing",
        pod([container(cpu="0.0005"), container(cpu="0.0005")]),
        {"cpu": 1},
    ),
    ("no requests at all", pod([container()]), {}),
]


@pytest.mark.parametrize(
    ("example", "expected"), [row[1:] for row in POD_REQUESTS], ids=[r[0] for r in POD_REQUESTS]
)
def test_pod_requests(example: dict, expected: dict) -> None:
    assert pod_requests(example) == expected


def test_a_limit_without_a_request_counts_as_the_request() -> None:
    # API defaulting (SetDefaults_Pod) stores requests = limits for such a container.
    example = pod([{"name": "c", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}])
    assert pod_requests(example) == {"cpu": 500, "memory": 1024 * MI}


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        (pod([container()]), (DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)),
        (pod([container(), container()]), (200, 2 * DEFAULT_MEMORY_REQUEST)),
        (pod([container(cpu="250m")]), (250, DEFAULT_MEMORY_REQUEST)),
        (pod([container(cpu="0", memory="0")]), (0, 0)),  # an explicit 0 stays 0
        (pod([container()], init=[container(cpu="1")]), (1000, DEFAULT_MEMORY_REQUEST)),
    ],
)
def test_non_zero_requests_default_100m_and_200mi_per_container(
    example: dict, expected: tuple
) -> None:
    assert DEFAULT_MILLI_CPU_REQUEST == 100
    assert DEFAULT_MEMORY_REQUEST == 200 * MI
    assert pod_non_zero_requests(example) == expected


def test_non_zero_defaults_only_fill_what_pod_level_requests_leave_out() -> None:
    example = pod([container()], resources={"requests": {"cpu": "1"}})
    assert pod_non_zero_requests(example) == (1000, DEFAULT_MEMORY_REQUEST)


def ported(*ports: dict) -> dict:
    return {"name": "c", "image": "nginx", "ports": list(ports)}


class TestHostPorts:
    def test_only_host_ports_count_with_defaults_filled(self) -> None:
        example = pod([ported({"containerPort": 80}, {"containerPort": 80, "hostPort": 8080})])
        assert pod_host_ports(example) == [("TCP", "0.0.0.0", 8080)]

    def test_sidecar_ports_count_but_plain_init_container_ports_do_not(self) -> None:
        sidecar = {**ported({"containerPort": 1, "hostPort": 9001}), "restartPolicy": "Always"}
        init = ported({"containerPort": 2, "hostPort": 9002})
        example = pod([ported()], init=[init, sidecar])
        assert pod_host_ports(example) == [("TCP", "0.0.0.0", 9001)]

    @pytest.mark.parametrize(
        ("used", "wanted", "conflict"),
        [
            ({("TCP", "0.0.0.0", 80)}, ("TCP", "10.0.0.1", 80), True),
            ({("TCP", "10.0.0.1", 80)}, ("TCP", "0.0.0.0", 80), True),
            ({("TCP", "10.0.0.1", 80)}, ("TCP", "10.0.0.1", 80), True),
            ({("TCP", "10.0.0.1", 80)}, ("TCP", "10.0.0.2", 80), False),
            ({("TCP", "0.0.0.0", 80)}, ("UDP", "0.0.0.0", 80), False),
            ({("TCP", "0.0.0.0", 80)}, ("TCP", "0.0.0.0", 81), False),
            ({("TCP", "0.0.0.0", 80)}, ("", "", 80), True),  # empty means TCP on 0.0.0.0
        ],
    )
    def test_host_port_conflicts_like_host_port_info(
        self, used: set, wanted: tuple, conflict: bool
    ) -> None:
        assert host_port_conflicts(used, *wanted) is conflict


def node(name: str = "n1", cpu: str = "4", memory: str = "8Gi", pods: str = "110") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {
            "allocatable": {
                "cpu": cpu,
                "memory": memory,
                "pods": pods,
                "example.com/dongle": "2",
                "storage": "1",
            }
        },
    }


def named(name: str, cpu: str, host_port: int = 0, **metadata: object) -> dict:
    ports = [{"containerPort": 80, "hostPort": host_port}] if host_port else []
    body = {"name": "c", "resources": {"requests": {"cpu": cpu}}, "ports": ports}
    meta = {"name": name, "namespace": "default", "uid": f"uid-{name}", **metadata}
    return {"metadata": meta, "spec": {"containers": [body]}}


class TestNodeInfo:
    def test_allocatable_is_read_in_scheduler_units(self) -> None:
        info = NodeInfo(node())
        assert info.allocatable_milli_cpu == 4000
        assert info.allocatable_memory == 8 * 1024 * MI
        assert info.allowed_pod_number == 110
        # Unqualified names other than cpu/memory/ephemeral-storage/pods are not resources.
        assert info.allocatable_scalar == {"example.com/dongle": 2}

    def test_adding_and_removing_pods_keeps_the_sums(self) -> None:
        info = NodeInfo(node())
        a, b = named("a", "500m", host_port=8080), named("b", "250m")
        info.add_pod(a)
        info.add_pod(b)
        assert (info.pod_count, info.requested_milli_cpu) == (2, 750)
        assert info.non_zero_requested_milli_cpu == 750
        assert info.non_zero_requested_memory == 2 * DEFAULT_MEMORY_REQUEST
        assert info.used_host_ports == {("TCP", "0.0.0.0", 8080)}
        info.remove_pod(a)
        assert (info.pod_count, info.requested_milli_cpu) == (1, 250)
        assert info.used_host_ports == set()

    def test_terminating_pods_are_counted_until_removed(self) -> None:
        info = NodeInfo(node())
        info.add_pod(named("a", "1", deletionTimestamp="2025-01-01T00:00:05Z"))
        assert (info.pod_count, info.requested_milli_cpu) == (1, 1000)

    def test_adding_a_pod_again_replaces_it(self) -> None:
        info = NodeInfo(node())
        info.add_pod(named("a", "1"))
        info.add_pod(named("a", "2"))
        assert (info.pod_count, info.requested_milli_cpu) == (1, 2000)

    def test_removing_a_pod_the_node_does_not_hold_fails(self) -> None:
        with pytest.raises(KeyError):
            NodeInfo(node()).remove_pod(named("a", "1"))

    def test_every_change_the_scheduler_reads_is_logged(self) -> None:
        # The scheduler's remembered answers for a node are forgotten on these entries
        # (engine/scheduler/snapshot.py), as upstream's snapshot follows NodeInfo.Generation.
        info = NodeInfo(node())
        start = NODE_CHANGES.end
        info.add_pod(named("a", "1"))
        info.remove_pod(named("a", "1"))
        info.set_node(node(cpu="8"))
        tainted = node(cpu="8")
        tainted["spec"]["taints"] = [{"key": "k", "effect": "PreferNoSchedule"}]
        info.set_node(tainted)
        assert NODE_CHANGES.since(start) == [info] * 4
        assert info.allocatable_milli_cpu == 8000

    def test_a_status_only_node_update_keeps_the_schedulers_answers(self) -> None:
        # A heartbeat or an image list changes nothing a filter or score reads.
        info = NodeInfo(node())
        start = NODE_CHANGES.end
        heartbeat = node()
        heartbeat["status"]["images"] = [{"names": ["nginx:1.27"], "sizeBytes": 1}]
        info.set_node(heartbeat)
        assert NODE_CHANGES.since(start) == []
        assert info.node is heartbeat

    def test_pod_resources_are_shared_between_identical_pods(self) -> None:
        first, second = named("a", "1"), named("b", "1")
        assert pod_resources(first) is pod_resources(second)
        assert pod_resources(first).milli_cpu == 1000
