"""engine/workqueue.KeyQueue against the dict-as-ordered-set it replaces (its cost is
benchmarks/engine_scale.py's to show)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.workqueue import KeyQueue

OPS = st.lists(
    st.tuples(st.sampled_from(["add", "discard", "pop"]), st.integers(min_value=0, max_value=6)),
    max_size=80,
)


@given(OPS)
def test_key_queue_takes_keys_out_as_an_ordered_dict_would(ops: list[tuple[str, int]]) -> None:
    # client-go's workqueue: a key added while it waits keeps its place (it is "dirty", not
    # queued twice); a key taken out and added again goes to the back.
    queue: KeyQueue[int] = KeyQueue()
    reference: dict[int, None] = {}
    for op, key in ops:
        if op == "add":
            queue.add(key)
            reference[key] = None
        elif op == "discard":
            queue.discard(key)
            reference.pop(key, None)
        elif reference:
            expected = next(iter(reference))
            del reference[expected]
            assert queue.pop() == expected
        assert len(queue) == len(reference)
        assert bool(queue) == bool(reference)
        assert all(k in queue for k in reference)
    assert [queue.pop() for _ in range(len(queue))] == list(reference)


def test_key_queue_pop_from_an_empty_queue_raises_index_error() -> None:
    queue: KeyQueue[str] = KeyQueue()
    queue.add("a")
    queue.discard("a")
    try:
        queue.pop()
    except IndexError:
        return
    raise AssertionError("pop() of an empty queue returned")

