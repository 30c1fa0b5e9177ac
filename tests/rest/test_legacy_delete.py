"""A DELETE through a legacy apps group with no propagationPolicy orphans the dependents.

Upstream: DefaultGarbageCollectionPolicy in pkg/registry/apps/deployment/strategy.go (and
replicaset, daemonset, statefulset) returns OrphanDependents when the request's
group/version is extensions/v1beta1, apps/v1beta1 or apps/v1beta2.
"""

from __future__ import annotations

from tests.rest.helpers import client_with


def replica_sets(client) -> list[dict]:
    return client.cluster.store.list("ReplicaSet", "default")


def test_a_delete_through_extensions_v1beta1_naming_no_policy_orphans() -> None:
    client = client_with()
    response = client.request("DELETE", "/apis/extensions/v1beta1/namespaces/default/deployments/web")
    assert response.status in (200, 202)
    client.cluster.run_until(12)
    assert client.cluster.store.get("Deployment", "default", "web") is None
    (rs,) = replica_sets(client)
    assert "ownerReferences" not in rs["metadata"]


def test_the_same_delete_through_apps_v1_cascades() -> None:
    client = client_with()
    client.request("DELETE", "/apis/apps/v1/namespaces/default/deployments/web")
    client.cluster.run_until(12)
    assert replica_sets(client) == []
