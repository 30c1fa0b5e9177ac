"""The manifest folders as the source of truth: each file's last good objects and its errors.

A reload reads the files that changed, parses and validates them as `podtui validate` does,
and hands every file that is good to engine.apply with the file's inventory, which creates,
configures and prunes in kubectl's words. A file that fails to parse or validate is not
applied at all: its last good objects stay in the cluster and its problems stay listed until
a save fixes it; the other files of the same save still apply. Whatever raises is an error
of its file (podtui.reload.guard). A file that would lose objects waits to be stable
(podtui.reload.settle), and the files of a PATH that vanished are kept until it comes back.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.api.admission import ADMIN, UserInfo
from engine.api.kinds import lookup
from engine.apply import ApplyReport, Inventory
from engine.cluster import Cluster
from engine.manifests.loader import Manifest, manifest_files
from engine.manifests.source import read_source
from engine.manifests.yamldoc import Problem
from podtui.reload.guard import apply_guarded, crash_message, load_guarded, manifest_ref
from podtui.reload.log import ReloadEntry
from podtui.reload.settle import SETTLE_SECONDS, Settling, Signature, signature


@dataclass
class FileState:
    """One manifest file as the reloader knows it."""

    text: str | None = None
    """The content last read (good or not)."""
    manifests: list[Manifest] = field(default_factory=list)
    """The objects of the last content that was good: what the cluster was given."""
    broken: list[Problem] = field(default_factory=list)
    """Why the content last read could not be applied (parse or validation errors)."""
    refused: list[Problem] = field(default_factory=list)
    """Objects the API server refused when the file was last applied."""

    @property
    def problems(self) -> list[Problem]:
        return [*self.broken, *self.refused]


def display_name(path: Path) -> str:
    """A path as the user would write it: relative to the working folder when inside it."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def read_texts(paths: Sequence[Path | str]) -> dict[str, str]:
    """Every manifest file's text under PATHs now, by display name.

    The console reads them just before it loads and applies the manifests at start, so the
    reloader can later tell which files are still exactly what was applied (`adopt`). They
    are read as `podtui validate` reads them (engine.manifests.source); a file or folder
    that cannot be read is left out here, and the load that follows refuses to start on it.
    """
    found, _ = manifest_files([str(p) for p in paths if Path(p).exists()])
    texts: dict[str, str] = {}
    for path in found:
        text, _problem = read_source(path)
        if text is not None:
            texts[display_name(path)] = text
    return texts


OnApply = Callable[[list[Manifest], ApplyReport, dict[str, str], list[str]], None]


