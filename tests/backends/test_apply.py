"""Client-side `kubectl apply` over the network against the served cluster: created,
unchanged, configured, removals, and the same result as the engine's own apply."""

from __future__ import annotations

import copy

from engine.apply import LAST_APPLIED, apply_object
from podtui.backends.engine import EngineBackend
from podtui.backends.kube.apply import apply_patch_for, modified_configuration
from podtui.backends.kube.apply_patch import (
    three_way_json_merge_patch,
    three_way_strategic_patch,
)
from podtui.backends.kube.client import MERGE_PATCH, STRATEGIC_MERGE_PATCH
from tests.engine.simulation import cluster_with

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "labels": {"app": "api", "tier": "backend"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "api"}},
        "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {
                "containers": [
                    {
                        "name": "api",
                        "image": "nginx:1.27",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "ports": [{"containerPort": 80}],
                    }
                ]
            },
        },
    },
}

CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "default"},
    "data": {"a": "1", "b": "2"},
}


def _comparable(obj: dict) -> dict:
    """What an apply decides: spec, data, labels and annotations (not the server's
    bookkeeping: resourceVersion, managedFields, uid, timestamps)."""
    meta = obj["metadata"]
    return {
        "labels": meta.get("labels"),
        "annotations": meta.get("annotations"),
        "spec": obj.get("spec"),
        "data": obj.get("data"),
    }


async def test_client_side_apply_creates_then_is_unchanged(served):
    # kubectl apply.go applyOneObject: GET 404 -> POST with the annotation ("created");
    # an empty three-way patch is not sent ("unchanged").
    cluster, _server, backend = served
    first = await backend.apply(copy.deepcopy(CONFIG_MAP))
    assert (first.lines, first.errors) == (["configmap/settings created"], [])
    live = cluster.store.get("ConfigMap", "default", "settings")
    assert (
        live["metadata"]["annotations"][LAST_APPLIED]
        == modified_configuration(CONFIG_MAP)["metadata"]["annotations"][LAST_APPLIED]
    )
    version = live["metadata"]["resourceVersion"]
    again = await backend.apply(copy.deepcopy(CONFIG_MAP))
    assert (again.lines, again.errors) == (["configmap/settings unchanged"], [])
    assert (
        cluster.store.get("ConfigMap", "default", "settings")["metadata"]["resourceVersion"]
        == version
    )


async def test_client_side_apply_of_a_change_is_configured(served):
    cluster, _server, backend = served
    await backend.apply(copy.deepcopy(DEPLOYMENT))
    changed = copy.deepcopy(DEPLOYMENT)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    result = await backend.apply(changed)
    assert (result.lines, result.errors) == (["deployment.apps/api configured"], [])
    live = cluster.store.get("Deployment", "default", "api")
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"


