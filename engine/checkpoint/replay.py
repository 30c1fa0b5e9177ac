"""Rebuilding a checkpoint's cluster: boot as the original did, replay its entries, check.

The replay runs each entry at its simulated time exactly as `podtui sim` runs a scenario
step (`run_until(at)`, then the action), then runs to the checkpoint's time. Because the
engine is deterministic the result is the original cluster; the fingerprint proves it (a
podtui whose engine behaves differently, or a damaged entry, ends elsewhere and is refused).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterable

from engine.actions import ActionResult
from engine.api.admission import ADMIN, UserInfo
from engine.checkpoint.entries import Entry, run_entry
from engine.checkpoint.fileformat import Checkpoint, CheckpointError
from engine.clock import Timer
from engine.cluster import Cluster

EntryDone = Callable[[Entry, ActionResult], None]


def fingerprint(cluster: Cluster, *, ignore: Collection[Timer | None] = ()) -> str:
    """sha256 over every object, the clock, the times of the timers still due (but those in
    `ignore`: a console's chaos mode, which a replay does not restart) and both random
    generators' states."""
    digest = hashlib.sha256()
    digest.update(repr(cluster.clock.now).encode())
    due = sorted(
        at for at, timer in cluster.clock.due_timers() if timer not in ignore
    )
    digest.update(repr(due).encode())
    digest.update(repr(cluster.rng.getstate()).encode())
    digest.update(repr(cluster.store.rng.getstate()).encode())
    for obj in cluster.objects():
        digest.update(json.dumps(obj, sort_keys=True, ensure_ascii=True).encode())
    return digest.hexdigest()


def is_settled(entry: Entry) -> bool:
    """Whether the original action first ran what was due at its time (`run_until(now)`),
    as `podtui sim` and the console's journal do before each step.

    An unsettled change (the PATHs at t=0, before anything the boot left due then; an edit
    or a hot reload in the console) ran right after the tick that brought the clock to its
    time, or right after the change before it at the same time: the replay runs the clock
    only when the time moved on.
    """
    return bool(entry.data.get("settled", not entry.data.get("initial")))


def new_cluster(checkpoint: Checkpoint) -> Cluster:
    """A fresh cluster booted as the checkpoint's was."""
    cluster = Cluster(seed=checkpoint.seed, start=checkpoint.start, step=checkpoint.step)
    cluster.boot(default_nodes=checkpoint.default_nodes)
    return cluster


def replay(
    cluster: Cluster,
    entries: Iterable[Entry],
    until: float,
    *,
    user: UserInfo = ADMIN,
    done: EntryDone | None = None,
    start: Callable[[Entry], None] | None = None,
    settled: bool = True,
) -> None:
    """Run each entry at its time (those after `until` are left), then run to `until`;
    unless `settled`, what the last change left due at `until` itself stays due."""
    previous: float | None = None
    for entry in entries:
        if entry.at > until:
            break
        if start is not None:
            start(entry)
        if is_settled(entry) or (previous is not None and entry.at > previous):
            cluster.run_until(entry.at)
        previous = entry.at
        result = run_entry(cluster, entry, user)
        if done is not None:
            done(entry, result)
    if settled or previous is None or until > previous:
        cluster.run_until(until)


def verify(cluster: Cluster, checkpoint: Checkpoint, path: str | os.PathLike[str]) -> None:
    """Refuse a replay that did not end on the checkpoint's cluster."""
    if fingerprint(cluster) != checkpoint.fingerprint:
        raise CheckpointError(
            path,
            "the replay did not rebuild the saved cluster (the checkpoint was changed, or "
            "this podtui's engine plays it differently); refusing to resume",
        )


def restore(path: str | os.PathLike[str], checkpoint: Checkpoint) -> Cluster:
    """A new cluster replayed to the checkpoint's time and checked."""
    cluster = new_cluster(checkpoint)
    current: list[Entry] = []

    def started(entry: Entry) -> None:
        current[:] = [entry]

    try:
        replay(
            cluster,
            checkpoint.done(),
            checkpoint.at,
            user=checkpoint.user,
            start=started,
            settled=checkpoint.settled,
        )
    except Exception as err:  # a hand-edited entry can fail anywhere in the engine
        where = f" at [{current[0].at:g}s] {current[0].describe()}" if current else ""
        raise CheckpointError(
            path, f"damaged checkpoint: cannot replay it{where} ({type(err).__name__}: {err})"
        ) from err
    verify(cluster, checkpoint, path)
    return cluster
