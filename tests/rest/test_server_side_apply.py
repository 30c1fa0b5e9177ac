"""Server-side apply: field managers, conflicts, force and removals
(k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager, sigs.k8s.io/structured-merge-diff)."""

from __future__ import annotations

import pytest

from tests.rest.helpers import client_with

APPLY = "application/apply-patch+yaml"
PATH = "/apis/apps/v1/namespaces/default/deployments/api"


def deployment(replicas: int, image: str = "nginx:1.27", labels: dict | None = None) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "labels": labels or {"app": "api"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "nginx", "image": image}]},
            },
        },
    }


@pytest.fixture
def client():
    return client_with(until=1)


def _apply(client, body: dict, manager: str = "kubectl", force: bool = False):
    query = {
        "fieldManager": manager,
        "fieldValidation": "Strict",
        "force": "true" if force else "false",
    }
    return client.request("PATCH", PATH, body, content_type=APPLY, query=query)


def _managers(client) -> dict[str, str]:
    live = client.cluster.store.get("Deployment", "default", "api")
    return {e["manager"]: e["operation"] for e in live["metadata"].get("managedFields", [])}


def test_apply_records_the_applier_as_manager(client):
    assert _apply(client, deployment(2)).status == 201
    assert _managers(client) == {"kubectl": "Apply"}
    entry = client.cluster.store.get("Deployment", "default", "api")["metadata"]["managedFields"][0]
    assert entry["fieldsType"] == "FieldsV1"
    assert "f:replicas" in entry["fieldsV1"]["f:spec"]
    assert (
        'k:{"name":"nginx"}' in entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    )


def test_a_field_another_manager_set_differently_is_a_conflict(client):
    # conflict.go: "Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas"
    created = client.request(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        deployment(2),
        query={"fieldManager": "kubectl-create"},
    )
    assert created.status == 201
    response = _apply(client, deployment(3))
    assert response.status == 409
    body = response.json()
    assert body["reason"] == "Conflict"
    assert body["message"].startswith(
        'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1 at '
    )
    assert body["message"].endswith(": .spec.replicas")
    assert body["details"]["causes"][0]["reason"] == "FieldManagerConflict"
    assert body["details"]["causes"][0]["field"] == ".spec.replicas"
    assert client.cluster.store.get("Deployment", "default", "api")["spec"]["replicas"] == 2


def test_the_same_value_is_shared_not_a_conflict(client):
    client.request(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        deployment(2),
        query={"fieldManager": "kubectl-create"},
    )
    assert _apply(client, deployment(2)).status == 200
    assert _managers(client) == {"kubectl-create": "Update", "kubectl": "Apply"}


def test_force_takes_the_field_over(client):
    client.request(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        deployment(2),
        query={"fieldManager": "kubectl-create"},
    )
    assert _apply(client, deployment(3), force=True).status == 200
    assert client.cluster.store.get("Deployment", "default", "api")["spec"]["replicas"] == 3
    # kubectl-create no longer owns replicas: applying another value needs no force.
    assert _apply(client, deployment(4)).status == 200


def test_kubectl_scale_takes_replicas_from_the_applier(client):
    _apply(client, deployment(2))
    scaled = client.request(
        "PATCH",
        f"{PATH}/scale",
        {"spec": {"replicas": 5}},
        content_type="application/merge-patch+json",
        query={"fieldManager": "kubectl-scale"},
    )
    assert scaled.status == 200
    response = _apply(client, deployment(2))
    assert response.status == 409
    assert (
        'conflict with "kubectl-scale" with subresource "scale" using apps/v1'
        in response.json()["message"]
    )


def test_a_field_the_applier_stops_applying_is_removed(client):
    _apply(client, deployment(2, labels={"app": "api", "team": "web"}))
    _apply(client, deployment(2, labels={"app": "api"}))
    assert client.cluster.store.get("Deployment", "default", "api")["metadata"]["labels"] == {
        "app": "api"
    }


def test_apply_without_field_manager_is_invalid(client):
    response = client.request("PATCH", PATH, deployment(2), content_type=APPLY)
    assert response.status == 422
    assert "fieldManager: Required value" in response.json()["message"]


def test_reapplying_the_same_configuration_changes_nothing(client):
    _apply(client, deployment(2))
    before = client.cluster.store.get("Deployment", "default", "api")["metadata"]["resourceVersion"]
    client.cluster.run_until(client.cluster.now + 5)
    rv = client.cluster.store.get("Deployment", "default", "api")["metadata"]["resourceVersion"]
    assert _apply(client, deployment(2)).status == 200
    assert (
        client.cluster.store.get("Deployment", "default", "api")["metadata"]["resourceVersion"]
        == rv
    )
    assert int(rv) >= int(before)
