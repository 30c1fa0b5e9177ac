"""kubectl get nodes: STATUS from the Ready condition, ROLES from labels (printNode)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.printers import node_roles, node_status, print_row

NOW = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)


def node(
    *,
    conditions: list[dict] | None = None,
    unschedulable: bool = False,
    labels: dict | None = None,
    addresses: list[dict] | None = None,
    node_info: dict | None = None,
) -> dict:
    obj: dict = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "foo"},
        "spec": {},
        "status": {},
    }
    if conditions is not None:
        obj["status"]["conditions"] = conditions
    if unschedulable:
        obj["spec"]["unschedulable"] = True
    if labels:
        obj["metadata"]["labels"] = labels
    if addresses:
        obj["status"]["addresses"] = addresses
    if node_info:
        obj["status"]["nodeInfo"] = node_info
    return obj


READY = {"type": "Ready", "status": "True"}
NOT_READY = {"type": "Ready", "status": "False"}
READY_UNKNOWN = {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown"}


@pytest.mark.parametrize(
    ("conditions", "unschedulable", "expected"),
    [
        ([READY], False, "Ready"),
        ([READY], True, "Ready,SchedulingDisabled"),
        ([READY, READY], False, "Ready"),
        ([NOT_READY], False, "NotReady"),
        ([NOT_READY], True, "NotReady,SchedulingDisabled"),
        # A node whose kubelet stopped posting status: Ready=Unknown still prints NotReady.
        ([READY_UNKNOWN], False, "NotReady"),
        ([{"type": "InvalidValue", "status": "True"}], False, "Unknown"),
        ([{}], False, "Unknown"),
        ([{"type": "InvalidValue", "status": "True"}], True, "Unknown,SchedulingDisabled"),
        ([{}], True, "Unknown,SchedulingDisabled"),
        (None, False, "Unknown"),
        ([NOT_READY, READY], False, "Ready"),
        ([{"type": "MemoryPressure", "status": "True"}, READY], False, "Ready"),
    ],
)
def test_node_status_comes_from_ready_condition_and_cordon(
    conditions: list[dict] | None, unschedulable: bool, expected: str
) -> None:
    assert node_status(node(conditions=conditions, unschedulable=unschedulable)) == expected


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (None, "<none>"),
        (
            {
                "node-role.kubernetes.io/master": "",
                "node-role.kubernetes.io/control-plane": "",
                "node-role.kubernetes.io/proxy": "",
                "kubernetes.io/role": "node",
            },
            "control-plane,master,node,proxy",
        ),
        ({"kubernetes.io/role": "node"}, "node"),
        ({"kubernetes.io/role": ""}, "<none>"),
        ({"node-role.kubernetes.io/": "x"}, "<none>"),
        ({"node-role.kubernetes.io/worker": "true", "kubernetes.io/role": "worker"}, "worker"),
        ({"kubernetes.io/hostname": "foo"}, "<none>"),
    ],
)
def test_node_roles_from_role_labels(labels: dict | None, expected: str) -> None:
    obj = node(labels=labels)
    assert print_row(obj, NOW)[2] == expected
    assert node_roles(obj) == ([] if expected == "<none>" else expected.split(","))


def test_node_row_without_status_is_unknown_everywhere() -> None:
    assert print_row(node(), NOW) == ["foo", "Unknown", "<none>", "<unknown>", ""]


def test_node_row_prints_kubelet_version_and_age() -> None:
    obj = node(conditions=[READY], node_info={"kubeletVersion": "v1.32.0"})
    obj["metadata"]["creationTimestamp"] = "2024-12-30T01:00:00Z"
    assert print_row(obj, NOW) == ["foo", "Ready", "<none>", "2d", "v1.32.0"]


@pytest.mark.parametrize(
    ("addresses", "node_info", "expected"),
    [
        (
            [{"type": "ExternalIP", "address": "1.1.1.1"}],
            {"osImage": "fake-os-image"},
            ["<none>", "1.1.1.1", "fake-os-image", "<unknown>", "<unknown>"],
        ),
        (
            [{"type": "InternalIP", "address": "1.1.1.1"}],
            {"kernelVersion": "fake-kernel-version"},
            ["1.1.1.1", "<none>", "<unknown>", "fake-kernel-version", "<unknown>"],
        ),
        (
            [
                {"type": "ExternalIP", "address": "2.2.2.2"},
                {"type": "InternalIP", "address": "3.3.3.3"},
                {"type": "ExternalIP", "address": "4.4.4.4"},
            ],
            {"containerRuntimeVersion": "containerd://1.7.24"},
            ["3.3.3.3", "2.2.2.2", "<unknown>", "<unknown>", "containerd://1.7.24"],
        ),
        (None, None, ["<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
    ],
)
def test_node_wide_columns_take_first_address_of_each_type(
    addresses: list[dict] | None, node_info: dict | None, expected: list[str]
) -> None:
    assert print_row(node(addresses=addresses, node_info=node_info), NOW, wide=True)[5:] == expected
