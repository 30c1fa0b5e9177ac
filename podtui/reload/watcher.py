"""Watching the manifest PATHs with watchfiles, as an async iterator a Textual worker can run.

Timing: watchfiles' Rust loop yields a batch once a `step` passes with no new change (or
after `debounce` at most). Its defaults are 50 ms and 1,600 ms; podtui keeps the 50 ms
rest (an editor's write-temp-and-rename save, a `git checkout` of many files, arrive in
one batch) and caps a continuous stream of events at 300 ms instead of 1.6 s, so a save
lands at once even while something else keeps writing. Tilt waits for 200 ms of rest
(BufferMinRestDuration); a 50 ms rest is enough here because a half-written file only
fails to parse, a file that fails to parse keeps its last good objects, and a file that
would lose objects waits to be stable (podtui.reload.settle).

A watched folder that is deleted takes its inotify watch with it: watchfiles reports the
folder `deleted` and then nothing more, even once a folder of the same name is back
(measured here with watchfiles 1.3.0). So the watcher compares each root's identity
(device and inode) after every batch and at least every `check_ms`; when a root vanished or
was replaced, it starts watching again, polls every `check_ms` for the roots that are
missing, and yields the roots so that the reloader reads everything under them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from watchfiles import awatch

from podtui.reload.filters import ManifestFilter

STEP_MS = 50
"""Rest time: a batch is yielded once no new event came for this long."""
DEBOUNCE_MS = 300
"""Longest a batch keeps growing while events keep coming."""
CHECK_MS = 500
"""How often the roots are checked while one is missing (a folder coming back is noticed
within this), and, ten times slower, while all are there (a safety net: the deletion of a
root is normally seen as an event at once)."""


def watch_roots(paths: list[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """(folders to watch, folders given as PATHs, files given as PATHs).

    A file PATH is watched through its folder: an editor's atomic save replaces the file,
    and a watch on the old file would see nothing after the first save.
    """
    folders = [p.absolute() for p in paths if p.is_dir()]
    files = [p.absolute() for p in paths if not p.is_dir()]
    return _roots(folders, files), folders, files


def _roots(folders: list[Path], files: list[Path]) -> list[Path]:
    """The folders to watch recursively (present or not), none inside another."""
    roots: list[Path] = []
    for candidate in sorted({*folders, *(f.parent for f in files)}):
        if not any(candidate.is_relative_to(r) for r in roots):
            roots.append(candidate)
    return roots


Identity = tuple[int, int] | None


def _identity(path: Path) -> Identity:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if os.path.isdir(path) else None


class ManifestWatcher:
    """Batches of changed paths under the PATHs, that survive the roots being deleted."""

    def __init__(
        self,
        paths: list[Path],
        *,
        step_ms: int = STEP_MS,
        debounce_ms: int = DEBOUNCE_MS,
        check_ms: int = CHECK_MS,
    ) -> None:
        absolute = [p.absolute() for p in paths]
        # Which PATH is a folder is decided once: a deleted folder is not a file.
        self.folders = [p for p in absolute if p.is_dir() or not p.exists()]
        self.files = [p for p in absolute if p not in self.folders]
        self.roots = _roots(self.folders, self.files)
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self.check_ms = check_ms
        self.missing: list[Path] = []
        """Roots that do not exist now (not watched until they come back)."""
        self.restarts = 0
        """How many times watching started again after a root vanished or came back."""
        self.error: str = ""
        """Why watchfiles failed the last time it was started, if it did."""

    async def batches(self, stop_event: asyncio.Event) -> AsyncIterator[set[Path]]:
        """Until `stop_event` is set. After a root vanished or came back, the next batch
        holds every root (read them all again)."""
        watch_filter = ManifestFilter(self.folders, self.files, roots=self.roots)
        first = True
        while not stop_event.is_set():
            identities = {r: _identity(r) for r in self.roots}
            present = [r for r, i in identities.items() if i is not None]
            self.missing = [r for r, i in identities.items() if i is None]
            if not present:
                if not first:
                    self.restarts += 1
                    yield set(self.roots)
                first = False
                await _wait(stop_event, self.check_ms)
                continue
            timeout = self.check_ms if self.missing else self.check_ms * 10
            changes = awatch(
                *present,
                watch_filter=watch_filter,
                step=self.step_ms,
                debounce=self.debounce_ms,
                stop_event=stop_event,  # type: ignore[arg-type]
                recursive=True,
                rust_timeout=timeout,
                yield_on_timeout=True,
            )
            pending: asyncio.Future = asyncio.ensure_future(anext(changes))
            try:
                # One turn of the loop builds the notifier; only then is everything read
                # again, so that nothing written in between is lost.
                await asyncio.sleep(0)
                if not first:
                    self.restarts += 1
                    yield set(self.roots)
                first = False
                while True:
                    try:
                        found = await pending
                    except StopAsyncIteration:
                        return
                    if found:
                        yield {Path(path) for _, path in found}
                    if any(_identity(r) != identities[r] for r in self.roots):
                        break  # a root vanished, came back or was replaced
                    pending = asyncio.ensure_future(anext(changes))
                self.error = ""
            except (OSError, RuntimeError) as err:
                # A root deleted while watchfiles starts, or a notifier error: start again.
                self.error = str(err)
                await _wait(stop_event, self.check_ms)
            finally:
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await pending
                await changes.aclose()


async def _wait(stop_event: asyncio.Event, ms: int) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop_event.wait(), ms / 1000)


async def watch_manifests(
    paths: list[Path],
    *,
    stop_event: asyncio.Event,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
) -> AsyncIterator[set[Path]]:
    """Batches of changed paths (files or folders, added, modified or deleted) under PATHs."""
    watcher = ManifestWatcher(paths, step_ms=step_ms, debounce_ms=debounce_ms)
    async for batch in watcher.batches(stop_event):
        yield batch