class ManifestFolders:
    """The PATHs given to the console, applied file by file as they change."""

    def __init__(
        self,
        paths: list[Path] | list[str],
        *,
        user: UserInfo = ADMIN,
        wall_clock: Callable[[], datetime] = datetime.now,
        clock: Callable[[], float] = time.monotonic,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.user = user
        self.wall_clock = wall_clock
        self.files: dict[str, FileState] = {}
        self.inventory = Inventory()
        self.on_apply: OnApply | None = None
        """Told of every apply, inside the lock: (manifests, report, the good files' texts,
        deleted files) — the console's checkpoint log replays reloads from it."""
        self.settling = Settling(clock, settle_seconds)
        """Files that would lose objects, held until stable (an in-place save in progress)."""
        self.folder_paths = {p for p in self.paths if _is_dir(p) or not _exists(p)}
        """The PATHs that are folders (remembered: a deleted folder is no longer one)."""
        self.missing: set[Path] = set()
        """PATHs that did not exist at the last reload: their files' objects are kept."""
        self.failure: list[Problem] = []
        """What the last reload raised, if it did, until a reload succeeds."""
        self.unreadable: dict[Path, Problem] = {}
        """Folders the last walk could not list (`FOLDER: permission denied`): the files
        known under them are kept as they are, neither read nor pruned, as under a missing
        PATH (skipping them would be a partial apply: issue 10, item 4)."""

    # -- reading ----------------------------------------------------------------------------
    def scan(self) -> dict[str, Path]:
        """Every manifest file under the PATHs now, by display name; the folders that
        could not be listed are remembered in `unreadable`."""
        found, problems = manifest_files([str(p) for p in self.paths if _exists(p)])
        self.unreadable = {
            Path(p.file).absolute(): Problem(display_name(Path(p.file)), p.line, p.message)
            for p in problems
        }
        return {display_name(p): p for p in found}

    def _quick_scan(self, changed: set[Path] | None, known: set[str]) -> dict[str, Path] | None:
        """When every changed path is a known file that still exists (an edit, the usual
        save), the folders need no walk: the known files are the current ones."""
        if changed is None or not changed:
            return None
        named = {display_name(p): p for p in changed}
        if not all(n in known and _is_file(p) for n, p in named.items()):
            return None
        return {name: Path(name) for name in known}

    def _expand(self, changed: set[Path]) -> set[str]:
        """The known files under a folder in `changed` (one that came back, was moved in or
        replaced): each is read again, and applied if its content changed."""
        folders = [p.absolute() for p in changed if _is_dir(p)]
        return {
            name
            for name in self.files
            if any(Path(name).absolute().is_relative_to(f) for f in folders)
        }

    def _hidden(self, name: str, missing: set[Path]) -> bool:
        """A file under a PATH that does not exist now: kept as it is, neither read nor
        pruned (`kubectl apply -f` on a missing path is an error, not an empty folder)."""
        absolute = Path(name).absolute()
        return any(absolute.is_relative_to(m.absolute()) for m in missing)

    def _settled_absent(self, path: Path) -> bool:
        return self.settling.settled(_path_key(path), path, None)

    def _would_lose(self, name: str, manifests: list[Manifest]) -> bool:
        """Whether applying this content of a file would prune something it applied."""
        keep = {manifest_ref(m) for m in manifests}
        return any(member.ref not in keep for member in self.inventory.members(name))

    def _lost(self, name: str, manifests: list[Manifest], good: dict[str, list[Manifest]]) -> bool:
        """Whether this content would prune something that no other file of the same
        reload takes over (an object moved to another file is not lost)."""
        keep = {manifest_ref(m) for other in good.values() for m in other}
        keep |= {manifest_ref(m) for m in manifests}
        return any(member.ref not in keep for member in self.inventory.members(name))

    def problems(self) -> list[Problem]:
        """Every standing error: missing PATHs, what a reload raised, then each file's."""
        missing = [self._missing_problem(p) for p in sorted(self.missing)]
        unreadable = [self.unreadable[p] for p in sorted(self.unreadable)]
        files = [p for name in sorted(self.files) for p in self.files[name].problems]
        return [*missing, *unreadable, *self.failure, *files]

    def _path_name(self, path: Path) -> str:
        name = display_name(path)
        return name + "/" if path in self.folder_paths and not name.endswith("/") else name

    def _missing_problem(self, path: Path) -> Problem:
        kept = sum(
            len(self.inventory.members(name)) for name in self.files if self._hidden(name, {path})
        )
        what = "folder" if path in self.folder_paths else "file"
        objects = "object" if kept == 1 else "objects"
        return Problem(
            self._path_name(path),
            0,
            f"{what} not found; its {kept} {objects} are kept, and it is applied again "
            "when it comes back",
        )

    # -- reloading --------------------------------------------------------------------------
    def reload(
        self,
        cluster: Cluster,
        changed: set[Path] | None = None,
        *,
        lock: AbstractContextManager | None = None,
    ) -> ReloadEntry | None:
        """Apply what changed (everything when `changed` is None); None if nothing did.

        File reading and parsing happen outside `lock`; the engine is only touched inside.
        Never raises: whatever goes wrong is a standing error of the files concerned, and
        their last good objects stay.
        """
        try:
            entry = self._reload(cluster, changed, lock=lock)
        except Exception as err:
            return self._failed(cluster, changed, err, lock=lock)
        if self.failure:
            self.failure = []
        return entry

    def _failed(
        self,
        cluster: Cluster,
        changed: set[Path] | None,
        err: Exception,
        *,
        lock: AbstractContextManager | None,
    ) -> ReloadEntry:
        """A reload raised outside the guarded loading and applying: each file it concerned
        gets the error, is read again on its next save, and keeps its objects."""
        names = sorted({display_name(p) for p in changed or ()} or {*self.files} or {"."})
        message = crash_message(err, "reload") + "; the last good objects are kept"
        self.failure = [Problem(name, 0, message) for name in names]
        for name in names:
            if name in self.files:
                self.files[name].text = None
        with lock if lock is not None else contextlib.nullcontext():
            sim_seconds, sim_time = cluster.now, cluster.now_datetime()
        return ReloadEntry(
            sim_seconds=sim_seconds,
            sim_time=sim_time,
            wall_time=self.wall_clock(),
            files=tuple(names),
            errors=tuple(str(p) for p in self.failure),
        )

    def _reload(
        self,
        cluster: Cluster,
        changed: set[Path] | None,
        *,
        lock: AbstractContextManager | None,
    ) -> ReloadEntry | None:
        initial = changed is None
        absent = {p for p in self.paths if not _exists(p)}
        # Reported once it stayed absent for the quiet period: a file PATH saved by
        # deleting and writing it again (Emacs' default) is not worth an error.
        missing = {p for p in absent if p in self.missing or self._settled_absent(p)}
        for path in set(self.paths) - absent:
            self.settling.release(_path_key(path))
        gone, back = missing - self.missing, self.missing - missing
        self.missing = missing
        known = set(self.files)
        implied: set[str] = set()
        if changed is not None:
            implied = self._expand(changed) - {display_name(p) for p in changed}
            changed = changed | {Path(name) for name in implied}
        was_unreadable = dict(self.unreadable)
        current = self._quick_scan(changed, known) or self.scan()
        locked = set(self.unreadable)
        # A folder readable again: the files known under it are read again.
        regained = set(was_unreadable) - locked
        if regained and changed is not None:
            implied |= self._expand(regained) - {display_name(p) for p in changed}
            changed = changed | {Path(name) for name in implied}
        if changed is None:
            candidates = set(current)
        else:
            named = {display_name(p) for p in changed}
            candidates = (named & (set(current) | known)) | (set(current) - known)
            candidates |= known - set(current)
            # A file refused for a duplicate may be fine now that another file changed.
            candidates |= {n for n, s in self.files.items() if s.broken}
        candidates = {n for n in candidates if not self._hidden(n, absent | locked)}
        for name in self.settling.names():
            if not name.startswith(PATH_KEY) and self._hidden(name, absent | locked):
                self.settling.release(name)
        vanished = sorted(n for n in candidates if n not in current)
        texts: dict[str, str] = {}
        seen: dict[str, Signature] = {}
        broken: dict[str, list[Problem]] = {}
        for name in sorted(candidates - set(vanished)):
            state = self.files.get(name, FileState())
            before = signature(current[name])
            # Read as `podtui validate` reads (a byte order mark, the size limit), with
            # its messages; a file that cannot be read keeps its last good objects.
            text, problem = read_source(current[name], name)
            if problem is not None and problem.message == NO_SUCH_FILE:
                vanished.append(name)
                continue
            if text is None:
                broken[name] = [problem] if problem is not None else []
                continue
            after = signature(current[name])
            # Changed while read: a signature no later look can match, so it stays held.
            seen[name] = after if after == before else (-1, -1, -1)
            # A file saved again is tried again even if unchanged; one only found again
            # under a folder that came back is not (its refusals stand as they are).
            if text == state.text and (not state.problems or name in implied):
                self.settling.release(name)  # written back as it was: an in-place save
                continue  # saved without a change
            texts[name] = text
        parsed = {name: load_guarded(text, name) for name, text in texts.items()}
        # A file that would lose objects is held until it is stable (an in-place save is
        # read while it is empty). For the duplicate check such a file counts with its new
        # content, so that what it dropped may be taken over by another file.
        shrinking = {n: [] for n in vanished if self._would_lose(n, [])}
        for name, loaded in parsed.items():
            if not loaded.problems and self._would_lose(name, loaded.manifests):
                shrinking[name] = loaded.manifests
        good: dict[str, list[Manifest]] = {}
        for name in sorted(parsed):
            problems = list(parsed[name].problems)
            if not problems:
                problems = self._duplicates(name, parsed[name].manifests, good, vanished, shrinking)
            if problems:
                broken[name] = problems
            else:
                good[name] = parsed[name].manifests
        deleted: list[str] = []
        for name in [*vanished, *sorted(shrinking.keys() & good.keys())]:
            lost = self._lost(name, shrinking[name], good)
            path = current.get(name, Path(name))
            if lost and not self.settling.settled(name, path, seen.get(name)):
                good.pop(name, None)  # held: its last good objects stay, nothing is pruned
            else:
                self.settling.release(name)
                if name in vanished:
                    deleted.append(name)
        for name in parsed.keys() - shrinking.keys():
            self.settling.release(name)
        news = self._news(broken, changed)
        denied = sorted(locked - set(was_unreadable))
        if not (good or deleted or news or gone or back or denied or regained):
            return None
        manifests = [m for name in sorted(good) for m in good[name]]
        with lock if lock is not None else contextlib.nullcontext():
            guarded = apply_guarded(
                cluster,
                manifests,
                inventory=self.inventory,
                prune=[*sorted(good), *deleted],
                user=self.user,
            )
            report = guarded.report
            if self.on_apply is not None:
                self.on_apply(manifests, report, {n: texts[n] for n in good}, deleted)
            sim_seconds = cluster.now
            sim_time = cluster.now_datetime()
        for name in deleted:
            self.files.pop(name, None)
        for name, problems in broken.items():
            state = self.files.setdefault(name, FileState())
            state.text = texts.get(name, state.text)
            state.broken = problems
        for name, found in good.items():
            state = self.files.setdefault(name, FileState())
            state.text, state.manifests, state.broken = texts[name], found, []
            state.refused = [
                Problem(o.source, o.line_number, o.error_line())
                for o in report.outcomes
                if not o.ok and o.source == name
            ] + [p for p in guarded.crashed if p.file == name]
        errors = [str(self._missing_problem(p)) for p in sorted(gone)]
        errors += [str(self.unreadable[p]) for p in denied]
        errors += [str(p) for name in sorted(news) for p in broken[name]]
        errors += [
            str(Problem(o.source, o.line_number, o.error_line()))
            for o in report.outcomes
            if not o.ok
        ]
        errors += [str(p) for p in guarded.crashed]
        lines = [f"{self._path_name(p)} is back, watched again" for p in sorted(back)]
        lines += [f"{display_name(p)} is readable again" for p in sorted(regained)]
        return ReloadEntry(
            sim_seconds=sim_seconds,
            sim_time=sim_time,
            wall_time=self.wall_clock(),
            files=tuple(
                sorted(
                    {
                        *good,
                        *deleted,
                        *news,
                        *(self._path_name(p) for p in gone | back),
                        *(display_name(p) for p in {*denied, *regained}),
                    }
                )
            ),
            lines=(*lines, *report.lines()),
            errors=tuple(errors),
            notices=tuple(o.replaced_notice() for o in report.replaced()),
            initial=initial,
        )

    def adopt(
        self,
        cluster: Cluster,
        manifests: Sequence[Manifest],
        texts: dict[str, str],
        *,
        lock: AbstractContextManager | None = None,
        refused: Sequence[Problem] = (),
    ) -> ReloadEntry:
        """Take over what the console applied at start instead of applying every file again
        (podtui.reload.adopt)."""
        from podtui.reload.adopt import adopt

        return adopt(self, cluster, manifests, texts, lock=lock, refused=refused)

    def _news(self, broken: dict[str, list[Problem]], changed: set[Path] | None) -> set[str]:
        """Broken files worth a log entry: newly broken, or saved again."""
        named = {display_name(p) for p in changed} if changed is not None else set(broken)
        return {
            name
            for name, problems in broken.items()
            if name in named or problems != self.files.get(name, FileState()).broken
        }

    def _duplicates(
        self,
        name: str,
        manifests: list[Manifest],
        good: dict[str, list[Manifest]],
        deleted: list[str],
        held: dict[str, list[Manifest]],
    ) -> list[Problem]:
        """An object another file already defines (kubectl would apply both, the last
        winning; podtui refuses the second file, as `podtui validate` does). A held file
        counts with its new content: an object cut from it may be pasted elsewhere."""
        defined: dict[tuple[str, str, str], Manifest] = {}
        for other, state in self.files.items():
            if other != name and other not in good and other not in deleted:
                for manifest in held.get(other, state.manifests):
                    defined.setdefault(_key(manifest), manifest)
        for found in good.values():
            for manifest in found:
                defined.setdefault(_key(manifest), manifest)
        problems = []
        for manifest in manifests:
            first = defined.get(_key(manifest))
            if first is not None and manifest.name:
                namespace = _key(manifest)[1]
                problems.append(
                    Problem(
                        manifest.file,
                        manifest.line,
                        f'duplicate {manifest.kind} "{manifest.name}"'
                        + (f' in namespace "{namespace}"' if namespace else "")
                        + f" (first defined at {first.file}:{first.line})",
                    )
                )
        return problems


NO_SUCH_FILE = "cannot read file: no such file"
"""read_source's answer for a file deleted since the walk found it."""

PATH_KEY = "PATH "
"""Settling keys of the PATHs themselves (a file's key is its display name)."""


# A path under a folder that cannot be listed raises PermissionError on stat: it is not
# known to be missing (manifest_files says why it cannot be read), nor a file or folder.
def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _path_key(path: Path) -> str:
    return PATH_KEY + str(path.absolute())


def _key(manifest: Manifest) -> tuple[str, str, str]:
    info = lookup(str(manifest.obj.get("apiVersion", "")), manifest.kind)
    namespaced = info is None or info.namespaced
    return (manifest.kind, (manifest.namespace or "default") if namespaced else "", manifest.name)
