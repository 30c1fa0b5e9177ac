"""create, update, patch and delete: the engine's API server behind the API's verbs."""

from __future__ import annotations

import copy

import pytest

from engine.api import errors
from engine.rest.patch import strategic_merge_patch
from tests.rest.helpers import client_with

PSP = {
    "apiVersion": "extensions/v1beta1",
    "kind": "PodSecurityPolicy",
    "metadata": {"name": "permissive"},
    "spec": {
        "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"},
        "runAsUser": {"rule": "RunAsAny"},
        "fsGroup": {"rule": "RunAsAny"},
        "hostPorts": [{"min": 8000, "max": 8080}],
        "volumes": ["*"],
    },
}


@pytest.fixture
def client():
    return client_with(until=10)


def test_create_psp_in_extensions_v1beta1_answers_in_that_version_with_its_warning(client):
    response = client.request(
        "POST",
        "/apis/extensions/v1beta1/podsecuritypolicies",
        PSP,
        query={"fieldManager": "kubectl-create", "fieldValidation": "Strict"},
    )
    assert response.status == 201
    assert response.json()["apiVersion"] == "extensions/v1beta1"
    assert response.warnings == [
        "extensions/v1beta1 PodSecurityPolicy is deprecated in v1.11+, unavailable in v1.16+; use policy/v1beta1 PodSecurityPolicy"
    ]
    assert client.cluster.store.get("PodSecurityPolicy", "", "permissive") is not None


def test_create_twice_is_409_already_exists(client):
    client.request("POST", "/apis/policy/v1beta1/podsecuritypolicies", PSP)
    response = client.request("POST", "/apis/policy/v1beta1/podsecuritypolicies", PSP)
    assert response.status == 409
    body = response.json()
    assert body["reason"] == "AlreadyExists"
    assert body["message"] == 'podsecuritypolicies.policy "permissive" already exists'


def test_strict_decoding_refuses_an_unknown_field_with_400(client):
    bad = copy.deepcopy(PSP)
    bad["spec"]["hostPortz"] = []
    response = client.request("POST", "/apis/policy/v1beta1/podsecuritypolicies", bad)
    assert response.status == 400
    assert 'unknown field "spec.hostPortz"' in response.json()["message"]


def test_invalid_object_is_422_with_the_engine_message(client):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": []}}
    response = client.request("POST", "/api/v1/namespaces/default/pods", pod)
    assert response.status == 422
    body = response.json()
    assert body["reason"] == "Invalid"
    with pytest.raises(errors.InvalidError) as raised:
        client.cluster.api.create(pod)
    assert body["message"] == raised.value.status_message


def test_invalid_status_carries_kind_name_and_field_causes_as_new_invalid_does(client):
    # apimachinery pkg/api/errors/errors.go NewInvalid: the message is `Pod "x" is invalid:
    # ...` (no `The`); details name the kind and object and list one cause per field
    # error. kubectl (pkg/cmd/util/helpers.go checkErr) prints from the details alone.
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}, {"name": "c", "image": "nginx"}]},
    }
    body = client.request("POST", "/api/v1/namespaces/default/pods", pod).json()
    assert body["message"].startswith('Pod "x" is invalid: ')
    assert body["code"] == 422
    assert body["details"]["kind"] == "Pod"
    assert body["details"]["name"] == "x"
    assert "group" not in body["details"]
    assert {
        "reason": "FieldValueDuplicate",
        "message": 'Duplicate value: "c"',
        "field": "spec.containers[1].name",
    } in body["details"]["causes"]


def test_invalid_status_of_a_grouped_kind_names_its_group(client):
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": -1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }
    body = client.request("POST", "/apis/apps/v1/namespaces/default/deployments", deployment).json()
    assert body["message"].startswith('Deployment.apps "web" is invalid: ')
    assert body["details"]["group"] == "apps"
    assert body["details"]["kind"] == "Deployment"
    assert body["details"]["causes"][0]["field"] == "spec.replicas"


def test_namespace_in_body_must_match_the_path(client):
    pod = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": "kube-system"},
    }
    response = client.request("POST", "/api/v1/namespaces/default/configmaps", pod)
    assert response.status == 400


