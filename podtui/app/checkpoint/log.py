"""Every change a console session made to its cluster, kept as checkpoint entries.

The journal (podtui.app.disruption.journal) hands each recorded step here (a `rollout`
is the rolloutRestart / rolloutUndo step); `edit` and `create -f` add theirs; the hot reload reports each apply. Quitting with live edits
(changes the manifest files do not hold) offers to save them (podtui.app.checkpoint.quit);
`:checkpoint FILE` saves at any time. A saved checkpoint resumes with `podtui --load FILE`
or `podtui sim --load FILE`.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.apply import ApplyReport
from engine.checkpoint import Checkpoint, CheckpointError, fingerprint, write_checkpoint
from engine.checkpoint.entries import (
    CREATE,
    RELOAD,
    UPDATE,
    Entry,
    manifest_from_json,
    manifest_to_json,
    step_entry,
)
from engine.manifests.loader import Manifest
from engine.output import sort_objects
from engine.result import ActionResult
from engine.scenario import Step
from podtui.backends.base import CHECKPOINTS

if TYPE_CHECKING:
    from engine.disruption.chaos import ChaosMonkey, Kill
    from podtui.app.session import Session
    from podtui.reload import Reloader


class CheckpointLog:
    """One session's entries, and which live edits no checkpoint holds yet."""

    def __init__(self, session: Session) -> None:
        self.session = session
        boot = getattr(session, "boot_entry", None)
        self.entries: list[Entry] = [boot] if boot is not None else []
        self.paths: list[str] = []
        self.sources: dict[str, str] = {}
        self.unsaved: list[str] = []
        """Live edits since the start, the load or the last save (what quitting would lose)."""
        self.gaps: list[str] = []
        """Changes a checkpoint cannot replay (a drain stopped by hand)."""

    # -- recording --------------------------------------------------------------------------
    def add(self, entry: Entry, *, live: bool = True) -> None:
        """A change made now; `live` when the manifest files do not hold it."""
        self.entries.append(entry)
        if live:
            self.unsaved.append(entry.describe())

    def step(self, action: str, value: Any, options: dict[str, Any]) -> None:
        session = self.session
        self.add(
            step_entry(
                Step(
                    session.cluster.now,
                    action,
                    value,
                    dict(options),
                    "<console>",
                    0,
                    session.base_dir,
                )
            )
        )

    def gap(self, what: str) -> None:
        self.gaps.append(f"[{self.session.cluster.now:g}s] {what}")
        self.unsaved.append(what)

    def follow_reloads(self, reloader: Reloader, paths: list[str], texts: dict[str, str]) -> None:
        """Log every apply the hot reload makes (the files hold those: not live edits)."""
        self.paths = list(paths)
        self.sources = dict(texts)
        reloader.folders.on_apply = self._reloaded

    def _reloaded(
        self,
        manifests: list[Manifest],
        report: ApplyReport,
        texts: dict[str, str],
        deleted: list[str],
    ) -> None:
        pruned = [
            [o.kind, o.namespace, o.name]
            for o in report.outcomes
            if o.verb == "deleting" and (o.action == "pruned" or o.error is not None)
        ]
        data = {
            "manifests": [manifest_to_json(m) for m in manifests],
            "pruned": pruned,
            "settled": False,
        }
        self.add(Entry(self.session.cluster.now, RELOAD, data), live=False)
        self.sources.update(texts)
        for name in deleted:
            self.sources.pop(name, None)

    # -- the manifests the watched files last applied ------------------------------------
    def applied_manifests(self) -> list[Manifest]:
        """Per file, the manifests last applied from it (t=0 or a reload)."""
        by_file: dict[str, list[dict]] = {}
        for entry in self.entries:
            if entry.data.get("initial") or entry.kind == RELOAD:
                files: dict[str, list[dict]] = {}
                for raw in entry.data.get("manifests") or []:
                    files.setdefault(raw.get("file", ""), []).append(raw)
                by_file.update(files)
        return [manifest_from_json(raw) for found in by_file.values() for raw in found]

    # -- saving -------------------------------------------------------------------------------
    def checkpoint(self) -> Checkpoint:
        """The session as it stands (take it under the session's lock)."""
        session = self.session
        cluster = session.cluster
        if not self.entries or not self.entries[0].data.get("initial"):
            raise ValueError("this session was not booted from manifests")
        return Checkpoint(
            at=cluster.now,
            entries=list(self.entries),
            seed=cluster.seed,
            start=cluster.clock.start,
            step=cluster.clock.step,
            user=session.user,
            default_nodes=getattr(session, "default_nodes", True),
            paths=self.paths,
            workdir=os.getcwd(),
            origin="console",
            settled=False,
            sources=dict(self.sources),
            fingerprint=fingerprint(cluster, ignore=_chaos_timers(session)),
            objects=sort_objects(cluster.objects()),
        )

    def save(self, path: str | Path) -> ActionResult:
        """Write a checkpoint; afterwards no live edit is unsaved."""
        target = Path(path).expanduser()
        problem = refusal(target, self.paths)
        if problem:
            return ActionResult(errors=[problem])
        try:
            with self.session.lock:
                checkpoint = self.checkpoint()
            write_checkpoint(target, checkpoint)
        except (CheckpointError, ValueError) as err:
            return ActionResult(errors=[f"error: {err}"])
        self.unsaved.clear()
        lines = [f"checkpoint saved to {target} at {checkpoint.at:g}s"]
        lines.append(f"resume it: podtui --load {target}  (or podtui sim --load {target})")
        if self.gaps:
            lines.append(f"not in it (no replay for them): {'; '.join(self.gaps)}")
        return ActionResult(lines=lines)