async def test_a_field_removed_from_the_manifest_is_removed_live(served):
    # strategicpatch CreateThreeWayMergePatch: deletions come from last-applied vs new.
    cluster, _server, backend = served
    await backend.apply(copy.deepcopy(DEPLOYMENT))
    await backend.apply(copy.deepcopy(CONFIG_MAP))
    smaller = copy.deepcopy(DEPLOYMENT)
    del smaller["metadata"]["labels"]["tier"]
    smaller["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    assert (await backend.apply(smaller)).lines == ["deployment.apps/api configured"]
    live = cluster.store.get("Deployment", "default", "api")
    assert live["metadata"]["labels"] == {"app": "api"}
    assert live["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]
    fewer = copy.deepcopy(CONFIG_MAP)
    del fewer["data"]["b"]
    assert (await backend.apply(fewer)).lines == ["configmap/settings configured"]
    assert cluster.store.get("ConfigMap", "default", "settings")["data"] == {"a": "1"}


async def test_a_field_the_server_added_is_kept(served):
    # Three-way: what neither the last applied configuration nor the manifest names (the
    # server's defaults, another writer's label) stays.
    cluster, _server, backend = served
    await backend.apply(copy.deepcopy(DEPLOYMENT))
    live = cluster.store.get("Deployment", "default", "api")
    assert live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP"
    edited = copy.deepcopy(live)
    edited["metadata"]["labels"]["owner"] = "team-a"
    cluster.api.update(edited)
    changed = copy.deepcopy(DEPLOYMENT)
    changed["spec"]["replicas"] = 2
    assert (await backend.apply(changed)).lines == ["deployment.apps/api configured"]
    live = cluster.store.get("Deployment", "default", "api")
    assert live["metadata"]["labels"]["owner"] == "team-a"
    assert live["spec"]["replicas"] == 2
    assert live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP"


async def test_client_side_apply_over_the_network_equals_the_engines_apply(served):
    cluster, _server, backend = served
    twin = cluster_with("")
    steps = [copy.deepcopy(DEPLOYMENT)]
    second = copy.deepcopy(DEPLOYMENT)
    second["metadata"]["labels"].pop("tier")
    container = second["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "nginx:1.28"
    container["env"] = [{"name": "C", "value": "3"}, {"name": "A", "value": "0"}]
    second["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox"})
    steps.append(second)
    third = copy.deepcopy(second)
    third["spec"]["template"]["spec"]["containers"] = [container]
    third["spec"]["strategy"] = {"type": "Recreate"}
    steps.append(third)
    for manifest in steps:
        network = await backend.apply(copy.deepcopy(manifest))
        local = apply_object(twin, copy.deepcopy(manifest))
        assert network.errors == [] and local.ok, (network.errors, local.error_line())
        assert network.lines == [local.line()]
        assert _comparable(cluster.store.get("Deployment", "default", "api")) == _comparable(
            twin.store.get("Deployment", "default", "api")
        )


async def test_server_side_apply_stays_an_option(served):
    cluster, _server, backend = served
    config_map = copy.deepcopy(CONFIG_MAP)
    result = await backend.apply(config_map, server_side=True)
    assert result.lines == ["configmap/settings serverside-applied"]
    config_map["data"] = {"a": "2"}
    assert (await backend.apply(config_map, server_side=True)).lines == [
        "configmap/settings serverside-applied"
    ]
    live = cluster.store.get("ConfigMap", "default", "settings")
    assert live["data"] == {"a": "2"}
    assert LAST_APPLIED not in (live["metadata"].get("annotations") or {})


async def test_a_kind_kubectl_has_no_go_type_for_gets_a_json_merge_patch(served):
    # patcher.go patchSimple: not in kubectl's scheme (PodSecurityPolicy left it in 1.25)
    # -> buildMergePatch, CreateThreeWayJSONMergePatch.
    cluster, _server, backend = served
    psp = {
        "apiVersion": "policy/v1beta1",
        "kind": "PodSecurityPolicy",
        "metadata": {"name": "permissive", "labels": {"a": "1", "b": "2"}},
        "spec": {
            "privileged": True,
            "seLinux": {"rule": "RunAsAny"},
            "supplementalGroups": {"rule": "RunAsAny"},
            "runAsUser": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"},
            "volumes": ["*"],
        },
    }
    assert (await backend.apply(copy.deepcopy(psp))).lines[-1] == (
        "podsecuritypolicy.policy/permissive created"
    )
    psp["spec"]["privileged"] = False
    del psp["metadata"]["labels"]["b"]
    live = cluster.store.get("PodSecurityPolicy", "", "permissive")
    content_type, patch = apply_patch_for(live, modified_configuration(psp))
    assert content_type == MERGE_PATCH
    assert patch["metadata"]["labels"] == {"b": None}
    assert (await backend.apply(copy.deepcopy(psp))).lines[-1] == (
        "podsecuritypolicy.policy/permissive configured"
    )
    live = cluster.store.get("PodSecurityPolicy", "", "permissive")
    assert live["spec"]["privileged"] is False
    assert live["metadata"]["labels"] == {"a": "1"}


def test_the_strategic_patch_names_deleted_items_and_their_order():
    # strategicpatch diffLists: a removed env item is `$patch: delete`, with the
    # `$setElementOrder/env` of the manifest; a changed container carries its merge key.
    original = {
        "spec": {
            "containers": [
                {
                    "name": "a",
                    "image": "x",
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                }
            ]
        }
    }
    modified = {
        "spec": {"containers": [{"name": "a", "image": "y", "env": [{"name": "A", "value": "1"}]}]}
    }
    current = copy.deepcopy(original)
    current["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    patch = three_way_strategic_patch(original, modified, current)
    assert patch == {
        "spec": {
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [
                {
                    "name": "a",
                    "image": "y",
                    "$setElementOrder/env": [{"name": "A"}],
                    "env": [{"name": "B", "$patch": "delete"}],
                }
            ],
        }
    }
    assert three_way_strategic_patch(modified, modified, current | {}) != {}
    assert three_way_strategic_patch(original, original, current) == {}


def test_the_strategic_patch_retains_keys_and_deletes_from_primitive_lists():
    # Deployment strategy is `retainKeys`; finalizers merge as a list of strings.
    original = {
        "metadata": {"finalizers": ["a", "b"]},
        "spec": {"strategy": {"type": "RollingUpdate"}},
    }
    modified = {"metadata": {"finalizers": ["a"]}, "spec": {"strategy": {"type": "Recreate"}}}
    current = {
        "metadata": {"finalizers": ["a", "b"]},
        "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}},
    }
    patch = three_way_strategic_patch(original, modified, current)
    assert patch == {
        "metadata": {
            "$deleteFromPrimitiveList/finalizers": ["b"],
            "$setElementOrder/finalizers": ["a"],
        },
        "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}},
    }


def test_the_json_merge_patch_keeps_changes_and_last_applied_deletions():
    original = {"metadata": {"labels": {"a": "1", "b": "2"}}}
    modified = {"metadata": {"labels": {"a": "3"}}}
    current = {"metadata": {"labels": {"a": "1", "b": "2", "c": "server"}}}
    assert three_way_json_merge_patch(original, modified, current) == {
        "metadata": {"labels": {"a": "3", "b": None}}
    }
    assert apply_patch_for(current, modified | {"apiVersion": "v1", "kind": "ConfigMap"})[0] == (
        STRATEGIC_MERGE_PATCH
    )


def test_the_strategic_patch_is_the_one_kubectl_sends():
    # Observed with `kubectl apply -v=8` (1.32.4) against `podtui serve`: the body of the
    # PATCH for a manifest that drops a label, a container and an env var, reorders env and
    # switches the strategy (strategicpatch.CreateThreeWayMergePatch).
    original = {
        "metadata": {"labels": {"app": "api", "tier": "backend"}, "name": "api"},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "image": "nginx:1.27",
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 80}],
                        },
                        {"name": "side", "image": "busybox"},
                    ]
                }
            },
        },
    }
    current = copy.deepcopy(original)
    current["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = "25%"
    for container in current["spec"]["template"]["spec"]["containers"]:
        container["imagePullPolicy"] = "IfNotPresent"
    current["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = "TCP"
    modified = {
        "metadata": {"labels": {"app": "api"}, "name": "api"},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "Recreate"},
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "image": "nginx:1.28",
                            "env": [{"name": "C", "value": "3"}, {"name": "A", "value": "0"}],
                            "ports": [{"containerPort": 80}],
                        }
                    ]
                }
            },
        },
    }
    sent_by_kubectl = {
        "metadata": {"labels": {"tier": None}},
        "spec": {
            "replicas": 2,
            "strategy": {"$retainKeys": ["type"], "rollingUpdate": None, "type": "Recreate"},
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "api"}],
                    "containers": [
                        {
                            "$setElementOrder/env": [{"name": "C"}, {"name": "A"}],
                            "env": [
                                {"name": "C", "value": "3"},
                                {"name": "A", "value": "0"},
                                {"$patch": "delete", "name": "B"},
                            ],
                            "image": "nginx:1.28",
                            "name": "api",
                        },
                        {"$patch": "delete", "name": "side"},
                    ],
                }
            },
        },
    }
    patch = three_way_strategic_patch(original, modified, current)
    assert patch == sent_by_kubectl
    # Lists are ordered as kubectl orders them, not only equal as sets.
    containers = patch["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["api", "side"]
    assert [e["name"] for e in containers[0]["env"]] == ["C", "A", "B"]


async def test_apply_of_a_deprecated_api_version_prints_the_servers_warning(served):
    # kubectl sends a manifest to its own group-version; the API server's deprecation
    # warning comes back as a `Warning: 299` header, printed `Warning: ...` first.
    _cluster, _server, backend = served
    legacy = copy.deepcopy(DEPLOYMENT)
    legacy["apiVersion"] = "extensions/v1beta1"
    twin = cluster_with("")
    result = await backend.apply(copy.deepcopy(legacy))
    local = await EngineBackend(twin).apply(copy.deepcopy(legacy))
    assert result.errors == []
    assert result.lines == local.lines
    assert result.lines[0].startswith("Warning: extensions/v1beta1 Deployment is deprecated")
    assert result.lines[-1] == "deployment.extensions/api created"


async def test_the_engine_backend_applies_server_side_too(served):
    # In process, `apply(..., server_side=True)` is what the served PATCH
    # application/apply-patch+yaml does: manager `kubectl`, no last-applied annotation.
    cluster, _server, _backend = served
    engine = EngineBackend(cluster)
    config_map = copy.deepcopy(CONFIG_MAP)
    assert (await engine.apply(config_map, server_side=True)).lines == [
        "configmap/settings serverside-applied"
    ]
    config_map["data"] = {"a": "3"}
    assert (await engine.apply(config_map, server_side=True)).lines == [
        "configmap/settings serverside-applied"
    ]
    live = cluster.store.get("ConfigMap", "default", "settings")
    assert live["data"] == {"a": "3"}
    assert LAST_APPLIED not in (live["metadata"].get("annotations") or {})
    assert [m["manager"] for m in live["metadata"]["managedFields"]] == ["kubectl"]
