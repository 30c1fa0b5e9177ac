"""The reload log: one entry per reload, stamped with simulated and wall-clock time."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from engine.manifests.yamldoc import Problem

LOG_LIMIT = 500
"""Entries kept; older ones drop off (a long session saves thousands of times)."""


@dataclass(frozen=True)
class ReloadEntry:
    """What one reload did: kubectl's lines, the refusals and broken files, the notices."""

    sim_seconds: float
    """Simulated seconds since the cluster started."""
    sim_time: datetime
    wall_time: datetime
    files: tuple[str, ...]
    """The files this reload looked at, as the user named them."""
    lines: tuple[str, ...] = ()
    """kubectl's output: `Warning: ...`, `deployment.apps/web configured`, `... pruned`."""
    errors: tuple[str, ...] = ()
    """`FILE:LINE: message` for each broken file and each refused object."""
    notices: tuple[str, ...] = ()
    """Live edits that this reload replaced."""
    initial: bool = False
    """The first load of every file when the console starts."""
    adopted: int = 0
    """Objects the console applied when it started, taken over without applying them again."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def stamp(self) -> str:
        """`14:03:22.481 · sim 00:01:30`: wall clock, then the simulated clock."""
        wall = self.wall_time.strftime("%H:%M:%S.") + f"{self.wall_time.microsecond // 1000:03d}"
        return f"{wall} · sim {self.sim_time.strftime('%H:%M:%S')}"

    def title(self) -> str:
        """The entry's heading: stamp and what was reloaded."""
        if self.initial:
            what = f"loaded {len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        elif len(self.files) == 1:
            what = self.files[0]
        else:
            what = f"{len(self.files)} files"
        return f"{self.stamp()}  {what}"

    def summary(self) -> list[str]:
        """The entry's lines for display: on the initial load, `unchanged` lines are
        counted rather than listed."""
        if not self.initial:
            return list(self.lines)
        unchanged = [line for line in self.lines if line.endswith(" unchanged")]
        shown = [line for line in self.lines if not line.endswith(" unchanged")]
        if unchanged:
            shown.append(f"{len(unchanged)} objects unchanged")
        if self.adopted:
            objects = "object" if self.adopted == 1 else "objects"
            shown.insert(0, f"{self.adopted} {objects} applied at start, now watched")
        return shown


@dataclass
class ReloadLog:
    """The newest entries, oldest first."""

    limit: int = LOG_LIMIT
    entries: deque[ReloadEntry] = field(default_factory=deque)

    def add(self, entry: ReloadEntry) -> None:
        self.entries.append(entry)
        while len(self.entries) > self.limit:
            self.entries.popleft()

    def __iter__(self) -> Iterator[ReloadEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class ReloadResult:
    """A reload as the console receives it: the log entry and every file's standing errors."""

    entry: ReloadEntry
    problems: tuple[Problem, ...] = ()
    """Persistent errors of all files (broken files, refused objects) until fixed."""
    applied_at: float = 0.0
    """`time.perf_counter()` when the engine had applied the reload."""

    @property
    def changed_anything(self) -> bool:
        return any(not line.endswith(" unchanged") for line in self.entry.lines)