def test_update_with_a_stale_resource_version_is_409_conflict(client):
    # The API server's optimistic concurrency (k8s.io/apiserver/pkg/storage/etcd3/store.go
    # GuaranteedUpdate): kubectl replace/edit from an old copy must fail.
    path = "/api/v1/nodes/node-1"
    node = client.get(path).json()
    fresh = copy.deepcopy(node)
    fresh["metadata"].setdefault("labels", {})["a"] = "1"
    assert client.request("PUT", path, fresh).status == 200
    node["metadata"].setdefault("labels", {})["b"] = "2"
    response = client.request("PUT", path, node)
    assert response.status == 409
    body = response.json()
    assert body["reason"] == "Conflict"
    assert body["message"] == (
        'Operation cannot be fulfilled on nodes "node-1": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_merge_patch_like_kubectl_edit_of_a_psp(client):
    labelled = copy.deepcopy(PSP)
    labelled["metadata"]["labels"] = {"a": "1", "b": "2"}
    client.request("POST", "/apis/policy/v1beta1/podsecuritypolicies", labelled)
    response = client.request(
        "PATCH",
        "/apis/policy/v1beta1/podsecuritypolicies/permissive",
        {"metadata": {"labels": {"a": None}}, "spec": {"hostPorts": [{"min": 8000, "max": 9090}]}},
        content_type="application/merge-patch+json",
    )
    assert response.status == 200, response.body
    stored = client.cluster.store.get("PodSecurityPolicy", "", "permissive")
    assert stored["spec"]["hostPorts"] == [{"min": 8000, "max": 9090}]
    assert stored["metadata"]["labels"] == {"b": "2"}


def test_strategic_merge_patch_like_kubectl_cordon(client):
    response = client.request(
        "PATCH",
        "/api/v1/nodes/node-2",
        {"spec": {"unschedulable": True}},
        content_type="application/strategic-merge-patch+json",
    )
    assert response.status == 200
    assert client.cluster.store.get("Node", "", "node-2")["spec"]["unschedulable"] is True


def test_json_patch_like_kubectl_rollout_undo(client):
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    operations = [
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.28"}
    ]
    response = client.request("PATCH", path, operations, content_type="application/json-patch+json")
    assert response.status == 200
    live = client.cluster.store.get("Deployment", "default", "web")
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    failing = [{"op": "test", "path": "/spec/replicas", "value": 99}]
    assert (
        client.request("PATCH", path, failing, content_type="application/json-patch+json").status
        == 422
    )


def test_patch_with_a_stale_resource_version_is_409(client):
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    response = client.request(
        "PATCH",
        path,
        {"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 3}},
        content_type="application/merge-patch+json",
    )
    assert response.status == 409


def test_unsupported_patch_type_is_415(client):
    response = client.request("PATCH", "/api/v1/nodes/node-1", {}, content_type="text/plain")
    assert response.status == 415


def test_server_side_apply_creates_then_merges(client):
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"a": "1"},
    }
    path = "/api/v1/namespaces/default/configmaps/settings"
    first = client.request(
        "PATCH",
        path,
        cm,
        content_type="application/apply-patch+yaml",
        query={"fieldManager": "kubectl", "force": "false"},
    )
    assert first.status == 201
    cm["data"]["b"] = "2"
    second = client.request(
        "PATCH",
        path,
        cm,
        content_type="application/apply-patch+yaml",
        query={"fieldManager": "kubectl"},
    )
    assert second.status == 200
    assert client.cluster.store.get("ConfigMap", "default", "settings")["data"] == {
        "a": "1",
        "b": "2",
    }


