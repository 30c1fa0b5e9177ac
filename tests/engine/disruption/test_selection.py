"""The budget index answers what upstream's listings answer (getPdbForPod and getPodsForPdb
in k8s.io/kubernetes/pkg/controller/disruption/disruption.go list the namespace's budgets and
pods; the eviction registry's getPodDisruptionBudgets lists budgets), in the same order, after
any sequence of changes to pods and budgets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.clock import Clock
from engine.disruption.selection import budget_index
from engine.labels import SelectorError, parsed_label_selector
from engine.store import Store

NAMESPACES = ("default", "team")
LABELS = st.dictionaries(
    st.sampled_from(("app", "tier", "track")), st.sampled_from(("a", "b", "c")), max_size=3
)
SELECTORS = st.one_of(
    st.none(),
    st.just({}),
    st.builds(lambda labels: {"matchLabels": labels}, LABELS),
    st.builds(
        lambda key, op, values, labels: {
            "matchLabels": labels,
            "matchExpressions": [{"key": key, "operator": op, "values": values}],
        },
        st.sampled_from(("app", "tier")),
        st.sampled_from(("In", "NotIn")),
        st.lists(st.sampled_from(("a", "b", "c")), min_size=1, max_size=2),
        LABELS,
    ),
    st.builds(
        lambda key, op: {"matchExpressions": [{"key": key, "operator": op}]},
        st.sampled_from(("app", "track")),
        st.sampled_from(("Exists", "DoesNotExist", "Bogus")),
    ),
)
OPS = st.lists(
    st.tuples(
        st.sampled_from(("pod", "relabel", "delete-pod", "pdb", "delete-pdb")),
        st.sampled_from(NAMESPACES),
        st.integers(0, 5),
        LABELS,
        SELECTORS,
    ),
    max_size=40,
)


class _Cluster:
    def __init__(self) -> None:
        self.clock = Clock()
        self.store = Store(self.clock)


def listed_budgets(store: Store, namespace: str, labels: dict) -> list[dict]:
    found = []
    for pdb in store.list("PodDisruptionBudget", namespace):
        try:
            selector = parsed_label_selector(pdb["spec"].get("selector"))
        except SelectorError:
            continue
        if selector.matches(labels):
            found.append(pdb)
    return found


def listed_pods(store: Store, namespace: str, selector_spec: dict | None) -> list[dict]:
    selector = parsed_label_selector(selector_spec)
    return [p for p in store.list("Pod", namespace) if selector.matches(p["metadata"]["labels"])]


def apply(store: Store, op: tuple) -> None:
    what, namespace, number, labels, selector = op
    if what in ("pod", "relabel", "delete-pod"):
        pod = store.get("Pod", namespace, f"pod-{number}")
        if what == "delete-pod":
            if pod is not None:
                store.remove("Pod", namespace, f"pod-{number}")
        elif pod is None:
            meta = {"name": f"pod-{number}", "namespace": namespace, "labels": labels}
            store.add({"kind": "Pod", "metadata": meta, "spec": {}})
        else:
            pod["metadata"]["labels"] = labels
            store.modified(pod)
        return
    pdb = store.get("PodDisruptionBudget", namespace, f"pdb-{number}")
    if what == "delete-pdb":
        if pdb is not None:
            store.remove("PodDisruptionBudget", namespace, f"pdb-{number}")
    elif pdb is None:
        meta = {"name": f"pdb-{number}", "namespace": namespace}
        store.add({"kind": "PodDisruptionBudget", "metadata": meta, "spec": {"selector": selector}})
    else:
        pdb["spec"]["selector"] = selector
        store.modified(pdb, spec_changed=True)


def check(cluster: _Cluster) -> None:
    index = budget_index(cluster)  # type: ignore[arg-type]
    store = cluster.store
    for namespace in NAMESPACES:
        for pod in store.list("Pod", namespace):
            labels = pod["metadata"]["labels"]
            assert index.budgets_for(namespace, labels) == listed_budgets(store, namespace, labels)
        for pdb in store.list("PodDisruptionBudget", namespace):
            spec = pdb["spec"].get("selector")
            try:
                selector = parsed_label_selector(spec)
            except SelectorError:
                continue
            assert index.pods_for(namespace, selector) == listed_pods(store, namespace, spec)


@settings(max_examples=150, deadline=None)
@given(before=OPS, after=OPS)
def test_index_answers_what_listing_answers_after_any_changes(before: list, after: list) -> None:
    # `before` runs with no index (it back-fills from the store when created), `after` with it.
    cluster = _Cluster()
    for op in before:
        apply(cluster.store, op)
    check(cluster)
    for op in after:
        apply(cluster.store, op)
        check(cluster)


def test_a_budget_sync_reads_only_its_own_pods() -> None:
    cluster = _Cluster()
    index = budget_index(cluster)  # type: ignore[arg-type]
    store = cluster.store
    store.add(
        {
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}},
        }
    )
    for number in range(50):
        app = "web" if number % 10 == 0 else "other"
        meta = {"name": f"pod-{number:02d}", "namespace": "default", "labels": {"app": app}}
        store.add({"kind": "Pod", "metadata": meta, "spec": {}})
    reads: list[tuple] = []
    real_get = store.get
    store.get = lambda *key: reads.append(key) or real_get(*key)  # type: ignore[method-assign]
    pods = index.pods_for("default", parsed_label_selector({"matchLabels": {"app": "web"}}))
    assert [p["metadata"]["name"] for p in pods] == [f"pod-{n:02d}" for n in range(0, 50, 10)]
    assert len(reads) == 5


def test_pod_changes_and_budget_syncs_list_neither_pods_nor_budgets() -> None:
    # 40 budgets over 40 apps: a pod's change wakes its own budget (getPdbForPod) and the
    # sync counts that budget's pods, and neither lists a kind (that the answers are the
    # listings' is test_index_answers_what_listing_answers_after_any_changes).
    from tests.engine.disruption.harness import PdbHarness

    h = PdbHarness()
    for app in range(40):
        h.pdb(f"app-{app}", min_available=1, selector={"matchLabels": {"app": f"app-{app}"}})
    pods = [h.pod(f"pod-{n:03d}", labels={"app": f"app-{n % 40}"}) for n in range(120)]
    h.sync()
    listed: list[str] = []
    real_list = h.store.list
    h.store.list = lambda kind, *rest: listed.append(kind) or real_list(kind, *rest)  # type: ignore[method-assign]
    h.set_ready(pods[7], False)
    h.sync()
    assert listed == []
    assert h.status("app-7") == (1, 2, 1, 3)
