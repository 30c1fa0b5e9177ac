"""The endpoints and EndpointSlice controllers (k/k pkg/controller/endpoint/endpoints_controller.go;
staging/src/k8s.io/endpointslice/reconciler.go, utils.go; util/controller_utils.go
ShouldPodBeInEndpoints) and the `kubernetes` Service
(pkg/controlplane/controller/kubernetesservice)."""

from __future__ import annotations

import copy

from engine import actions
from engine.network.endpoints import TRIGGER_TIME
from engine.network.endpointslice import MAX_ENDPOINTS_PER_SLICE, plan_slices
from tests.engine.network.helpers import BACKEND, cluster_with, endpoints, ips, pod, slices

FLAKY = """
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {tier: front}
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: v1
kind: Pod
metadata:
  name: web-a
  labels: {app: web}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "touch /tmp/ready; sleep 20; rm -f /tmp/ready; sleep 3600"]
    ports:
    - {name: http, containerPort: 8080}
    readinessProbe:
      exec: {command: [cat, /tmp/ready]}
      periodSeconds: 1
"""

# A shell as PID 1 ignores SIGTERM: the pod stays Terminating for its grace period.
SLOW_TO_STOP = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-a
  labels: {app: web}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "while true; do sleep 1; done"]
"""


def _slice_endpoint(cluster, service: str, pod_name: str) -> dict:
    for slice_ in slices(cluster, service):
        for endpoint in slice_.get("endpoints") or []:
            if endpoint["targetRef"]["name"] == pod_name:
                return endpoint
    raise AssertionError(f"{pod_name} not in {service}'s slices")


class TestEndpoints:
    def test_endpoints_list_a_ready_pod_with_its_target_ref_and_node(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        subset = endpoints(cluster, "web")["subsets"][0]
        web = pod(cluster, "web-a")
        assert ips(subset["addresses"]) == [web["status"]["podIP"]]
        assert subset["addresses"][0]["nodeName"] == web["spec"]["nodeName"]
        assert subset["addresses"][0]["targetRef"] == {
            "kind": "Pod",
            "name": "web-a",
            "namespace": "default",
            "uid": web["metadata"]["uid"],
        }
        # targetPort by container port name (FindPort).
        assert subset["ports"] == [{"port": 80, "protocol": "TCP"}]

    def test_endpoints_drop_a_pod_that_turns_unready(self) -> None:
        # addEndpointSubset: an unready pod goes to notReadyAddresses.
        cluster = cluster_with(FLAKY)
        cluster.run_until(12)
        assert ips(endpoints(cluster, "web")["subsets"][0].get("addresses")) != []
        cluster.run_until(30)
        subset = endpoints(cluster, "web")["subsets"][0]
        assert "addresses" not in subset
        assert ips(subset["notReadyAddresses"]) == [pod(cluster, "web-a")["status"]["podIP"]]
        assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]

    def test_endpoints_keep_the_service_labels_and_the_trigger_time(self) -> None:
        cluster = cluster_with(FLAKY)
        cluster.run_until(30)
        meta = endpoints(cluster, "web")["metadata"]
        assert meta["labels"] == {"tier": "front"}
        assert "endpoints.kubernetes.io/last-change-trigger-time" in meta["annotations"]

    def test_publish_not_ready_addresses_lists_an_unready_pod_as_ready(self) -> None:
        cluster = cluster_with(FLAKY.replace("selector: {app: web}", "publishNotReadyAddresses: true\n  selector: {app: web}"))
        cluster.run_until(30)
        subset = endpoints(cluster, "web")["subsets"][0]
        assert len(subset["addresses"]) == 1 and "notReadyAddresses" not in subset
        assert _slice_endpoint(cluster, "web", "web-a")["conditions"]["ready"] is True

    def test_a_terminating_pod_leaves_the_endpoints_at_once(self) -> None:
        cluster = cluster_with(SLOW_TO_STOP)
        cluster.run_until(15)
        actions.delete(cluster, "pod/web-a", namespace="default")
        cluster.run_until(16)
        assert pod(cluster, "web-a")["metadata"].get("deletionTimestamp")
        assert endpoints(cluster, "web").get("subsets") is None

    def test_a_pod_without_the_named_port_is_left_out(self) -> None:
        cluster = cluster_with(BACKEND.replace("targetPort: http", "targetPort: metrics"))
        cluster.run_until(15)
        assert endpoints(cluster, "web").get("subsets") is None

    def test_a_service_without_a_selector_gets_no_endpoints_from_the_controller(self) -> None:
        cluster = cluster_with(BACKEND.replace("  selector: {app: web}\n", ""))
        cluster.run_until(15)
        assert cluster.store.get("Endpoints", "default", "web") is None
        assert slices(cluster, "web") == []

    def test_deleting_the_service_deletes_its_endpoints_and_slices(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        actions.delete(cluster, "service/web", namespace="default")
        cluster.run_until(16)
        assert cluster.store.get("Endpoints", "default", "web") is None
        assert slices(cluster, "web") == []

    def test_a_headless_service_gives_a_stateful_set_pod_its_hostname(self) -> None:
        # ShouldSetHostname: spec.hostname and spec.subdomain == the Service's name.
        cluster = cluster_with(
            """
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 6379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: redis, image: "redis:7.2"}]
"""
        )
        cluster.run_until(20)
        address = endpoints(cluster, "db")["subsets"][0]["addresses"][0]
        assert address["hostname"] == "db-0"
        assert endpoints(cluster, "db")["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}
        assert _slice_endpoint(cluster, "db", "db-0")["hostname"] == "db-0"

    def test_endpoints_trigger_time_starts_at_the_service_creation_timestamp(self) -> None:
        # trigger_time_tracker.go ComputeEndpointLastChangeTriggerTime: a Service's first
        # sync exports its creationTimestamp, later ones the pod's Ready transition.
        cluster = cluster_with(FLAKY)
        cluster.run_until(0)
        service = cluster.store.get("Service", "default", "web")
        created = service["metadata"]["creationTimestamp"]
        annotations = endpoints(cluster, "web")["metadata"]["annotations"]
        assert annotations[TRIGGER_TIME] == created
        # The pod's IP arriving is no trigger (its Ready condition did not move): the update
        # that adds the address clears the annotation.
        cluster.run_until(1)
        assert endpoints(cluster, "web").get("subsets")
        assert TRIGGER_TIME not in endpoints(cluster, "web")["metadata"]["annotations"]
        cluster.run_until(30)
        ready = next(
            c for c in pod(cluster, "web-a")["status"]["conditions"] if c["type"] == "Ready"
        )
        assert ready["lastTransitionTime"] != created
        annotations = endpoints(cluster, "web")["metadata"]["annotations"]
        assert annotations[TRIGGER_TIME] == ready["lastTransitionTime"]

    def test_endpoints_trigger_time_is_cleared_when_no_pod_or_service_changed(self) -> None:
        # trigger_time_tracker.go: a sync with no newer trigger time returns zero, and
        # endpoints_controller.go syncService then deletes the annotation.
        cluster = cluster_with(FLAKY)
        cluster.run_until(15)
        service = copy.deepcopy(cluster.store.get("Service", "default", "web"))
        service["metadata"]["labels"] = {"tier": "back"}
        cluster.api.update(service)
        cluster.run_until(16)
        meta = endpoints(cluster, "web")["metadata"]
        assert meta["labels"] == {"tier": "back"}
        assert TRIGGER_TIME not in (meta.get("annotations") or {})
        for slice_ in slices(cluster, "web"):
            assert slice_["metadata"]["labels"]["tier"] == "back"
            assert TRIGGER_TIME not in (slice_["metadata"].get("annotations") or {})

    def test_an_external_name_service_gets_no_endpoints_or_slices(self) -> None:
        # endpoints_controller.go and endpointslice_controller.go syncService: "services with
        # Type ExternalName receive no endpoints from this controller" (issues.k8s.io/105986).
        cluster = cluster_with(
            BACKEND.replace("spec:\n  selector", "spec:\n  type: ExternalName\n  externalName: db.example.com\n  selector", 1)
        )
        cluster.run_until(15)
        assert cluster.store.get("Endpoints", "default", "web") is None
        assert slices(cluster, "web") == []

    def test_removing_the_selector_leaves_the_endpoints_and_slices_as_they_were(self) -> None:
        # syncService returns early for a Service without a selector: nothing deletes what the
        # controllers wrote while it had one.
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        before = endpoints(cluster, "web")["subsets"]
        names = sorted(s["metadata"]["name"] for s in slices(cluster, "web"))
        service = copy.deepcopy(cluster.store.get("Service", "default", "web"))
        del service["spec"]["selector"]
        cluster.api.update(service)
        cluster.run_until(16)
        assert endpoints(cluster, "web")["subsets"] == before
        assert sorted(s["metadata"]["name"] for s in slices(cluster, "web")) == names

    def test_endpoints_past_1000_addresses_are_truncated_and_marked_over_capacity(self) -> None:
        # endpoints_controller.go truncateEndpoints and capacityAnnotationSetCorrectly:
        # 1000 addresses kept, endpoints.kubernetes.io/over-capacity: truncated, removed
        # again once the Service is back under capacity. (Every sync of an over-capacity
        # Endpoints sends an update; the API server stores nothing when it is unchanged.)
        cluster = cluster_with(BACKEND)
        cluster.run_until(2)
        controller = cluster.controllers["endpoint"]
        many = [
            {
                "metadata": {"name": f"p{i}", "namespace": "default", "uid": f"u{i}"},
                "spec": {"nodeName": "n", "containers": [{"ports": [{"name": "http", "containerPort": 80}]}]},
                "status": {
                    "phase": "Running",
                    "podIP": f"10.1.{i // 250}.{i % 250}",
                    "conditions": [{"type": "Ready", "status": "True"}],
                },
            }
            for i in range(1001)
        ]
        controller.selected_pods = lambda service: many
        controller.sync(("default", "web"))
        first = endpoints(cluster, "web")
        assert first["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"] == "truncated"
        assert sum(len(s["addresses"]) for s in first["subsets"]) == 1000
        controller.selected_pods = lambda service: many[:3]
        controller.sync(("default", "web"))
        third = endpoints(cluster, "web")
        assert "endpoints.kubernetes.io/over-capacity" not in third["metadata"]["annotations"]
        controller.sync(("default", "web"))
        assert endpoints(cluster, "web")["metadata"]["resourceVersion"] == third["metadata"]["resourceVersion"]


class TestEndpointSlices:
    def test_slice_labels_owner_and_generated_name(self) -> None:
        cluster = cluster_with(FLAKY)
        cluster.run_until(12)
        (slice_,) = slices(cluster, "web")
        meta = slice_["metadata"]
        assert meta["labels"] == {
            "tier": "front",
            "kubernetes.io/service-name": "web",
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        }
        assert meta["generateName"] == "web-" and len(meta["name"]) == len("web-") + 5
        service = cluster.store.get("Service", "default", "web")
        assert meta["ownerReferences"] == [
            {
                "apiVersion": "v1",
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": "Service",
                "name": "web",
                "uid": service["metadata"]["uid"],
            }
        ]
        assert slice_["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]

    def test_slice_endpoint_turns_unready_and_back(self) -> None:
        cluster = cluster_with(FLAKY)
        cluster.run_until(12)
        assert _slice_endpoint(cluster, "web", "web-a")["conditions"] == {
            "ready": True,
            "serving": True,
            "terminating": False,
        }
        name = slices(cluster, "web")[0]["metadata"]["name"]
        cluster.run_until(30)
        assert _slice_endpoint(cluster, "web", "web-a")["conditions"]["ready"] is False
        assert slices(cluster, "web")[0]["metadata"]["name"] == name  # updated in place

    def test_a_terminating_pod_stays_in_its_slice_as_serving_and_terminating(self) -> None:
        # podToEndpoint: ready is never true for a terminating pod.
        cluster = cluster_with(SLOW_TO_STOP)
        cluster.run_until(15)
        actions.delete(cluster, "pod/web-a", namespace="default")
        cluster.run_until(16)
        assert _slice_endpoint(cluster, "web", "web-a")["conditions"] == {
            "ready": False,
            "serving": True,
            "terminating": True,
        }

    def test_a_pod_on_a_node_that_is_gone_leaves_the_slices(self) -> None:
        # reconciler.go reconcileByAddressType: "skipping Pod for Service, Node not found"
        # unless publishNotReadyAddresses; the Endpoints controller does not look at Nodes.
        for publish, kept in ((False, False), (True, True)):
            manifest = BACKEND
            if publish:
                manifest = BACKEND.replace("  selector: {app: web}", "  publishNotReadyAddresses: true\n  selector: {app: web}")
            cluster = cluster_with(manifest)
            cluster.run_until(15)
            cluster.store.remove("Node", "", pod(cluster, "web-a")["spec"]["nodeName"])
            cluster.controllers["endpointslice"].sync(("default", "web"))
            names = [
                e["targetRef"]["name"]
                for s in slices(cluster, "web")
                for e in s.get("endpoints") or []
            ]
            assert ("web-a" in names) is kept
            assert endpoints(cluster, "web")["subsets"]

    def test_a_service_selecting_nothing_gets_a_placeholder_slice(self) -> None:
        cluster = cluster_with(BACKEND.replace("selector: {app: web}", "selector: {app: nothing}"))
        cluster.run_until(5)
        (slice_,) = slices(cluster, "web")
        assert slice_["endpoints"] is None and slice_["ports"] is None

    def test_at_most_100_endpoints_per_slice(self) -> None:
        desired = {
            (): [{"addresses": [f"10.0.{i // 250}.{i % 250}"], "targetRef": {"uid": str(i)}} for i in range(150)]
        }
        plans, deleted = plan_slices([], desired)
        assert [len(endpoints) for _, endpoints, _ in plans] == [MAX_ENDPOINTS_PER_SLICE, 50]
        assert deleted == []

    def test_an_endpoint_stays_in_its_slice_and_new_ones_fill_free_room(self) -> None:
        existing = [
            {"metadata": {"name": "s1"}, "ports": None, "endpoints": [{"addresses": ["a"], "targetRef": {"uid": "a"}}]}
        ]
        desired = {(): [{"addresses": ["b"], "targetRef": {"uid": "b"}}, {"addresses": ["a"], "targetRef": {"uid": "a"}}]}
        plans, _deleted = plan_slices(existing, desired)
        assert [(s["metadata"]["name"], [e["addresses"][0] for e in eps]) for s, eps, _ in plans] == [
            ("s1", ["a", "b"])
        ]

    def test_slice_names_do_not_draw_from_the_cluster_generator(self) -> None:
        cluster = cluster_with(BACKEND)
        cluster.run_until(1)
        state = cluster.rng.getstate()
        cluster.api.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "other"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
            }
        )
        cluster.run_until(1)
        assert slices(cluster, "other") and cluster.rng.getstate() == state


class TestKubernetesService:
    def test_every_cluster_has_the_kubernetes_service_and_its_endpoints(self) -> None:
        cluster = cluster_with("")
        service = cluster.store.get("Service", "default", "kubernetes")
        assert service["spec"]["ports"] == [
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}
        ]
        assert ips(endpoints(cluster, "kubernetes")["subsets"][0]["addresses"]) == ["172.18.0.254"]
        slice_ = cluster.store.get("EndpointSlice", "default", "kubernetes")
        assert slice_["endpoints"] == [{"addresses": ["172.18.0.254"], "conditions": {"ready": True}}]

    def test_the_api_server_puts_a_deleted_kubernetes_service_back(self) -> None:
        cluster = cluster_with("")
        actions.delete(cluster, "service/kubernetes", namespace="default")
        assert cluster.store.get("Service", "default", "kubernetes") is None
        cluster.run_until(10)
        assert cluster.store.get("Service", "default", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"


class TestPodsThatMove:
    def test_endpoints_follow_a_pod_whose_sandbox_is_replaced(self) -> None:
        # A new sandbox means a new pod IP; both controllers rewrite the address.
        cluster = cluster_with(BACKEND)
        cluster.run_until(15)
        before = pod(cluster, "web-a")["status"]["podIP"]
        result = actions.inject(cluster, "sandboxKill", pod="web-a")
        assert not result.errors, result.errors
        cluster.run_until(40)
        after = pod(cluster, "web-a")["status"]["podIP"]
        assert after != before
        assert ips(endpoints(cluster, "web")["subsets"][0]["addresses"]) == [after]
        assert _slice_endpoint(cluster, "web", "web-a")["addresses"] == [after]


class TestApply:
    def test_applying_a_service_again_keeps_its_cluster_ip_and_node_port(self) -> None:
        from engine.apply import apply_object
        from engine.manifests.loader import load_text

        text = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
"""
        cluster = cluster_with(text)
        first = dict(cluster.store.get("Service", "default", "web")["spec"])
        changed = load_text(text.replace("port: 80", "port: 80, name: http"), "again.yaml")
        apply_object(cluster, changed.manifests[0].obj)
        spec = cluster.store.get("Service", "default", "web")["spec"]
        assert spec["clusterIP"] == first["clusterIP"]
        assert spec["ports"][0]["nodePort"] == first["ports"][0]["nodePort"]
        assert spec["ports"][0]["name"] == "http"