class TestStrategicMergePatch:
    """k8s.io/apimachinery/pkg/util/strategicpatch/patch.go directives."""

    LIVE = {
        "spec": {
            "containers": [
                {"name": "app", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
                {"name": "side", "image": "s:1"},
            ],
            "finalizers": ["x"],
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
        }
    }

    def test_lists_with_a_merge_key_merge_item_by_item(self):
        patched = strategic_merge_patch(
            self.LIVE, {"spec": {"containers": [{"name": "app", "image": "a:2"}]}}
        )
        assert [c["image"] for c in patched["spec"]["containers"]] == ["a:2", "s:1"]
        assert patched["spec"]["containers"][0]["env"] == [{"name": "X", "value": "1"}]

    def test_patch_delete_directive_removes_a_list_item(self):
        patched = strategic_merge_patch(
            self.LIVE, {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}
        )
        assert [c["name"] for c in patched["spec"]["containers"]] == ["app"]

    def test_patch_replace_directive_replaces_a_map(self):
        patched = strategic_merge_patch(
            self.LIVE, {"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}}
        )
        assert patched["spec"]["strategy"] == {"type": "Recreate"}

    def test_retain_keys_clears_what_it_does_not_name(self):
        patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
        assert strategic_merge_patch(self.LIVE, patch)["spec"]["strategy"] == {"type": "Recreate"}

    def test_null_deletes_and_primitive_merge_lists_union(self):
        patched = strategic_merge_patch(
            self.LIVE, {"spec": {"strategy": None, "finalizers": ["y"]}}
        )
        assert "strategy" not in patched["spec"]
        assert patched["spec"]["finalizers"] == ["x", "y"]
        patched = strategic_merge_patch(
            self.LIVE, {"spec": {"$deleteFromPrimitiveList/finalizers": ["x"]}}
        )
        assert patched["spec"]["finalizers"] == []

    def test_set_element_order(self):
        patch = {"spec": {"$setElementOrder/containers": [{"name": "side"}, {"name": "app"}]}}
        patched = strategic_merge_patch(self.LIVE, patch)
        assert [c["name"] for c in patched["spec"]["containers"]] == ["side", "app"]

    def test_the_live_object_is_not_changed(self):
        before = copy.deepcopy(self.LIVE)
        strategic_merge_patch(self.LIVE, {"spec": {"containers": [{"name": "app", "image": "z"}]}})
        assert before == self.LIVE


def test_delete_a_running_pod_answers_the_object_being_deleted(client):
    # Graceful deletion: the API server returns the pod with its deletionTimestamp.
    response = client.request(
        "DELETE", "/api/v1/namespaces/default/pods/two", {"propagationPolicy": "Background"}
    )
    assert response.status == 200
    body = response.json()
    assert body["kind"] == "Pod"
    assert body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == 30


def test_delete_with_grace_period_zero_removes_at_once(client):
    response = client.request(
        "DELETE", "/api/v1/namespaces/default/pods/two", query={"gracePeriodSeconds": "0"}
    )
    assert response.json()["kind"] == "Status"
    assert response.json()["status"] == "Success"
    assert client.cluster.store.get("Pod", "default", "two") is None


def test_delete_with_propagation_foreground_keeps_the_owner_until_its_dependents_go(client):
    response = client.request(
        "DELETE",
        "/apis/apps/v1/namespaces/default/deployments/web",
        {"propagationPolicy": "Foreground"},
    )
    body = response.json()
    assert body["kind"] == "Deployment"
    assert "foregroundDeletion" in body["metadata"]["finalizers"]


def test_delete_precondition_on_resource_version(client):
    response = client.request(
        "DELETE", "/api/v1/nodes/node-3", {"preconditions": {"resourceVersion": "1"}}
    )
    assert response.status == 409
    assert "Precondition failed" in response.json()["message"]


def test_deletecollection_with_a_label_selector(client):
    for name in ("a", "b"):
        client.request(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            {"metadata": {"name": name, "labels": {"x": "y"}}},
        )
    response = client.request(
        "DELETE", "/api/v1/namespaces/default/configmaps", query={"labelSelector": "x=y"}
    )
    assert [i["metadata"]["name"] for i in response.json()["items"]] == ["a", "b"]
    assert client.cluster.store.list("ConfigMap", "default") == [
        c
        for c in client.cluster.store.list("ConfigMap", "default")
        if c["metadata"]["name"] not in ("a", "b")
    ]
