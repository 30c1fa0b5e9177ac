"""The pods-by-node index answers what `kubectl drain` asks the API server: the node's pods in
every namespace, `fieldSelector=spec.nodeName=NODE`, in a list's order (namespace, name)
(k8s.io/kubectl/pkg/drain/drain.go GetPodsForDeletion; the server's index on the field is
NodeNameIndexFunc in k8s.io/kubernetes/pkg/registry/core/pod/strategy.go)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.clock import Clock
from engine.disruption.node_pods import node_pod_index
from engine.store import Store

NAMESPACES = ("default", "team")
NODES = ("", "node-1", "node-2")
OPS = st.lists(
    st.tuples(
        st.sampled_from(("create", "bind", "delete", "replace")),
        st.sampled_from(NAMESPACES),
        st.integers(0, 6),
        st.sampled_from(NODES),
    ),
    max_size=40,
)


class _Cluster:
    def __init__(self) -> None:
        self.clock = Clock()
        self.store = Store(self.clock)


def apply(store: Store, op: tuple) -> None:
    what, namespace, number, node = op
    name = f"pod-{number}"
    pod = store.get("Pod", namespace, name)
    if what == "delete":
        if pod is not None:
            store.remove("Pod", namespace, name)
    elif pod is None:
        spec = {"nodeName": node} if node else {}
        store.add({"kind": "Pod", "metadata": {"name": name, "namespace": namespace}, "spec": spec})
    elif what == "replace":
        spec = {"nodeName": node} if node else {}
        store.replace({"kind": "Pod", "metadata": dict(pod["metadata"]), "spec": spec})
    else:
        pod["spec"]["nodeName"] = node
        store.modified(pod)


def listed(store: Store, node: str) -> list[dict]:
    """A list of every pod with the field selector applied, as the API server without an
    index would answer it."""
    return [p for p in store.list("Pod") if (p.get("spec") or {}).get("nodeName") == node]


@settings(max_examples=150, deadline=None)
@given(before=OPS, after=OPS)
def test_drain_lists_the_nodes_pods_in_every_namespace_in_list_order(
    before: list, after: list
) -> None:
    # `before` runs with no index (it back-fills from the store when created), `after` with it.
    cluster = _Cluster()
    for op in before:
        apply(cluster.store, op)
    index = node_pod_index(cluster)  # type: ignore[arg-type]
    for op in [None, *after]:
        if op is not None:
            apply(cluster.store, op)
        for node in NODES[1:]:
            assert index.pods_on(node) == listed(cluster.store, node)
