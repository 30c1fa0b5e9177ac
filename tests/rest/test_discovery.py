"""Discovery, /version and OpenAPI, as kubectl 1.32 reads them."""

from __future__ import annotations

import pytest

from engine.api import kinds
from engine.api.kinds import KindInfo
from tests.rest.helpers import AGGREGATED, client_with


@pytest.fixture(scope="module")
def client():
    return client_with(until=1)


def _aggregated_resources(client, path: str) -> dict[tuple[str, str, str], dict]:
    response = client.get(path, accept=AGGREGATED)
    assert response.status == 200
    assert (
        response.content_type
        == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )
    out = {}
    for group in response.json()["items"]:
        for version in group["versions"]:
            for resource in version["resources"]:
                out[(group["metadata"]["name"], version["version"], resource["resource"])] = (
                    resource
                )
    return out


def test_version_reports_a_1_32_server_so_the_kubectl_dispatcher_picks_1_32(client):
    # The installed kubectl picks kubectl.1.NN by the server's /version.
    body = client.get("/version", token=None).json()
    assert body["major"] == "1" and body["minor"] == "32"
    assert body["gitVersion"].startswith("v1.32.")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/livez"])
def test_health_endpoints_answer_ok(client, path):
    response = client.get(path)
    assert (response.status, response.body) == (200, b"ok")


def test_aggregated_discovery_lists_core_kinds_with_verbs_short_names_categories_and_subresources(
    client,
):
    resources = _aggregated_resources(client, "/api")
    pods = resources[("", "v1", "pods")]
    assert pods["shortNames"] == ["po"]
    assert pods["categories"] == ["all"]
    assert pods["scope"] == "Namespaced"
    assert set(pods["verbs"]) >= {"get", "list", "watch", "create", "update", "patch", "delete"}
    subresources = {s["subresource"]: s for s in pods["subresources"]}
    assert subresources["eviction"]["responseKind"] == {
        "group": "policy",
        "version": "v1",
        "kind": "Eviction",
    }
    assert subresources["log"]["verbs"] == ["get"]
    assert resources[("", "v1", "nodes")]["scope"] == "Cluster"


def test_deployments_have_a_scale_subresource_of_autoscaling_v1(client):
    resources = _aggregated_resources(client, "/apis")
    scale = next(
        s
        for s in resources[("apps", "v1", "deployments")]["subresources"]
        if s["subresource"] == "scale"
    )
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def test_psp_short_name_is_on_one_group_version_only(client):
    # kubectl warns `short name "psp" could also match lower priority resource` when two
    # group-versions claim it (k8s.io/client-go/restmapper/shortcut.go).
    resources = _aggregated_resources(client, "/apis")
    claiming = [key for key, r in resources.items() if "psp" in r.get("shortNames", [])]
    assert claiming == [("policy", "v1beta1", "podsecuritypolicies")]
    legacy = resources[("extensions", "v1beta1", "podsecuritypolicies")]
    assert "shortNames" not in legacy


def test_legacy_group_versions_are_served_for_deprecated_api_versions(client):
    resources = _aggregated_resources(client, "/apis")
    assert ("extensions", "v1beta1", "deployments") in resources
    assert ("apps", "v1beta2", "deployments") in resources
    assert "categories" not in resources[("extensions", "v1beta1", "deployments")]


def test_apps_comes_before_extensions_so_deployments_resolve_to_apps(client):
    groups = [g["name"] for g in client.get("/apis").json()["groups"]]
    assert groups.index("apps") < groups.index("extensions")
    policy = next(g for g in client.get("/apis").json()["groups"] if g["name"] == "policy")
    assert policy["preferredVersion"]["version"] == "v1"


def test_legacy_discovery_documents(client):
    api = client.get("/api").json()
    assert api["versions"] == ["v1"]
    v1 = client.get("/api/v1").json()
    names = {r["name"] for r in v1["resources"]}
    assert {"pods", "pods/log", "pods/eviction", "pods/status", "nodes", "events"} <= names
    eviction = next(r for r in v1["resources"] if r["name"] == "pods/eviction")
    assert (eviction["group"], eviction["version"], eviction["kind"]) == (
        "policy",
        "v1",
        "Eviction",
    )
    apps = client.get("/apis/apps/v1").json()
    assert apps["groupVersion"] == "apps/v1"
    assert client.get("/apis/apps").json()["preferredVersion"]["groupVersion"] == "apps/v1"
    assert client.get("/apis/nope/v1").status == 404


def test_a_kind_registered_later_is_discovered_without_change(client):
    # Feature packages (Services, ...) register kinds; discovery follows the registry.
    info = KindInfo("Widget", "example.podtui.dev", ("v1",), "widgets", short_names=("wd",))
    saved = dict(kinds._KINDS), dict(kinds._API_VERSIONS)
    kinds.register_kind(info)
    try:
        resources = _aggregated_resources(client, "/apis")
        assert resources[("example.podtui.dev", "v1", "widgets")]["shortNames"] == ["wd"]
        assert client.get("/apis/example.podtui.dev/v1/namespaces/default/widgets").status == 200
    finally:
        kinds._KINDS.clear()
        kinds._KINDS.update(saved[0])
        kinds._API_VERSIONS.clear()
        kinds._API_VERSIONS.update(saved[1])


def test_openapi_v3_patch_operations_name_their_kind_and_take_field_validation(client):
    # kubectl's queryParamVerifierV3 needs both to send fieldValidation=Strict; without an
    # OpenAPI document `create` and `apply` refuse to run.
    root = client.get("/openapi/v3").json()
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    document = client.get("/openapi/v3/apis/apps/v1").json()
    patch = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "apps",
        "version": "v1",
        "kind": "Deployment",
    }
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]
    schemas = document["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert {"group": "apps", "version": "v1", "kind": "Deployment"} in deployment[
        "x-kubernetes-group-version-kind"
    ]
    assert "io.k8s.api.core.v1.Container" in schemas  # explain walks into the pod template


def test_openapi_v2_is_not_served(client):
    # kubectl's client-side apply tolerates a 404 here (compiled-in types instead).
    assert client.get("/openapi/v2").status == 404
