"""The sorted key index under creations and deletions: after any sequence of them, a read
gives exactly the keys stored, in the order the API server lists them (by key, as etcd's
range read and the watch cache's B-tree: k8s.io/apiserver/pkg/storage/etcd3/store.go
GetList), and a list handed out earlier is never changed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rest.keys import KeyIndex


class _Store:
    """The two reads KeyIndex makes of the engine's store."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict] = {}

    def iter(self, kind: str):
        return iter(self.objects.values())

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self.objects.get((namespace, name))


_KEYS = st.tuples(
    st.sampled_from(["", "default", "kube-system", "team-a"]),
    st.text("abc-0", min_size=1, max_size=4),
)
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("create"), _KEYS),
        st.tuples(st.just("delete"), _KEYS),
        st.tuples(st.just("read"), st.none()),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(initial=st.lists(_KEYS, max_size=30), steps=_STEPS)
def test_the_key_index_lists_exactly_the_stored_keys_in_key_order(initial, steps):
    store = _Store()
    for namespace, name in initial:
        store.objects[(namespace, name)] = {"metadata": {"namespace": namespace, "name": name}}
    index = KeyIndex(store)  # type: ignore[arg-type]
    handed_out: list[tuple[list, list]] = [(keys := index.sorted("Pod"), list(keys))]
    for action, key in [*steps, ("read", None)]:
        if action == "read":
            keys = index.sorted("Pod")
            assert keys == sorted(store.objects)
            handed_out.append((keys, list(keys)))
        elif action == "create" and key not in store.objects:
            store.objects[key] = {"metadata": {"namespace": key[0], "name": key[1]}}
            index.changed("Pod", key, "ADDED")
        elif action == "delete" and key in store.objects:
            del store.objects[key]
            index.changed("Pod", key, "DELETED")
    for keys, copy in handed_out:
        assert keys == copy  # a reader may keep what it was given
