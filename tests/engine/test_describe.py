"""kubectl describe's text, in its exact layout (staging/src/k8s.io/kubectl/pkg/describe)."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from engine.describe import (
    describe,
    describer_for,
    node_description,
    pod_description,
    register_describer,
)
from engine.describe.common import canonical_quantity, describe_events, format_quantity, rfc1123z
from engine.describe.generic import describe_generic, smart_label
from engine.describe.pod import describe_probe, pod_qos_class
from engine.describe.writer import PrefixWriter, tabwrite
from tests.engine.simulation import cluster_with

NOW = datetime(2025, 1, 1, 0, 1, 0, tzinfo=UTC)


class TestTabwriter:
    """Go's text/tabwriter with describe's settings: minwidth 0, padding 2."""

    def test_a_column_is_as_wide_as_its_widest_cell_plus_two(self) -> None:
        assert tabwrite(["Name:\tweb", "Namespace:\tdefault"]) == [
            "Name:       web",
            "Namespace:  default",
        ]

    def test_a_line_without_a_tab_ends_the_column_block(self) -> None:
        assert tabwrite(["A:\t1", "Containers:", "LongerKey:\t2"]) == [
            "A:  1",
            "Containers:",
            "LongerKey:  2",
        ]

    def test_the_last_cell_of_a_line_is_not_padded(self) -> None:
        assert tabwrite(["  Type\tStatus", "  Ready \tTrue "]) == [
            "  Type    Status",
            "  Ready   True ",
        ]

    def test_nested_columns_align_within_their_own_block(self) -> None:
        assert tabwrite(["a\tb\tc", "aaa\tb", "a\tbbbb\tc"]) == [
            "a    b  c",
            "aaa  b",
            "a    bbbb  c",
        ]

    def test_flush_starts_new_blocks(self) -> None:
        w = PrefixWriter()
        w.write(0, "Long key:\tx\n")
        w.flush()
        w.write(0, "K:\ty\n")
        assert w.text() == "Long key:  x\nK:  y\n"


class TestEvents:
    def event(self, **fields) -> dict:
        base = {
            "type": "Normal",
            "reason": "Pulled",
            "message": "ok",
            "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": "2025-01-01T00:00:01Z",
            "lastTimestamp": "2025-01-01T00:00:01Z",
            "count": 1,
            "involvedObject": {},
        }
        base.update(fields)
        return base

    def render(self, events: list[dict]) -> str:
        w = PrefixWriter()
        describe_events(w, events, NOW)
        return w.text()

    def test_no_events(self) -> None:
        assert self.render([]) == "Events:  <none>\n"

    def test_repeated_events_show_x_count_over_age(self) -> None:
        text = self.render(
            [
                self.event(
                    type="Warning",
                    reason="BackOff",
                    message="Back-off restarting failed container",
                    count=4,
                    firstTimestamp="2025-01-01T00:00:10Z",
                    lastTimestamp="2025-01-01T00:00:50Z",
                    involvedObject={"fieldPath": "spec.containers{app}"},
                )
            ]
        )
        assert text == (
            "Events:\n"
            "  Type     Reason   Age                From     Message\n"
            "  ----     ------   ----               ----     -------\n"
            "  Warning  BackOff  10s (x4 over 50s)  kubelet  spec.containers{app}: Back-off restarting failed container\n"
        )

    def test_events_sort_by_last_time_and_new_api_events_name_their_reporter(self) -> None:
        text = self.render(
            [
                self.event(reason="Late", lastTimestamp="2025-01-01T00:00:30Z"),
                self.event(
                    reason="Scheduled",
                    source={},
                    firstTimestamp=None,
                    lastTimestamp=None,
                    eventTime="2025-01-01T00:00:00.000000Z",
                    reportingComponent="default-scheduler",
                ),
            ]
        )
        lines = text.splitlines()
        assert lines[3].split()[:4] == ["Normal", "Scheduled", "60s", "default-scheduler"]
        assert lines[4].split()[1] == "Late"


class TestPod:
    def pod(self) -> dict:
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "labels": {"app": "web", "tier": "frontend"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "controller": True}],
            },
            "spec": {
                "priority": 0,
                "serviceAccountName": "default",
                "nodeName": "node-1",
                "containers": [
                    {
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
                        "resources": {"requests": {"cpu": "0.1", "memory": "64Mi"}},
                        "readinessProbe": {
                            "httpGet": {"path": "/", "port": "http", "scheme": "HTTP"},
                            "periodSeconds": 5,
                            "timeoutSeconds": 1,
                            "successThreshold": 1,
                            "failureThreshold": 3,
                        },
                        "env": [{"name": "MODE", "value": "fast"}],
                    }
                ],
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/not-ready",
                        "operator": "Exists",
                        "effect": "NoExecute",
                        "tolerationSeconds": 300,
                    }
                ],
            },
            "status": {
                "phase": "Running",
                "hostIP": "172.18.0.2",
                "podIP": "10.244.1.2",
                "podIPs": [{"ip": "10.244.1.2"}],
                "startTime": "2025-01-01T00:00:00Z",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {
                        "name": "nginx",
                        "containerID": "containerd://abc",
                        "imageID": "docker.io/library/nginx@sha256:1",
                        "ready": True,
                        "restartCount": 1,
                        "state": {"running": {"startedAt": "2025-01-01T00:00:30Z"}},
                        "lastState": {
                            "terminated": {
                                "exitCode": 137,
                                "reason": "OOMKilled",
                                "startedAt": "2025-01-01T00:00:04Z",
                                "finishedAt": "2025-01-01T00:00:29Z",
                            }
                        },
                    }
                ],
            },
        }

    def test_the_whole_layout(self) -> None:
        assert pod_description(self.pod(), [], NOW) == (
            "Name:             web\n"
            "Namespace:        default\n"
            "Priority:         0\n"
            "Service Account:  default\n"
            "Node:             node-1/172.18.0.2\n"
            "Start Time:       Wed, 01 Jan 2025 00:00:00 +0000\n"
            "Labels:           app=web\n"
            "                  tier=frontend\n"
            "Annotations:      <none>\n"
            "Status:           Running\n"
            "IP:               10.244.1.2\n"
            "IPs:\n"
            "  IP:           10.244.1.2\n"
            "Controlled By:  ReplicaSet/web-abc\n"
            "Containers:\n"
            "  nginx:\n"
            "    Container ID:   containerd://abc\n"
            "    Image:          nginx:1.27\n"
            "    Image ID:       docker.io/library/nginx@sha256:1\n"
            "    Port:           80/TCP (http)\n"
            "    Host Port:      0/TCP (http)\n"
            "    State:          Running\n"
            "      Started:      Wed, 01 Jan 2025 00:00:30 +0000\n"
            "    Last State:     Terminated\n"
            "      Reason:       OOMKilled\n"
            "      Exit Code:    137\n"
            "      Started:      Wed, 01 Jan 2025 00:00:04 +0000\n"
            "      Finished:     Wed, 01 Jan 2025 00:00:29 +0000\n"
            "    Ready:          True\n"
            "    Restart Count:  1\n"
            "    Requests:\n"
            "      cpu:      100m\n"
            "      memory:   64Mi\n"
            "    Readiness:  http-get http://:http/ delay=0s timeout=1s period=5s #success=1 #failure=3\n"
            "    Environment:\n"
            "      MODE:  fast\n"
            "    Mounts:  <none>\n"
            "Conditions:\n"
            # One column block runs from `Type` to `Events:`: every line in it has a tab.
            "  Type           Status\n"
            "  Ready          True \n"
            "Volumes:         <none>\n"
            "QoS Class:       Burstable\n"
            "Node-Selectors:  <none>\n"
            "Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
            "Events:          <none>\n"
        )

    def test_a_pod_being_deleted_says_terminating(self) -> None:
        pod = self.pod()
        pod["metadata"]["deletionTimestamp"] = "2025-01-01T00:01:30Z"
        pod["metadata"]["deletionGracePeriodSeconds"] = 30
        text = pod_description(pod, None, NOW)
        # kubectl prints the time since a deletionTimestamp that is still in the future.
        assert "Status:                    Terminating (lasts <invalid>)\n" in text
        assert "Termination Grace Period:  30s\n" in text
        assert "Events" not in text

    def test_an_unscheduled_pod(self) -> None:
        pod = self.pod()
        del pod["spec"]["nodeName"]
        pod["status"] = {"phase": "Pending"}
        text = pod_description(pod, [], NOW)
        assert "Node:             <none>\n" in text
        assert "    State:" not in text

    @pytest.mark.parametrize(
        ("probe", "text"),
        [
            (
                {"exec": {"command": ["cat", "/tmp/healthy"]}},
                "exec [cat /tmp/healthy] delay=0s timeout=1s period=10s #success=1 #failure=3",
            ),
            (
                {"tcpSocket": {"port": 6379}, "initialDelaySeconds": 5},
                "tcp-socket :6379 delay=5s timeout=1s period=10s #success=1 #failure=3",
            ),
            (
                {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTPS"}},
                "http-get https://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3",
            ),
        ],
    )
    def test_probes(self, probe: dict, text: str) -> None:
        assert describe_probe(probe) == text

    @pytest.mark.parametrize(
        ("resources", "qos"),
        [
            ({}, "BestEffort"),
            ({"requests": {"cpu": "100m"}}, "Burstable"),
            (
                {
                    "requests": {"cpu": "1", "memory": "1Gi"},
                    "limits": {"cpu": "1", "memory": "1Gi"},
                },
                "Guaranteed",
            ),
            ({"limits": {"cpu": "1", "memory": "1Gi"}}, "Guaranteed"),
        ],
    )
    def test_qos_class(self, resources: dict, qos: str) -> None:
        pod = {"spec": {"containers": [{"name": "c", "resources": resources}]}}
        assert pod_qos_class(pod) == qos


class TestNode:
    def test_layout_with_lease_pods_and_allocation(self) -> None:
        node = {
            "metadata": {
                "name": "node-1",
                "labels": {
                    "kubernetes.io/hostname": "node-1",
                    "node-role.kubernetes.io/worker": "",
                },
                "creationTimestamp": "2025-01-01T00:00:00Z",
            },
            "spec": {
                "podCIDR": "10.244.1.0/24",
                "podCIDRs": ["10.244.1.0/24"],
                "unschedulable": True,
                "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}],
            },
            "status": {
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True",
                        "lastHeartbeatTime": "2025-01-01T00:00:50Z",
                        "lastTransitionTime": "2025-01-01T00:00:00Z",
                        "reason": "KubeletReady",
                        "message": "kubelet is posting ready status",
                    }
                ],
                "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
                "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                "nodeInfo": {"kubeletVersion": "v1.32.0"},
            },
        }
        pod = {
            "metadata": {
                "name": "web",
                "namespace": "default",
                "creationTimestamp": "2025-01-01T00:00:00Z",
            },
            "spec": {
                "containers": [
                    {
                        "name": "c",
                        "resources": {
                            "requests": {"cpu": "500m", "memory": "1Gi"},
                            "limits": {"memory": "2Gi"},
                        },
                    }
                ]
            },
        }
        lease = {"spec": {"holderIdentity": "node-1", "renewTime": "2025-01-01T00:00:55.000000Z"}}
        text = node_description(node, [pod], lease, [], NOW)
        assert text.startswith(
            "Name:               node-1\n"
            "Roles:              worker\n"
            "Labels:             kubernetes.io/hostname=node-1\n"
            "                    node-role.kubernetes.io/worker=\n"
            "Annotations:        <none>\n"
            "CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000\n"
            "Taints:             node.kubernetes.io/unschedulable:NoSchedule\n"
            "Unschedulable:      true\n"
            "Lease:\n"
            "  HolderIdentity:  node-1\n"
            "  AcquireTime:     <unset>\n"
            "  RenewTime:       Wed, 01 Jan 2025 00:00:55 +0000\n"
        )
        assert (
            "  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age\n"
            "  ---------                   ----    ------------  ----------  ---------------  -------------  ---\n"
            "  default                     web     500m (12%)    0 (0%)      1Gi (12%)        2Gi (25%)      60s\n"
        ) in text
        assert "  cpu                500m (12%)  0 (0%)\n" in text
        assert text.endswith("Events:              <none>\n")


class TestGeneric:
    @pytest.mark.parametrize(
        ("field", "label"),
        [
            ("apiVersion", "API Version"),
            ("holderIdentity", "Holder Identity"),
            ("uid", "UID"),
            ("leaseDurationSeconds", "Lease Duration Seconds"),
            ("podCIDR", "Pod CIDR"),
            ("some_field", "some_field"),
        ],
    )
    def test_smart_labels(self, field: str, label: str) -> None:
        assert smart_label(field) == label

    def test_a_lease_is_described_field_by_field(self) -> None:
        cluster = cluster_with("")
        lease = cluster.store.get("Lease", "kube-node-lease", "node-1")
        text = describe_generic(cluster, lease)
        assert text.startswith("Name:         node-1\nNamespace:    kube-node-lease\n")
        assert "Spec:\n  Holder Identity:" in text
        assert describer_for("Lease") is describe_generic

    def test_describers_can_be_registered(self) -> None:
        cluster = cluster_with("")
        register_describer("Lease", lambda c, obj: f"lease {obj['metadata']['name']}\n")
        try:
            assert (
                describe(cluster, cluster.store.get("Lease", "kube-node-lease", "node-2"))
                == "lease node-2\n"
            )
        finally:
            register_describer("Lease", describe_generic)


class TestQuantities:
    @pytest.mark.parametrize(
        ("raw", "canonical"),
        [
            ("0.5", "500m"),
            ("1000m", "1"),
            ("100m", "100m"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("1000", "1k"),
            ("64Mi", "64Mi"),
            ("0", "0"),
        ],
    )
    def test_canonical_form(self, raw: str, canonical: str) -> None:
        assert canonical_quantity(raw) == canonical

    def test_sums_keep_the_first_format(self) -> None:
        assert format_quantity(Fraction(3, 4), "DecimalSI") == "750m"


def test_rfc1123z() -> None:
    assert rfc1123z("2025-03-09T14:05:00Z") == "Sun, 09 Mar 2025 14:05:00 +0000"


def test_describe_of_a_running_crash_loop_has_its_events() -> None:
    cluster = cluster_with(
        """
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'exit 1']
"""
    )
    cluster.run_until(60)
    text = describe(cluster, cluster.store.get("Pod", "default", "crasher"))
    assert "    State:          Waiting\n      Reason:       CrashLoopBackOff\n" in text
    assert "Warning  BackOff" in text


class TestWorkloads:
    DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources:
          requests: {cpu: 100m}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
"""

    def test_a_selector_reads_as_kubectl_prints_it(self) -> None:
        from engine.describe.budget import format_selector

        selector = {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
        }
        assert format_selector(selector) == "app=web,tier in (a,b)"
        assert format_selector({}) == "<none>"

    def test_a_pod_template_is_indented_under_its_heading(self) -> None:
        from engine.workloads.describe import describe_pod_template

        w = PrefixWriter()
        describe_pod_template(
            w,
            {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
        )
        assert w.text() == (
            "Pod Template:\n"
            "  Labels:  app=web\n"
            "  Containers:\n"
            "   nginx:\n"
            "    Image:         nginx:1.27\n"
            "    Port:          <none>\n"
            "    Host Port:     <none>\n"
            "    Environment:   <none>\n"
            "    Mounts:        <none>\n"
            "  Volumes:         <none>\n"
            "  Node-Selectors:  <none>\n"
            "  Tolerations:     <none>\n"
        )

    def test_deployment_replica_set_and_budget(self) -> None:
        cluster = cluster_with(self.DEPLOYMENT)
        cluster.run_until(30)
        deployment = describe(cluster, cluster.store.get("Deployment", "default", "web"))
        assert (
            "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n"
            in deployment
        )
        assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n" in deployment
        assert "NewReplicaSet:   web-" in deployment
        replica_set = cluster.store.list("ReplicaSet", "default")[0]
        text = describe(cluster, replica_set)
        assert "Controlled By:  Deployment/web\n" in text
        assert "Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in text
        budget = describe(cluster, cluster.store.get("PodDisruptionBudget", "default", "web"))
        assert budget.startswith(
            "Name:           web\nNamespace:      default\nMin available:  1\n"
        )
        assert "    Allowed disruptions:  1\n" in budget
