"""scale, eviction and log subresources."""

from __future__ import annotations

import pytest

from tests.rest.helpers import WEB, client_with

PDB = (
    WEB
    + """
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
"""
)

DEPLOYMENT = "/apis/apps/v1/namespaces/default/deployments/web"


@pytest.fixture
def client():
    return client_with(PDB, until=20)


def test_scale_get_is_an_autoscaling_v1_scale(client):
    scale = client.get(f"{DEPLOYMENT}/scale").json()
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 2, "selector": "app=web"}


def test_kubectl_scale_merge_patches_the_scale(client):
    response = client.request(
        "PATCH",
        f"{DEPLOYMENT}/scale",
        {"spec": {"replicas": 4}},
        content_type="application/merge-patch+json",
    )
    assert response.status == 200
    assert response.json()["spec"]["replicas"] == 4
    assert client.cluster.store.get("Deployment", "default", "web")["spec"]["replicas"] == 4


def _web_pod(client) -> str:
    return next(
        p["metadata"]["name"]
        for p in client.cluster.store.list("Pod", "default")
        if p["metadata"]["name"].startswith("web-")
    )


def test_eviction_refused_by_a_budget_is_429_with_its_cause(client):
    # pkg/registry/core/pod/storage/eviction.go: kubectl drain reads the 429 and retries
    # ("will retry after 5s: Cannot evict pod as it would violate the pod's disruption budget.").
    name = _web_pod(client)
    eviction = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": name, "namespace": "default"},
    }
    response = client.request("POST", f"/api/v1/namespaces/default/pods/{name}/eviction", eviction)
    assert response.status == 429
    body = response.json()
    assert body["reason"] == "TooManyRequests"
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert body["details"]["causes"][0]["reason"] == "DisruptionBudget"


def test_eviction_allowed_deletes_the_pod(client):
    client.request(
        "PATCH",
        "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web",
        {"spec": {"minAvailable": 1}},
        content_type="application/merge-patch+json",
    )
    client.cluster.run_until(client.cluster.now + 2)
    name = _web_pod(client)
    eviction = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": name, "namespace": "default"},
    }
    response = client.request("POST", f"/api/v1/namespaces/default/pods/{name}/eviction", eviction)
    assert response.status == 201
    assert client.cluster.store.get("Pod", "default", name)["metadata"]["deletionTimestamp"]


def test_log_needs_a_container_name_when_the_pod_has_several(client):
    response = client.get("/api/v1/namespaces/default/pods/two/log")
    assert response.status == 400
    assert (
        response.json()["message"]
        == "a container name must be specified for pod two, choose one of: [a b]"
    )


def test_log_of_a_container_with_tail_lines_and_timestamps(client):
    response = client.get("/api/v1/namespaces/default/pods/two/log", query={"container": "a"})
    assert (response.status, response.content_type) == (200, "text/plain")
    assert response.body == b"one\ntwo\nthree\n"
    tail = client.get(
        "/api/v1/namespaces/default/pods/two/log",
        query={"container": "a", "tailLines": "1", "timestamps": "true"},
    )
    text = tail.body.decode()
    assert text.endswith(" three\n") and text.count("\n") == 1
    assert text[:4].isdigit() and "T" in text.split(" ")[0] and text.split(" ")[0].endswith("Z")


def test_previous_log_of_a_container_that_never_restarted_is_400(client):
    response = client.get(
        "/api/v1/namespaces/default/pods/two/log", query={"container": "a", "previous": "true"}
    )
    assert response.status == 400
    assert response.json()["message"] == 'previous terminated container "a" in pod "two" not found'


def test_follow_streams_new_lines():
    client = client_with(
        """
apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  containers:
  - {name: c, image: busybox:1.36, command: [sh, -c, "while true; do echo tick; sleep 5; done"]}
""",
        until=6,
    )
    response = client.get("/api/v1/namespaces/default/pods/ticker/log", query={"follow": "true"})
    assert response.log is not None
    before = response.body.count(b"tick")
    client.cluster.run_until(client.cluster.now + 10)
    new, done = response.log.poll()
    assert len(new) == 2 and not done
    assert before >= 1
