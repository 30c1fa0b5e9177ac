"""get and list: Tables from the engine's printers, selectors, limit/continue."""

from __future__ import annotations

import pytest

from engine.printers import printer_for
from tests.rest.helpers import TABLE, client_with


@pytest.fixture(scope="module")
def client():
    return client_with(until=20)


def test_get_pods_as_table_has_the_printer_columns_with_wide_ones_at_priority_1(client):
    # kubectl get asks for a Table; without one it prints only NAME and AGE.
    response = client.get("/api/v1/namespaces/default/pods", accept=TABLE)
    assert response.content_type == "application/json;as=Table;v=v1;g=meta.k8s.io"
    table = response.json()
    assert table["kind"] == "Table"
    printer = printer_for("Pod")
    columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert columns == [(c.name, c.priority) for c in printer.columns]
    assert ("NODE", 1) in columns and ("STATUS", 0) in columns
    pods = client.cluster.store.list("Pod", "default")
    assert [row["cells"] for row in table["rows"]] == [
        printer.row(p, client.cluster.now_datetime()) for p in pods
    ]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["rows"][0]["object"]["metadata"]["name"] == pods[0]["metadata"]["name"]


def test_a_single_object_as_table_is_one_row(client):
    table = client.get("/api/v1/nodes/node-1", accept=TABLE).json()
    assert [row["cells"][0] for row in table["rows"]] == ["node-1"]


def test_list_answers_a_typed_list_with_the_store_resource_version(client):
    body = client.get("/api/v1/namespaces/default/pods").json()
    assert body["kind"] == "PodList"
    assert body["metadata"]["resourceVersion"] == str(client.cluster.store.resource_version)
    assert len(body["items"]) == 3


def test_list_across_namespaces(client):
    body = client.get("/api/v1/pods").json()
    assert {p["metadata"]["namespace"] for p in body["items"]} == {"default"}
    assert len(client.get("/api/v1/namespaces").json()["items"]) == 4


def test_label_selector(client):
    body = client.get(
        "/api/v1/namespaces/default/pods", query={"labelSelector": "app=web,tier in (front)"}
    ).json()
    assert len(body["items"]) == 2
    body = client.get("/api/v1/namespaces/default/pods", query={"labelSelector": "app!=web"}).json()
    assert [p["metadata"]["name"] for p in body["items"]] == ["two"]


def test_field_selector_on_node_name_and_phase_with_not_equal(client):
    # kubectl describe node: spec.nodeName=N,status.phase!=Succeeded,status.phase!=Failed
    # (pkg/registry/core/pod/strategy.go ToSelectableFields).
    pod = client.cluster.store.get("Pod", "default", "two")
    node = pod["spec"]["nodeName"]
    selector = f"spec.nodeName={node},status.phase!=Succeeded,status.phase!=Failed"
    body = client.get("/api/v1/pods", query={"fieldSelector": selector}).json()
    assert "two" in [p["metadata"]["name"] for p in body["items"]]
    assert all(p["spec"]["nodeName"] == node for p in body["items"])
    body = client.get("/api/v1/pods", query={"fieldSelector": "status.phase!=Running"}).json()
    assert body["items"] == []


def test_field_selector_on_events_involved_object(client):
    pod = client.cluster.store.get("Pod", "default", "two")
    uid = pod["metadata"]["uid"]
    selector = f"involvedObject.uid={uid},involvedObject.name=two,involvedObject.namespace=default"
    body = client.get("/api/v1/namespaces/default/events", query={"fieldSelector": selector}).json()
    assert body["items"]
    assert {e["involvedObject"]["name"] for e in body["items"]} == {"two"}


def test_unsupported_field_label_is_a_400(client):
    response = client.get("/api/v1/pods", query={"fieldSelector": "spec.hostname=x"})
    assert response.status == 400
    assert response.json()["message"] == "field label not supported: spec.hostname"


def test_limit_and_continue_page_through_a_list(client):
    first = client.get("/api/v1/namespaces/default/pods", query={"limit": "2"}).json()
    assert len(first["items"]) == 2
    token = first["metadata"]["continue"]
    assert first["metadata"]["remainingItemCount"] == 1
    second = client.get(
        "/api/v1/namespaces/default/pods", query={"limit": "2", "continue": token}
    ).json()
    names = [p["metadata"]["name"] for p in first["items"] + second["items"]]
    assert names == sorted(names) and len(set(names)) == 3
    assert "continue" not in second["metadata"]


def test_get_of_a_missing_object_is_a_not_found_status(client):
    response = client.get("/api/v1/namespaces/default/pods/nope")
    assert response.status == 404
    body = response.json()
    assert (body["kind"], body["reason"], body["message"]) == (
        "Status",
        "NotFound",
        'pods "nope" not found',
    )


def test_objects_are_answered_in_the_group_version_asked_for(client):
    body = client.get("/apis/extensions/v1beta1/namespaces/default/deployments/web")
    assert body.json()["apiVersion"] == "extensions/v1beta1"
    assert body.warnings == [
        "extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment"
    ]
    assert client.get("/apis/apps/v1/namespaces/default/deployments/web").warnings == []


def test_unknown_paths_are_404(client):
    assert client.get("/api/v1/namespaces/default/widgets").status == 404
    assert client.get("/api/v1/namespaces/default/pods/two/exec").status == 404


def test_an_unexpected_failure_is_a_500_status_not_a_crash(client, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("spec")

    monkeypatch.setattr(client.facade.resources, "get", broken)
    response = client.get("/api/v1/nodes/node-1")
    assert response.status == 500
    assert response.json()["reason"] == "InternalError"
    assert response.json()["message"] == "KeyError: 'spec'"


def test_a_verb_the_resource_does_not_serve_is_405(client):
    assert client.request("PUT", "/api/v1/namespaces/default/pods", {}).status == 405
    review = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    assert client.get(review).status == 405


def test_a_node_name_field_selector_lists_what_a_scan_of_every_pod_lists(client):
    # kubectl drain lists `fieldSelector=spec.nodeName=NODE` in every namespace, a page at a
    # time; the API server answers from its index on the field (pkg/registry/core/pod/
    # strategy.go NodeNameIndexFunc) what filtering every pod would answer, in list order.
    store = client.cluster.store
    nodes = sorted({p["spec"].get("nodeName") for p in store.list("Pod")} - {None})
    assert nodes
    for node in nodes:
        scan = [
            p["metadata"]["name"] for p in store.list("Pod") if p["spec"].get("nodeName") == node
        ]
        body = client.get("/api/v1/pods", query={"fieldSelector": f"spec.nodeName={node}"}).json()
        assert [p["metadata"]["name"] for p in body["items"]] == scan
        paged, token = [], ""
        while True:
            query = {"fieldSelector": f"spec.nodeName={node}", "limit": "1"}
            if token:
                query["continue"] = token
            page = client.get("/api/v1/namespaces/default/pods", query=query).json()
            paged += [p["metadata"]["name"] for p in page["items"]]
            token = page["metadata"].get("continue", "")
            if not token:
                break
        assert paged == scan
    # Unscheduled pods have no node in the index: `spec.nodeName=` still scans.
    body = client.get("/api/v1/pods", query={"fieldSelector": "spec.nodeName="}).json()
    assert [p["metadata"]["name"] for p in body["items"]] == [
        p["metadata"]["name"] for p in store.list("Pod") if not p["spec"].get("nodeName")
    ]
