"""Shortcuts on the API server's create path and in the store, each against what it spares."""

from __future__ import annotations

import random
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.api.core.admission_plugins import RAND_ALPHABET, random_suffix
from engine.clock import Clock
from engine.security.psa.admission import policy_from_labels
from engine.store import Store
from tests.engine.simulation import cluster_with


def test_random_suffix_draws_what_random_choice_draws() -> None:
    # utilrand.String's letters, as rng.choice picked them: same letters, same state after.
    for seed in range(100):
        fast, slow = random.Random(seed), random.Random(seed)
        for length in (1, 5, 10):
            assert random_suffix(fast, length) == "".join(
                slow.choice(RAND_ALPHABET) for _ in range(length)
            )
        assert fast.getstate() == slow.getstate()


def test_new_uid_is_the_version_4_uuid_of_the_same_bits() -> None:
    store = Store(Clock(), random.Random(7))
    bits = random.Random(7)
    for _ in range(1000):
        assert store.new_uid() == str(uuid.UUID(int=bits.getrandbits(128), version=4))


@settings(max_examples=200, deadline=None)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["add", "remove", "replace"]),
            st.sampled_from(["default", "web", "kube-system"]),
            st.sampled_from(["a", "b", "c", "d"]),
        ),
        max_size=30,
    ),
    index_first=st.booleans(),
)
def test_in_namespace_is_iter_filtered_by_namespace(ops, index_first) -> None:  # type: ignore[no-untyped-def]
    store = Store(Clock(), random.Random(0))
    if index_first:
        store.index_namespaces("Service")
    for op, namespace, name in ops:
        live = store.get("Service", namespace, name)
        obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace}}
        if op == "add" and live is None:
            store.add(obj)
        elif op == "remove" and live is not None:
            store.remove("Service", namespace, name)
        elif op == "replace" and live is not None:
            store.replace(obj)
    if not index_first:
        store.index_namespaces("Service")
    for namespace in ("default", "web", "kube-system", "other"):
        expected = [s for s in store.iter("Service") if s["metadata"]["namespace"] == namespace]
        got = store.in_namespace("Service", namespace)
        assert [id(s) for s in got] == [id(s) for s in expected]
        listed = [s for s in store.list("Service") if s["metadata"]["namespace"] == namespace]
        assert [id(s) for s in store.list("Service", namespace)] == [id(s) for s in listed]
        # A kind without the index gives the same by a scan.
        assert store.in_namespace("ConfigMap", namespace) == []


@given(
    labels=st.dictionaries(
        st.sampled_from(
            [
                "app",
                "kubernetes.io/metadata.name",
                "pod-security.kubernetes.io/enforce",
                "pod-security.kubernetes.io/warn-version",
                "pod-security.kubernetes.io/audit",
            ]
        ),
        st.sampled_from(["baseline", "restricted", "privileged", "latest", "v1.25", "bad"]),
    )
)
def test_the_policy_of_a_namespace_is_what_its_labels_say(labels) -> None:  # type: ignore[no-untyped-def]
    # PodSecurity admission skips parsing a namespace with no pod-security label at all.
    plugin = _CLUSTER.api.admission.get("PodSecurity")
    namespace = _CLUSTER.store.get("Namespace", "", "default")
    namespace["metadata"]["labels"] = labels  # type: ignore[index]  (as stored, valid or not)
    assert plugin.namespace_policy("default") == policy_from_labels(labels)[0]  # type: ignore[union-attr]


_CLUSTER = cluster_with("")
