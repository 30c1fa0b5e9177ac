"""The API server: defaults, admission, identity, deletion, in Kubernetes' words."""

from __future__ import annotations

import pytest

from engine.api.errors import APIError
from engine.cluster import Cluster

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web"},
    "spec": {
        "containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]
    },
}


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(seed=7)
    c.boot()
    return c


class TestDefaults:
    def test_set_defaults_pod_spec(self, cluster: Cluster) -> None:
        spec = cluster.api.create(POD).obj["spec"]
        assert spec["restartPolicy"] == "Always"
        assert spec["terminationGracePeriodSeconds"] == 30
        assert spec["dnsPolicy"] == "ClusterFirst"
        assert spec["schedulerName"] == "default-scheduler"
        assert spec["securityContext"] == {}
        assert spec["enableServiceLinks"] is True

    def test_set_defaults_container(self, cluster: Cluster) -> None:
        container = cluster.api.create(POD).obj["spec"]["containers"][0]
        assert container["imagePullPolicy"] == "IfNotPresent"
        assert container["terminationMessagePath"] == "/dev/termination-log"
        assert container["terminationMessagePolicy"] == "File"
        assert container["resources"] == {}
        assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]

    @pytest.mark.parametrize(
        ("image", "policy"),
        [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            ("registry.local:5000/app", "Always"),
            ("registry.local:5000/app:v2", "IfNotPresent"),
            ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ],
    )
    def test_image_pull_policy_defaults_from_the_tag(
        self, cluster: Cluster, image: str, policy: str
    ) -> None:
        pod = {**POD, "spec": {"containers": [{"name": "c", "image": image}]}}
        assert cluster.api.create(pod).obj["spec"]["containers"][0]["imagePullPolicy"] == policy

    def test_set_defaults_probe(self, cluster: Cluster) -> None:
        container = dict(POD["spec"]["containers"][0], readinessProbe={"httpGet": {"port": 80}})
        pod = {**POD, "spec": {"containers": [container]}}
        probe = cluster.api.create(pod).obj["spec"]["containers"][0]["readinessProbe"]
        assert probe == {
            "failureThreshold": 3,
            "httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": 1,
        }

    def test_requests_default_to_limits(self, cluster: Cluster) -> None:
        container = dict(
            POD["spec"]["containers"][0], resources={"limits": {"cpu": "1", "memory": "1Gi"}}
        )
        obj = cluster.api.create({**POD, "spec": {"containers": [container]}}).obj
        assert obj["spec"]["containers"][0]["resources"]["requests"] == {
            "cpu": "1",
            "memory": "1Gi",
        }
        assert obj["status"]["qosClass"] == "Guaranteed"

    @pytest.mark.parametrize(
        ("resources", "qos"),
        [
            ({}, "BestEffort"),
            ({"requests": {"cpu": "100m"}}, "Burstable"),
            ({"limits": {"memory": "1Gi"}}, "Burstable"),
        ],
    )
    def test_qos_class(self, cluster: Cluster, resources: dict, qos: str) -> None:
        container = dict(POD["spec"]["containers"][0], resources=resources)
        assert (
            cluster.api.create({**POD, "spec": {"containers": [container]}}).obj["status"][
                "qosClass"
            ]
            == qos
        )

    def test_a_new_pods_status_is_the_api_servers_not_the_manifests(self, cluster: Cluster) -> None:
        obj = cluster.api.create({**POD, "status": {"phase": "Running"}}).obj
        assert obj["status"] == {"phase": "Pending", "qosClass": "BestEffort"}

    def test_identity_fields_are_set_on_create(self, cluster: Cluster) -> None:
        meta = cluster.api.create(POD).obj["metadata"]
        assert meta["namespace"] == "default"
        assert meta["creationTimestamp"] == "2025-01-01T00:00:00Z"
        assert len(meta["uid"]) == 36 and meta["resourceVersion"].isdigit()