GZIP_MAGIC = b"\x1f\x8b"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def refusal(target: Path, watched: list[str]) -> str:
    """Why a checkpoint must not be written to `target` (empty when it may): never over a
    file that is not a checkpoint already, nor as a manifest inside a watched folder."""
    if target.is_dir():
        return f"error: {target} is a directory"
    if target.exists():
        try:
            with open(target, "rb") as existing:
                magic = existing.read(2)
        except OSError as err:
            return f"error: cannot write {target}: {err.strerror or err}"
        if magic != GZIP_MAGIC:
            return f"error: {target} exists and is not a checkpoint; choose another file"
    if target.suffix in MANIFEST_SUFFIXES:
        resolved = target.resolve()
        for folder in watched:
            if resolved.is_relative_to(Path(folder).resolve()):
                return f"error: {target} is inside {folder}, which podtui loads as manifests"
    return ""


_LOGS: weakref.WeakKeyDictionary[Session, CheckpointLog] = weakref.WeakKeyDictionary()


def _chaos_timers(session: Session) -> list:
    """Chaos mode's next kill: not part of the story a checkpoint replays (its kills are)."""
    from podtui.app.disruption import chaos

    monkey = chaos.running(session)
    return [getattr(monkey, "_timer", None)] if monkey is not None else []


def log_of(session: Session) -> CheckpointLog:
    """The session's checkpoint log (started on first use; the console starts it at boot)."""
    log = _LOGS.get(session)
    if log is None:
        log = _LOGS[session] = CheckpointLog(session)
    return log


def record_step(session: Session, action: str, value: Any, options: dict[str, Any]) -> None:
    """A scenario step the console is about to run (an `apply` embeds the files' content)."""
    if not session.has(CHECKPOINTS):
        return
    log_of(session).step(action, value, options)


def record_update(session: Session, obj: dict) -> None:
    """`edit`: the object as the user saved it, written with the API server's update."""
    if not session.has(CHECKPOINTS):
        return
    import copy

    data = {"object": copy.deepcopy(obj), "settled": False}
    log_of(session).add(Entry(session.cluster.now, UPDATE, data))


def record_create(session: Session, manifests: list[Manifest], *, settled: bool = False) -> None:
    """`create -f`: the objects created (`settled` when the console first ran what was due
    then, as it does for every action its session journal records)."""
    if not session.has(CHECKPOINTS):
        return
    data = {"manifests": [manifest_to_json(m) for m in manifests], "settled": settled}
    log_of(session).add(Entry(session.cluster.now, CREATE, data))


def follow_chaos(session: Session, monkey: ChaosMonkey) -> None:
    """Log each of chaos mode's kills as the podKill step that replays it."""

    def killed(kill: Kill) -> None:
        value = {"fault": "podKill", "pod": kill.pod}
        if kill.namespace != "default":
            value["namespace"] = kill.namespace
        log_of(session).step("inject", value, {})

    monkey.listen(killed)
