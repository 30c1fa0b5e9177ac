"""The Filter plugins: each rule and its exact reason string."""

from __future__ import annotations

import pytest

from engine.scheduler import NodeInfo, filter_node

GI = 1024**3


def node(
    name: str = "node-1",
    cpu: str = "4",
    memory: str = "8Gi",
    pods: str = "110",
    labels: dict | None = None,
    taints: list | None = None,
    unschedulable: bool = False,
    **extra_allocatable: str,
) -> NodeInfo:
    spec: dict = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    allocatable = {"cpu": cpu, "memory": memory, "pods": pods, **extra_allocatable}
    return NodeInfo(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {"kubernetes.io/hostname": name, **(labels or {})},
            },
            "spec": spec,
            "status": {"allocatable": allocatable},
        }
    )


def pod(
    name: str = "web", requests: dict | None = None, ports: list | None = None, **spec: object
) -> dict:
    container: dict = {"name": "app", "image": "nginx"}
    if requests:
        container["resources"] = {"requests": requests}
    if ports:
        container["ports"] = ports
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
        "spec": {"containers": [container], **spec},
    }


def test_a_pod_with_no_constraints_fits_an_empty_node() -> None:
    assert filter_node(pod(), node()) == []


class TestNodeUnschedulable:
    def test_cordoned_node_rejects_pods(self) -> None:
        assert filter_node(pod(), node(unschedulable=True)) == ["node(s) were unschedulable"]

    def test_pod_tolerating_the_unschedulable_taint_ignores_cordon(self) -> None:
        toleration = {
            "key": "node.kubernetes.io/unschedulable",
            "operator": "Exists",
            "effect": "NoSchedule",
        }
        assert filter_node(pod(tolerations=[toleration]), node(unschedulable=True)) == []


class TestNodeName:
    def test_node_name_selects_only_that_node(self) -> None:
        assert filter_node(pod(nodeName="node-2"), node("node-1")) == [
            "node(s) didn't match the requested node name"
        ]
        assert filter_node(pod(nodeName="node-2"), node("node-2")) == []


class TestTaintToleration:
    NO_SCHEDULE = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}

    @pytest.mark.parametrize("effect", ["NoSchedule", "NoExecute"])
    def test_untolerated_hard_taint_rejects_the_pod(self, effect: str) -> None:
        taint = {**self.NO_SCHEDULE, "effect": effect}
        assert filter_node(pod(), node(taints=[taint])) == ["node(s) had untolerated taint(s)"]

    def test_prefer_no_schedule_taint_does_not_filter(self) -> None:
        taint = {**self.NO_SCHEDULE, "effect": "PreferNoSchedule"}
        assert filter_node(pod(), node(taints=[taint])) == []

    def test_tolerated_taint_lets_the_pod_in(self) -> None:
        toleration = {
            "key": "dedicated",
            "operator": "Equal",
            "value": "gpu",
            "effect": "NoSchedule",
        }
        assert filter_node(pod(tolerations=[toleration]), node(taints=[self.NO_SCHEDULE])) == []

    def test_not_ready_taint_keeps_pods_off_a_failed_node(self) -> None:
        # No node-condition filter exists: NotReady nodes are kept out by this taint.
        taint = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}
        default = [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            }
        ]
        assert filter_node(pod(tolerations=default), node(taints=[taint])) == [
            "node(s) had untolerated taint(s)"
        ]


class TestNodeAffinity:
    REASON = "node(s) didn't match Pod's node affinity/selector"

    def test_node_selector_must_match_every_label(self) -> None:
        ssd = node(labels={"disk": "ssd", "zone": "a"})
        assert filter_node(pod(nodeSelector={"disk": "ssd"}), ssd) == []
        assert filter_node(pod(nodeSelector={"disk": "ssd", "zone": "b"}), ssd) == [self.REASON]

    @staticmethod
    def required(*terms: dict) -> dict:
        return {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}
            }
        }

    @pytest.mark.parametrize(
        ("expressions", "labels", "fits"),
        [
            ([{"key": "zone", "operator": "In", "values": ["a", "b"]}], {"zone": "b"}, True),
            ([{"key": "zone", "operator": "NotIn", "values": ["a"]}], {"zone": "a"}, False),
            ([{"key": "gpu", "operator": "Exists"}], {}, False),
            ([{"key": "gpu", "operator": "DoesNotExist"}], {}, True),
            ([{"key": "cores", "operator": "Gt", "values": ["8"]}], {"cores": "16"}, True),
            ([{"key": "cores", "operator": "Lt", "values": ["8"]}], {"cores": "16"}, False),
            (
                [
                    {"key": "zone", "operator": "In", "values": ["a"]},
                    {"key": "gpu", "operator": "Exists"},
                ],
                {"zone": "a"},
                False,  # expressions of a term are ANDed
            ),
        ],
    )
    def test_required_terms(self, expressions: list, labels: dict, fits: bool) -> None:
        affinity = self.required({"matchExpressions": expressions})
        reasons = filter_node(pod(affinity=affinity), node(labels=labels))
        assert reasons == ([] if fits else [self.REASON])

    def test_required_terms_are_ored(self) -> None:
        affinity = self.required(
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]},
        )
        assert filter_node(pod(affinity=affinity), node(labels={"zone": "b"})) == []
        assert filter_node(pod(affinity=affinity), node(labels={"zone": "c"})) == [self.REASON]

    def test_node_selector_and_affinity_must_both_match(self) -> None:
        affinity = self.required(
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
        )
        example = pod(affinity=affinity, nodeSelector={"disk": "ssd"})
        assert filter_node(example, node(labels={"zone": "a"})) == [self.REASON]
        assert filter_node(example, node(labels={"zone": "a", "disk": "ssd"})) == []

    def test_match_fields_name_outside_the_set_fails_the_prefilter(self) -> None:
        affinity = self.required(
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}
        )
        assert filter_node(pod(affinity=affinity), node("node-1")) == [
            "node(s) didn't satisfy plugin(s) [NodeAffinity]"
        ]
        assert filter_node(pod(affinity=affinity), node("node-2")) == []


