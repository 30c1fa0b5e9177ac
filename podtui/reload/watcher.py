"""Watching the manifest PATHs with watchfiles, as an async iterator a Textual worker can run.

Timing: watchfiles' Rust loop yields a batch once a `step` passes with no new change (or
after `debounce` at most). Its defaults are 50 ms and 1,600 ms; podtui keeps the 50 ms
rest (an editor's write-temp-and-rename save, a `git checkout` of many files, arrive in
one batch) and caps a continuous stream of events at 300 ms instead of 1.6 s, so a save
lands at once even while something else keeps writing. Tilt waits for 200 ms of rest
(BufferMinRestDuration); a 50 ms rest is enough here because a half-written file only
fails to parse, and a file that fails to parse keeps its last good objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from watchfiles import awatch

from podtui.reload.filters import ManifestFilter

STEP_MS = 50
"""Rest time: a batch is yielded once no new event came for this long."""
DEBOUNCE_MS = 300
"""Longest a batch keeps growing while events keep coming."""


def watch_roots(paths: list[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """(folders to watch, folders given as PATHs, files given as PATHs).

    A file PATH is watched through its folder: an editor's atomic save replaces the file,
    and a watch on the old file would see nothing after the first save.
    """
    folders = [p.absolute() for p in paths if p.is_dir()]
    files = [p.absolute() for p in paths if not p.is_dir()]
    roots: list[Path] = []
    for candidate in sorted({*folders, *(f.parent for f in files)}):
        if candidate.exists() and not any(candidate.is_relative_to(r) for r in roots):
            roots.append(candidate)
    return roots, folders, files


async def watch_manifests(
    paths: list[Path],
    *,
    stop_event: object | None = None,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
) -> AsyncIterator[set[Path]]:
    """Batches of changed paths (files or folders, added, modified or deleted) under PATHs."""
    roots, folders, files = watch_roots(paths)
    if not roots:
        return
    async for changes in awatch(
        *roots,
        watch_filter=ManifestFilter(folders, files),
        step=step_ms,
        debounce=debounce_ms,
        stop_event=stop_event,  # type: ignore[arg-type]
        recursive=True,
    ):
        yield {Path(path) for _, path in changes}
