"""Hot reload for the console: watch the PATHs and apply what changes, like `kubectl apply
--prune` on the folder at every save.

    reloader = Reloader(cluster, paths, lock=session.lock)
    self.run_worker(reloader.run(self.on_reload), group="reload", exclusive=True)

`run` starts the watcher, loads every file once (objects already in the cluster come back
`unchanged`, and the inventory learns which file applied what), then applies each batch of
changes and calls `on_result` with a `ReloadResult`. The console, which has just applied
every file when it starts, calls `adopt(manifests, texts)` first: the first load then takes
those objects over without applying them again, and only files that changed since are read. With a lock, parsing and applying run
in a thread and the engine is only touched while holding the lock (the console may advance
the engine from a worker thread); without one, everything runs on the event loop.

A reload never raises (podtui.reload.state, podtui.reload.guard). A file that would lose
objects is held until it is stable; `run` wakes up when its quiet period ends, on `clock`
and `sleep`, which tests replace to drive that period without waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import datetime
from pathlib import Path

from engine.api.admission import ADMIN, UserInfo
from engine.cluster import Cluster
from engine.manifests.loader import Manifest
from engine.manifests.yamldoc import Problem
from podtui.reload.log import ReloadLog, ReloadResult
from podtui.reload.settle import SETTLE_SECONDS
from podtui.reload.state import ManifestFolders
from podtui.reload.watcher import CHECK_MS, DEBOUNCE_MS, STEP_MS, ManifestWatcher

OnResult = Callable[[ReloadResult], Awaitable[object] | object]


class Reloader:
    """The manifest PATHs, kept applied to one cluster."""

    def __init__(
        self,
        cluster: Cluster,
        paths: list[Path] | list[str],
        *,
        lock: AbstractContextManager | None = None,
        user: UserInfo = ADMIN,
        step_ms: int = STEP_MS,
        debounce_ms: int = DEBOUNCE_MS,
        check_ms: int = CHECK_MS,
        wall_clock: Callable[[], datetime] = datetime.now,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.cluster = cluster
        self.paths = [Path(p) for p in paths]
        self.lock = lock
        self.folders = ManifestFolders(
            self.paths,
            user=user,
            wall_clock=wall_clock,
            clock=clock,
            settle_seconds=settle_seconds,
        )
        self.log = ReloadLog()
        self.watcher = ManifestWatcher(
            self.paths, step_ms=step_ms, debounce_ms=debounce_ms, check_ms=check_ms
        )
        self.clock = clock
        self.sleep = sleep
        self.loaded = False
        self.ready = asyncio.Event()
        """Set once the watcher runs and every file was loaded: saves from then on apply."""
        self._stop: asyncio.Event | None = None
        self._adoption: tuple[Sequence[Manifest], dict[str, str], Sequence[Problem]] | None = None

    def adopt(
        self,
        manifests: Sequence[Manifest],
        texts: dict[str, str],
        refused: Sequence[Problem] = (),
    ) -> None:
        """Make the first load take over these objects, applied at start from files whose
        content was `texts` (`podtui.reload.state.read_texts`), instead of applying them
        again; `refused` are the objects the API server refused then (their refusals stand)."""
        self._adoption = (manifests, texts, refused)

    @property
    def problems(self) -> list[Problem]:
        """Every file's standing errors (broken files, refused objects)."""
        return self.folders.problems()

    def reload(self, changed: set[Path] | None = None) -> ReloadResult | None:
        """Apply what changed now (every file when `changed` is None, or the first load's
        adoption); None if nothing did."""
        if changed is None and self._adoption is not None:
            manifests, texts, refused = self._adoption
            self._adoption = None
            try:
                entry = self.folders.adopt(
                    self.cluster, manifests, texts, lock=self.lock, refused=refused
                )
            except Exception:
                # Adopting is a shortcut: a full load (which never raises) does the same.
                entry = self.folders.reload(self.cluster, None, lock=self.lock)
        else:
            entry = self.folders.reload(self.cluster, changed, lock=self.lock)
        applied_at = time.perf_counter()
        self.loaded = True
        if entry is None:
            return None
        self.log.add(entry)
        return ReloadResult(entry, tuple(self.folders.problems()), applied_at)

    async def run(self, on_result: OnResult) -> None:
        """Watch and apply until `stop()` or cancellation."""
        self._stop = asyncio.Event()
        batches = self.watcher.batches(self._stop)
        pending: asyncio.Future = asyncio.ensure_future(anext(batches))
        # One turn of the loop starts the watcher (awatch builds its notifier before it first
        # waits), so a save made while the first load runs is seen, not lost.
        await asyncio.sleep(0)
        try:
            if not self.loaded:
                result = await self._reload(None)
                if result is not None:
                    await _deliver(on_result, result)
            self.ready.set()
            while True:
                await self._settle_or(pending)
                if pending.done():
                    try:
                        changed = pending.result()
                    except StopAsyncIteration:
                        return
                    pending = asyncio.ensure_future(anext(batches))
                else:
                    changed = self.folders.settling.due()
                    if not changed:
                        continue
                result = await self._reload(changed)
                if result is not None:
                    await _deliver(on_result, result)
        finally:
            self.ready.clear()
            if not pending.done():
                pending.cancel()
                with suppress(asyncio.CancelledError, StopAsyncIteration):
                    await pending
            await batches.aclose()

    async def _settle_or(self, pending: asyncio.Future) -> None:
        """Wait for the next batch, or for the end of the first held file's quiet period."""
        deadline = self.folders.settling.deadline()
        if deadline is None:
            await asyncio.wait({pending})
            return
        timer = asyncio.ensure_future(self.sleep(max(0.0, deadline - self.clock())))
        try:
            await asyncio.wait({pending, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()

    def stop(self) -> None:
        """Stop watching (the watcher notices within one step)."""
        if self._stop is not None:
            self._stop.set()

    async def _reload(self, changed: set[Path] | None) -> ReloadResult | None:
        if self.lock is None:
            return self.reload(changed)
        return await asyncio.to_thread(self.reload, changed)


async def _deliver(on_result: OnResult, result: ReloadResult) -> None:
    outcome = on_result(result)
    if inspect.isawaitable(outcome):
        await outcome