class TestNodePorts:
    REASON = "node(s) didn't have free ports for the requested pod ports"

    def test_host_port_in_use_rejects_the_pod(self) -> None:
        info = node()
        info.add_pod(pod("old", ports=[{"containerPort": 80, "hostPort": 8080}]))
        wanted = pod(ports=[{"containerPort": 80, "hostPort": 8080}])
        assert filter_node(wanted, info) == [self.REASON]

    def test_same_port_on_another_protocol_or_ip_is_free(self) -> None:
        info = node()
        info.add_pod(
            pod("old", ports=[{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"}])
        )
        udp = pod(ports=[{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}])
        other_ip = pod(ports=[{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.2"}])
        any_ip = pod(ports=[{"containerPort": 80, "hostPort": 8080}])
        assert filter_node(udp, info) == []
        assert filter_node(other_ip, info) == []
        assert filter_node(any_ip, info) == [self.REASON]  # 0.0.0.0 clashes with every IP


class TestNodeResourcesFit:
    def test_requests_that_fit_exactly_are_allowed(self) -> None:
        assert filter_node(pod(requests={"cpu": "4", "memory": "8Gi"}), node()) == []

    @pytest.mark.parametrize(
        ("requests", "reasons"),
        [
            ({"cpu": "4001m"}, ["Insufficient cpu"]),
            ({"memory": "9Gi"}, ["Insufficient memory"]),
            ({"cpu": "5", "memory": "9Gi"}, ["Insufficient cpu", "Insufficient memory"]),
            ({"ephemeral-storage": "1Gi"}, ["Insufficient ephemeral-storage"]),
            ({"example.com/dongle": "3"}, ["Insufficient example.com/dongle"]),
            ({"nvidia.com/gpu": "1"}, ["Insufficient nvidia.com/gpu"]),
        ],
    )
    def test_each_insufficient_resource_is_a_reason(self, requests: dict, reasons: list) -> None:
        assert filter_node(pod(requests=requests), node(**{"example.com/dongle": "2"})) == reasons

    def test_requests_of_pods_already_on_the_node_count(self) -> None:
        info = node()
        info.add_pod(pod("old", requests={"cpu": "3"}))
        assert filter_node(pod(requests={"cpu": "1"}), info) == []
        assert filter_node(pod(requests={"cpu": "1001m"}), info) == ["Insufficient cpu"]

    def test_limits_are_not_requests_when_requests_are_set(self) -> None:
        example = pod()
        example["spec"]["containers"][0]["resources"] = {
            "requests": {"cpu": "1"},
            "limits": {"cpu": "16"},
        }
        assert filter_node(example, node()) == []

    def test_pod_count_is_limited_by_allocatable_pods(self) -> None:
        info = node(pods="1")
        info.add_pod(pod("old"))
        assert filter_node(pod(), info) == ["Too many pods"]
        assert filter_node(pod(requests={"cpu": "5"}), info) == [
            "Too many pods",
            "Insufficient cpu",
        ]


class TestPluginOrder:
    def test_only_the_first_failing_plugin_reports(self) -> None:
        info = node(unschedulable=True, taints=[{"key": "a", "effect": "NoSchedule"}])
        assert filter_node(pod(requests={"cpu": "64"}, nodeName="x"), info) == [
            "node(s) were unschedulable"
        ]

    @pytest.mark.parametrize(
        ("spec", "info", "reason"),
        [
            (
                {"nodeName": "x"},
                {"taints": [{"key": "a", "effect": "NoSchedule"}]},
                "node(s) didn't match the requested node name",
            ),
            (
                {"nodeSelector": {"a": "b"}},
                {"taints": [{"key": "a", "effect": "NoSchedule"}]},
                "node(s) had untolerated taint(s)",
            ),
            (
                {
                    "nodeSelector": {"a": "b"},
                    "containers": [{"name": "c", "resources": {"requests": {"cpu": "64"}}}],
                },
                {},
                "node(s) didn't match Pod's node affinity/selector",
            ),
        ],
    )
    def test_order_is_unschedulable_name_taints_affinity_ports_resources(
        self, spec: dict, info: dict, reason: str
    ) -> None:
        assert filter_node(pod(**spec), node(**info)) == [reason]
