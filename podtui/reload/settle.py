"""A save in progress never prunes: files that would lose objects wait to be stable.

An editor or a shell redirect that saves in place truncates the file, then writes it again;
a watcher can read the file in between, empty or cut at a document boundary. Applied as it
is, that would prune what the file held (a Deployment's pods replaced with new uids) and
create it again a moment later. So a file whose new content would prune something, or that
vanished, is held: nothing of it is applied until it has kept the same size, mtime and inode
for `SETTLE_SECONDS`. If it is written again meanwhile, the new content is what counts (an
in-place save ends as `unchanged`); a file that stays empty or gone prunes then.

The clock is injectable so that tests drive the quiet period without sleeping.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SETTLE_SECONDS = 1.0
"""Quiet period before a file that lost objects is taken at its word. An in-place save
rewrites the file within milliseconds; a second is far beyond that and still prompt for a
user who emptied a file on purpose."""

Signature = tuple[int, int, int] | None
"""(size, mtime in ns, inode) of a file; None while it does not exist."""


def signature(path: Path) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass(frozen=True)
class Held:
    path: Path
    signature: Signature
    since: float


class Settling:
    """The files held until they are stable, and when each may be looked at again."""

    def __init__(self, clock: Callable[[], float], quiet_seconds: float = SETTLE_SECONDS) -> None:
        self.clock = clock
        self.quiet_seconds = quiet_seconds
        self._held: dict[str, Held] = {}

    def settled(self, name: str, path: Path, seen: Signature) -> bool:
        """Whether the file has had the signature `seen` for the whole quiet period; if not,
        it is held (from now, if its signature changed)."""
        if self.quiet_seconds <= 0:
            return True
        now = self.clock()
        held = self._held.get(name)
        if held is not None and held.signature == seen:
            if now - held.since >= self.quiet_seconds:
                del self._held[name]
                return True
            return False
        self._held[name] = Held(path, seen, now)
        return False

    def release(self, name: str) -> None:
        """The file no longer loses anything (it was written again): stop holding it."""
        self._held.pop(name, None)

    def holds(self, name: str) -> bool:
        return name in self._held

    def names(self) -> set[str]:
        return set(self._held)

    def deadline(self) -> float | None:
        """The clock time at which the first held file may be stable, or None."""
        if not self._held:
            return None
        return min(h.since for h in self._held.values()) + self.quiet_seconds

    def due(self) -> set[Path]:
        """The held files whose quiet period is over: look at them again."""
        now = self.clock()
        return {h.path for h in self._held.values() if now - h.since >= self.quiet_seconds}
