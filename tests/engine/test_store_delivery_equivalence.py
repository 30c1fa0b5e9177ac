"""The change feed's delivery against the code it replaced, on random watcher-made writes.

Store._notify delivers a change at once when nothing is queued before it, builds Change by
its slots and makes the owed-watchers dict only when needed; ReferenceStore below is the
delivery as it was (engine/store.py before that change). Watchers that write while they
are told of a change (adding, changing and removing objects, the one they are told of
among them) must see the same changes, of the same types, in the same order, with both.
"""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.clock import Clock
from engine.store import Change, Store, _AllBut, _change


class _RefPending:
    __slots__ = ("change", "newer", "owed", "version")

    def __init__(self, change: Change) -> None:
        self.change = change
        self.version = change.obj["metadata"].get("resourceVersion")
        self.newer = None
        self.owed: dict = {}


class ReferenceStore(Store):
    """Store with the delivery code it had before (kept here verbatim as the yardstick)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self._pending = deque()

    def _notify(self, type_, kind, obj, status_only=False) -> None:  # type: ignore[no-untyped-def]
        # status_only: every watcher is told of every write here (the yardstick).
        if not self._delivering and not self._watchers_of(kind):
            return
        change = Change(type_, kind, obj)
        entry = _RefPending(change)
        key = id(change.obj)
        previous = self._latest.get(key)
        if previous is not None and previous.change.obj is change.obj:
            previous.newer = entry
        self._latest[key] = entry
        self._pending.append(entry)
        if self._delivering:
            return
        self._delivering = True
        try:
            while self._pending:
                self._deliver(self._pending.popleft())
        finally:
            self._delivering = False

    def _deliver(self, entry) -> None:  # type: ignore[no-untyped-def]
        change = entry.change
        obj = change.obj
        meta = obj["metadata"]
        watchers = self._watchers_of(change.kind)
        owed = entry.owed
        for index, watcher in enumerate(watchers):
            if entry.newer is not None and meta.get("resourceVersion") != entry.version:
                later = entry.newer
                for rest in watchers[index:]:
                    kind = owed.get(rest, change.type)
                    if kind == "ADDED" and later.change.type == "DELETED":
                        continue
                    later.owed.setdefault(rest, kind if kind == "ADDED" else later.change.type)
                return
            kind = owed.get(watcher) if owed else None
            if kind is None or kind == change.type:
                watcher(change)
            else:
                watcher(Change(kind, change.kind, obj))
        if self._latest.get(id(obj)) is entry:
            del self._latest[id(obj)]


NAMES = ("a", "b", "c")
OPS = st.tuples(st.sampled_from(["add", "modify", "remove"]), st.sampled_from(NAMES))
TRIGGER = st.tuples(
    st.integers(min_value=0, max_value=3),
    st.sampled_from(["ADDED", "MODIFIED", "DELETED"]),
    st.sampled_from(NAMES),
)


def run(store_class: type[Store], script: list, reactions: dict) -> list:
    store = store_class(Clock())
    log: list = []
    pending = {key: list(ops) for key, ops in reactions.items()}

    def apply(op: str, name: str) -> None:
        live = store.get("ConfigMap", "default", name)
        if op == "add" and live is None:
            store.add(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}}
            )
        elif op == "modify" and live is not None:
            store.modified(live)
        elif op == "remove" and live is not None:
            store.remove("ConfigMap", "default", name)

    def watcher(number: int):  # type: ignore[no-untyped-def]
        def told(change: Change) -> None:
            meta = change.obj["metadata"]
            log.append((number, change.type, meta["name"], meta["resourceVersion"]))
            # Each reaction runs once, so that a script always ends.
            for op in pending.pop((number, change.type, meta["name"]), ()):
                apply(*op)

        return told

    for number in range(4):
        store.watch(watcher(number), {"ConfigMap"} if number != 2 else None)
    for op in script:
        apply(*op)
    log.append(("end", store.resource_version))
    return log


@settings(max_examples=300, deadline=None)
@given(
    script=st.lists(OPS, min_size=1, max_size=8),
    reactions=st.dictionaries(TRIGGER, st.lists(OPS, min_size=1, max_size=3), max_size=8),
)
def test_delivery_is_what_it_was_for_any_writes_watchers_make(script, reactions) -> None:  # type: ignore[no-untyped-def]
    assert run(Store, script, reactions) == run(ReferenceStore, script, reactions)


def test_a_watcher_told_late_gets_the_added_it_never_saw() -> None:
    # The case the hand-over exists for: the first watcher changes the object it is told
    # of, so the second is told at the newer change's turn, with the ADDED's type.
    script = [("add", "a")]
    reactions = {(0, "ADDED", "a"): [("modify", "a")]}
    log = run(Store, script, reactions)
    assert log == [
        (0, "ADDED", "a", "1"),
        (0, "MODIFIED", "a", "2"),
        (1, "ADDED", "a", "2"),
        (2, "ADDED", "a", "2"),
        (3, "ADDED", "a", "2"),
        ("end", 2),
    ]
    assert log == run(ReferenceStore, script, reactions)


def test_the_change_made_by_its_slots_is_the_dataclass() -> None:
    obj: dict = {"metadata": {}}
    made = _change("MODIFIED", "Pod", obj)
    assert made == Change("MODIFIED", "Pod", obj) and repr(made) == repr(Change("MODIFIED", "Pod", obj))
    assert type(made) is Change and made.obj is obj


def test_all_but_is_still_a_frozenset() -> None:
    assert isinstance(_AllBut({"Event"}), frozenset)
