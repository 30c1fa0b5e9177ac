"""The nodes in scan order, and what each pod shape was told by each of them.

Upstream's scheduler works from a Snapshot of its node cache, updated incrementally by
node generation (pkg/scheduler/backend/cache/snapshot.go). This one also remembers, per
pod signature (engine/scheduler/filters.py `pod_signature`: two pods with the same one get
the same answer from every node), each node's answer — does it fit, and its score — in a
flat list in scan order. A node's answer changes only when the node does (a pod bound to it
or gone, its labels, taints or allocatable changed: engine/scheduler/changes.py), so
between two replicas of a template only the node the first one went to is asked again, and
a scheduling attempt reads ~500 answers of 5,000 nodes as one slice of a list.

Every answer is a pure function of the pod shape and the node: forgetting any of them (the
bounds below, a log that started over) only costs asking again, never a different choice.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Collection, Sequence
from typing import overload

from engine.scheduler import changes
from engine.scheduler.filters import NodeStatus, PodFacts, run_filters
from engine.scheduler.nodeinfo import NodeInfo
from engine.scheduler.scoring import RawScores, raw_scores

DOES_NOT_FIT = -1

ANSWERS_LIMIT = 256
"""Pod shapes remembered per snapshot: past this many, it starts over (only slower)."""

STALE_TRACKED = 64
"""Up to this many forgotten answers are tracked by position; past it a read looks for
them in the slice it takes (one pass in C over ~500 entries)."""

Answer = int | RawScores  # -1: does not fit; an int: the score; raw scores to normalise


class Answers:
    """One pod signature's answer from every node, by scan position: None (not asked
    yet), -1 (does not fit: why is in `statuses`), the node's score when nothing needs
    normalising across nodes, or its raw scores otherwise (engine/scheduler/scoring.py).

    `at` indexes the int answers: each value's positions, sorted. Once every answer is
    known and none needs normalising, a scan's window, its best score and its ties are
    counted there with a few bisections instead of reading ~500 answers
    (engine/scheduler/selection.py `_choose_indexed`)."""

    __slots__ = ("at", "raws", "read", "stale", "statuses", "unknown", "values")

    def __init__(self, size: int, read: int) -> None:
        self.values: list[Answer | None] = [None] * size
        self.statuses: dict[int, NodeStatus] = {}
        self.at: dict[int, list[int]] = {}
        self.raws = 0  # how many answers are raw scores (not in `at`)
        self.unknown = size  # how many values are None
        self.stale: list[int] | None = [] if size == 0 else None  # the None ones, if few
        self.read = read  # the node change log's position this is caught up to

    def forget(self, position: int) -> None:
        """The node at `position` changed: its answer is asked again when next needed."""
        old = self.values[position]
        if old is None:
            return
        self.values[position] = None
        if type(old) is int:
            positions = self.at[old]
            del positions[bisect_left(positions, position)]
            if not positions:
                del self.at[old]
        else:
            self.raws -= 1
        self.statuses.pop(position, None)
        self.unknown += 1
        stale = self.stale
        if stale is not None:
            if len(stale) >= STALE_TRACKED:
                self.stale = None
            else:
                stale.append(position)

    def window(
        self, facts: PodFacts, nodes: Sequence[NodeInfo], first: int, size: int
    ) -> list[Answer]:
        """The answers of `size` nodes from position `first` on (wrapping past the end),
        asking the nodes whose answer is not known."""
        total = len(nodes)
        values = self.values
        end = first + size
        chunk = values[first:end] if end <= total else values[first:] + values[: end - total]
        if not self.unknown:
            return chunk  # type: ignore[return-value]
        stale = self.stale
        if stale is not None:
            keep = []
            for position in stale:
                i = position - first
                if i < 0:
                    i += total
                if i < size:
                    chunk[i] = self._ask(facts, nodes, position)
                else:
                    keep.append(position)
            self.stale = keep
        elif None in chunk:
            i = -1
            for _ in range(chunk.count(None)):
                i = chunk.index(None, i + 1)
                position = first + i
                if position >= total:
                    position -= total
                chunk[i] = self._ask(facts, nodes, position)
            if not self.unknown:
                self.stale = []
        return chunk  # type: ignore[return-value]

    def complete(self, facts: PodFacts, nodes: Sequence[NodeInfo]) -> bool:
        """Ask the nodes whose answers were forgotten, when they are few; whether every
        answer is now known."""
        stale = self.stale
        if stale is None:
            if self.unknown > STALE_TRACKED:
                return False
            # Few left unknown, wherever they are: find them (in C) and ask them.
            values = self.values
            stale = []
            position = -1
            for _ in range(self.unknown):
                position = values.index(None, position + 1)
                stale.append(position)
        for position in stale:
            self._ask(facts, nodes, position)
        self.stale = []
        return True

    def _ask(self, facts: PodFacts, nodes: Sequence[NodeInfo], position: int) -> Answer:
        """Filter and score one node for the pod shape, and remember the answer."""
        info = nodes[position]
        self.unknown -= 1
        status = run_filters(facts, info)
        value: Answer
        if status is not None:
            value = DOES_NOT_FIT
            self.statuses[position] = status
        else:
            raw = raw_scores(facts, info)
            if raw[1] == 0 and raw[2] == 0:
                value = raw[0]
            else:
                value = raw
                self.raws += 1
        self.values[position] = value
        if type(value) is int:
            positions = self.at.get(value)
            if positions is None:
                self.at[value] = [position]
            else:
                insort(positions, position)
        return value


class Snapshot(Sequence[NodeInfo]):
    """The nodes a scheduling attempt scans, in order, with the answers pod shapes got."""

    __slots__ = ("_answers", "_by_name", "_nodes", "_positions")

    def __init__(self, nodes: Sequence[NodeInfo] = ()) -> None:
        self._nodes: Sequence[NodeInfo] = nodes
        self._positions: dict[NodeInfo, int] | None = None
        self._by_name: dict[str, int] | None = None
        self._answers: dict[bytes, Answers] = {}

    def set_nodes(self, nodes: Sequence[NodeInfo]) -> None:
        """Scan these nodes from now on. The sequence is kept, not copied: call this again
        after adding, removing or reordering nodes (changes inside a NodeInfo are seen)."""
        self._nodes = nodes
        self._positions = None
        self._by_name = None
        self._answers.clear()

    @property
    def nodes(self) -> Sequence[NodeInfo]:
        """The nodes in scan order."""
        return self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    @overload
    def __getitem__(self, index: int) -> NodeInfo: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[NodeInfo]: ...

    def __getitem__(self, index: int | slice) -> NodeInfo | Sequence[NodeInfo]:
        return self._nodes[index]

    def named(self, names: Collection[str]) -> Snapshot:
        """A snapshot of just the nodes with these names, in scan order (NodeAffinity's
        PreFilter result); its answers are its own."""
        nodes = self._nodes
        by_name = self._by_name
        if by_name is None:
            by_name = self._by_name = {info.name: i for i, info in enumerate(nodes)}
        if len(by_name) != len(nodes):  # names repeat: keep every node that matches
            return Snapshot([info for info in nodes if info.name in names])
        positions = sorted(by_name[name] for name in names if name in by_name)
        return Snapshot([nodes[i] for i in positions])

    def answers(self, signature: bytes) -> Answers:
        """The answers for a pod signature, with those of nodes changed since forgotten."""
        log = changes.NODE_CHANGES
        answers = self._answers.get(signature)
        changed = None if answers is None else log.since(answers.read)
        if answers is None or changed is None:
            if len(self._answers) >= ANSWERS_LIMIT:
                self._answers.clear()
            answers = self._answers[signature] = Answers(len(self._nodes), log.end)
            return answers
        if changed:
            positions = self._positions
            if positions is None:
                positions = self._positions = {info: i for i, info in enumerate(self._nodes)}
            for info in changed:
                position = positions.get(info)
                if position is not None:
                    answers.forget(position)
            answers.read = log.end
        return answers
