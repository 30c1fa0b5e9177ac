"""Pods' dicts share key tables, never values (engine/api/compact.py): no write to one pod
reaches another, the copy the API server makes is copy_object's, and it is smaller."""

from __future__ import annotations

import copy
import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.api import errors
from engine.api.compact import copy_pod
from engine.api.copying import copy_object
from engine.api.core.admission_plugins import TOKEN_SOURCES
from tests.engine.simulation import cluster_with

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports: [{containerPort: 80}]
        resources:
          requests: {cpu: 100m}
        readinessProbe:
          httpGet: {path: /, port: 80}
          periodSeconds: 5
"""


def _web_pods(cluster) -> list[dict]:
    return sorted(
        (p for p in cluster.store.iter("Pod") if p["metadata"]["labels"].get("app") == "web"),
        key=lambda p: p["metadata"]["name"],
    )


def test_a_write_to_one_pods_container_leaves_its_sibling_unchanged() -> None:
    cluster = cluster_with(DEPLOYMENT)
    cluster.run_until(30)
    first, second = _web_pods(cluster)
    sibling = json.dumps(second)
    replica_set = json.dumps(cluster.store.list("ReplicaSet"))
    # In place on the stored pod, as the engine's own writers change a live object.
    live = cluster.store.get("Pod", "default", first["metadata"]["name"])
    container = live["spec"]["containers"][0]
    container["ports"][0]["name"] = "http"
    container["resources"]["requests"]["cpu"] = "200m"
    container["readinessProbe"]["httpGet"]["path"] = "/healthz"
    container["readinessProbe"]["periodSeconds"] = 7
    live["spec"]["tolerations"].append({"key": "k", "operator": "Exists"})
    live["metadata"]["labels"]["tier"] = "front"
    cluster.store.modified(live)
    assert json.dumps(cluster.store.get("Pod", "default", second["metadata"]["name"])) == sibling
    # Then through the API server, as `kubectl patch` / `kubectl edit` of a pod's image does.
    updated = copy.deepcopy(live)
    updated["spec"]["containers"][0]["image"] = "nginx:1.28"
    cluster.api.update(updated)
    cluster.run_until(40)
    patched = cluster.store.get("Pod", "default", first["metadata"]["name"])
    assert patched["spec"]["containers"][0]["image"] == "nginx:1.28"
    # The update's copy is compact too (an updated pod is no larger than a created one).
    assert sys.getsizeof(patched["spec"]) < sys.getsizeof(copy_object(patched["spec"]))
    assert json.dumps(cluster.store.get("Pod", "default", second["metadata"]["name"])) == sibling
    assert json.dumps(cluster.store.list("ReplicaSet")) == replica_set


def test_a_write_to_a_new_pods_manifest_after_create_reaches_no_stored_pod() -> None:
    # The API server copies what it is given: the caller's dict stays the caller's.
    cluster = cluster_with(DEPLOYMENT)
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "solo", "labels": {"app": "solo"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }
    stored = cluster.api.create(manifest).obj
    manifest["spec"]["containers"][0]["image"] = "busybox"
    manifest["metadata"]["labels"]["app"] = "other"
    assert stored["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert stored["metadata"]["labels"] == {"app": "solo"}


def test_pods_share_only_the_constants_meant_to_be_shared() -> None:
    cluster = cluster_with(DEPLOYMENT)
    cluster.run_until(30)
    first, second = _web_pods(cluster)

    def containers_of(pod: dict) -> dict[int, str]:
        found: dict[int, str] = {}

        def walk(value, path: str) -> None:
            if type(value) in (dict, list):
                found[id(value)] = path
                items = value.items() if type(value) is dict else enumerate(value)
                for key, item in items:
                    walk(item, f"{path}.{key}")

        walk(pod, "")
        return found

    ours, theirs = containers_of(first), containers_of(second)
    shared = sorted(ours[i] for i in set(ours) & set(theirs))
    # The token volume's sources and the two default tolerations (admission's constants);
    # the status conditions the kubelet shares (engine/kubelet/conditions.py).
    assert first["spec"]["volumes"][0]["projected"]["sources"] is TOKEN_SOURCES
    allowed = (".spec.volumes.0.projected.sources", ".spec.tolerations.", ".status.conditions.")
    assert shared and all(path.startswith(allowed) for path in shared), shared


def test_a_stored_pods_dicts_are_smaller_than_ordinary_dicts() -> None:
    # The point of it all; keys written after create (uid and resourceVersion by the store,
    # nodeName by the binding) keep the dicts compact.
    cluster = cluster_with(DEPLOYMENT)
    cluster.run_until(30)
    pod = _web_pods(cluster)[0]
    assert pod["spec"]["nodeName"] and pod["metadata"]["uid"]
    container = pod["spec"]["containers"][0]
    for part in (pod, pod["metadata"], pod["spec"], container, container["ports"][0]):
        assert sys.getsizeof(part) < sys.getsizeof(copy_object(part)), list(part)


def test_a_pod_field_named_like_a_python_attribute_is_an_unknown_field() -> None:
    # The compact copy lays a class's keys out through a dict, never setattr: "__class__"
    # is one more unknown field for strict decoding (400), not a crash of the copy.
    cluster = cluster_with(DEPLOYMENT)
    for key in ("__class__", "__dict__", "__weakref__"):
        manifest = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "odd", "labels": {key: "x"}},
            "spec": {"containers": [{"name": "app", "image": "nginx", key: 1}], key: {}},
        }
        with pytest.raises(errors.APIError) as refused:
            cluster.api.create(manifest)
        assert refused.value.code == 400 and key in refused.value.message


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["a", "b", "spec", "metadata", "ports", "x.y/z", "", "__class__", "__dict__"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(body=_json, alias=st.booleans())
def test_copy_pod_is_copy_object(body, alias: bool) -> None:
    # Same values, same key order, same sharing within the object (YAML anchors), no part
    # of the original in the copy.
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}
    if alias:
        pod["status"] = body
    fast, slow = copy_pod(pod), copy_object(pod)
    assert json.dumps(fast) == json.dumps(slow)
    assert (fast.get("status") is fast["spec"]) == (slow.get("status") is slow["spec"])
    if isinstance(body, dict | list) and body:
        assert fast["spec"] is not body