class TestAdmission:
    def test_service_account_admission_sets_the_account_and_mounts_the_token(
        self, cluster: Cluster
    ) -> None:
        spec = cluster.api.create(POD).obj["spec"]
        assert spec["serviceAccountName"] == "default" and spec["serviceAccount"] == "default"
        volume = spec["volumes"][0]
        assert (
            volume["name"].startswith("kube-api-access-")
            and len(volume["name"]) == len("kube-api-access-") + 5
        )
        assert spec["containers"][0]["volumeMounts"] == [
            {
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "name": volume["name"],
                "readOnly": True,
            }
        ]

    def test_a_missing_service_account_is_forbidden(self, cluster: Cluster) -> None:
        pod = {**POD, "spec": {**POD["spec"], "serviceAccountName": "builder"}}
        with pytest.raises(APIError) as err:
            cluster.api.create(pod)
        assert err.value.kubectl("creating", "pod.yaml") == (
            'Error from server (Forbidden): error when creating "pod.yaml": pods "web" is forbidden: '
            'error looking up service account default/builder: serviceaccount "builder" not found'
        )

    def test_default_toleration_seconds_adds_300s_not_ready_and_unreachable(
        self, cluster: Cluster
    ) -> None:
        tolerations = cluster.api.create(POD).obj["spec"]["tolerations"]
        assert tolerations == [
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
        ]

    def test_default_toleration_seconds_keeps_a_pods_own_toleration(self, cluster: Cluster) -> None:
        own = {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 5,
        }
        pod = {**POD, "spec": {**POD["spec"], "tolerations": [own]}}
        tolerations = cluster.api.create(pod).obj["spec"]["tolerations"]
        assert [t["key"] for t in tolerations] == [
            "node.kubernetes.io/unreachable",
            "node.kubernetes.io/not-ready",
        ]
        assert tolerations[0]["tolerationSeconds"] == 5

    def test_namespace_lifecycle_refuses_a_missing_namespace(self, cluster: Cluster) -> None:
        pod = {**POD, "metadata": {"name": "web", "namespace": "nowhere"}}
        with pytest.raises(APIError) as err:
            cluster.api.create(pod)
        assert err.value.kubectl() == 'Error from server (NotFound): namespaces "nowhere" not found'

    def test_a_new_namespace_gets_its_default_service_account_and_root_ca(
        self, cluster: Cluster
    ) -> None:
        cluster.api.create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
        )
        assert cluster.store.get("ServiceAccount", "team-a", "default") is not None
        assert cluster.store.get("ConfigMap", "team-a", "kube-root-ca.crt") is not None
        cluster.api.create({**POD, "metadata": {"name": "web", "namespace": "team-a"}})


class TestWrites:
    def test_creating_twice_is_already_exists(self, cluster: Cluster) -> None:
        cluster.api.create(POD)
        with pytest.raises(APIError) as err:
            cluster.api.create(POD)
        assert err.value.kubectl() == 'Error from server (AlreadyExists): pods "web" already exists'

    def test_generate_name_gets_five_characters_from_the_seeded_generator(
        self, cluster: Cluster
    ) -> None:
        pod = {**POD, "metadata": {"generateName": "web-"}}
        name = cluster.api.create(pod).obj["metadata"]["name"]
        assert name.startswith("web-") and len(name) == 9
        assert set(name[4:]) <= set("bcdfghjklmnpqrstvwxz2456789")

    def test_deleting_a_missing_object_is_not_found(self, cluster: Cluster) -> None:
        with pytest.raises(APIError) as err:
            cluster.api.delete("Pod", "default", "nope")
        assert err.value.kubectl() == 'Error from server (NotFound): pods "nope" not found'

    def test_an_update_that_changes_nothing_is_unchanged(self, cluster: Cluster) -> None:
        cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
        before = cluster.store.get("Namespace", "", "x")["metadata"]["resourceVersion"]
        result = cluster.api.update(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
        )
        assert result.changed is False
        assert cluster.store.get("Namespace", "", "x")["metadata"]["resourceVersion"] == before

    def test_kubectl_prints_invalid_errors_without_the_error_from_server_prefix(self) -> None:
        error = APIError(403, "Forbidden", 'pods "x" is forbidden: no')
        assert (
            error.kubectl("creating", "x.yaml")
            == 'Error from server (Forbidden): error when creating "x.yaml": pods "x" is forbidden: no'
        )
        invalid = APIError(422, "Invalid", 'The Pod "x" is invalid: spec: Required value')
        assert (
            invalid.kubectl("creating", "x.yaml") == 'The Pod "x" is invalid: spec: Required value'
        )
