"""The manifest folders as the source of truth: each file's last good objects and its errors.

A reload reads the files that changed, parses and validates them as `podtui validate` does,
and hands every file that is good to `engine.apply.apply` with the file's inventory, which
creates, configures and prunes in kubectl's words. A file that fails to parse or validate
is not applied at all: its last good objects stay in the cluster and its problems stay
listed until a save fixes it; the other files of the same save still apply.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.api.admission import ADMIN, UserInfo
from engine.api.kinds import lookup
from engine.apply import LAST_APPLIED, ApplyReport, Inventory, Member, apply, last_applied
from engine.cluster import Cluster
from engine.manifests.loader import Manifest, load_text, manifest_files
from engine.manifests.yamldoc import Problem
from podtui.reload.log import ReloadEntry


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
    reloader can later tell which files are still exactly what was applied (`adopt`).
    """
    found, _ = manifest_files([str(p) for p in paths if Path(p).exists()])
    texts: dict[str, str] = {}
    for path in found:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            texts[display_name(path)] = path.read_text(encoding="utf-8")
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
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.user = user
        self.wall_clock = wall_clock
        self.files: dict[str, FileState] = {}
        self.inventory = Inventory()
        self.on_apply: OnApply | None = None
        """Told of every apply, inside the lock: (manifests, report, the good files' texts,
        deleted files) — the console's checkpoint log replays reloads from it."""

    # -- reading ----------------------------------------------------------------------------
    def scan(self) -> dict[str, Path]:
        """Every manifest file under the PATHs now, by display name."""
        found, _ = manifest_files([str(p) for p in self.paths if p.exists()])
        return {display_name(p): p for p in found}

    def _quick_scan(self, changed: set[Path] | None, known: set[str]) -> dict[str, Path] | None:
        """When every changed path is a known file that still exists (an edit, the usual
        save), the folders need no walk: the known files are the current ones."""
        if changed is None or not changed:
            return None
        named = {display_name(p): p for p in changed}
        if not all(n in known and p.is_file() for n, p in named.items()):
            return None
        return {name: Path(name) for name in known}

    def problems(self) -> list[Problem]:
        """Every file's standing errors, by file."""
        return [p for name in sorted(self.files) for p in self.files[name].problems]

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
        """
        initial = changed is None
        known = set(self.files)
        current = self._quick_scan(changed, known) or self.scan()
        if changed is None:
            candidates = set(current)
        else:
            named = {display_name(p) for p in changed}
            candidates = (named & (set(current) | known)) | (set(current) - known)
            candidates |= known - set(current)
            # A file refused for a duplicate may be fine now that another file changed.
            candidates |= {n for n, s in self.files.items() if s.broken}
        deleted = sorted(n for n in candidates if n not in current)
        texts: dict[str, str] = {}
        broken: dict[str, list[Problem]] = {}
        for name in sorted(candidates - set(deleted)):
            state = self.files.get(name, FileState())
            try:
                text = current[name].read_text(encoding="utf-8")
            except FileNotFoundError:
                deleted.append(name)
                continue
            except (OSError, UnicodeDecodeError) as err:
                broken[name] = [Problem(name, 0, f"cannot read file: {err}")]
                continue
            if text == state.text and not state.problems:
                continue  # saved without a change
            texts[name] = text
        parsed = {name: load_text(text, name) for name, text in texts.items()}
        good: dict[str, list[Manifest]] = {}
        for name in sorted(parsed):
            problems = list(parsed[name].problems)
            if not problems:
                problems = self._duplicates(name, parsed[name].manifests, good, deleted)
            if problems:
                broken[name] = problems
            else:
                good[name] = parsed[name].manifests
        news = self._news(broken, changed)
        if not good and not deleted and not news:
            return None
        manifests = [m for name in sorted(good) for m in good[name]]
        with lock if lock is not None else contextlib.nullcontext():
            report = apply(
                cluster,
                manifests,
                inventory=self.inventory,
                prune=[*sorted(good), *deleted],
                user=self.user,
            )
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
            ]
        errors = [str(p) for name in sorted(news) for p in broken[name]]
        errors += [
            str(Problem(o.source, o.line_number, o.error_line()))
            for o in report.outcomes
            if not o.ok
        ]
        return ReloadEntry(
            sim_seconds=sim_seconds,
            sim_time=sim_time,
            wall_time=self.wall_clock(),
            files=tuple(sorted({*good, *deleted, *news})),
            lines=tuple(report.lines()),
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
    ) -> ReloadEntry:
        """Take over what the console applied at start instead of applying every file again.

        `manifests` are what was applied at start and `texts` the files' content read just
        before they were loaded (`read_texts`). A file whose content is still the same and
        whose objects are all in the cluster as applied (same last-applied configuration) is
        adopted: the inventory learns its objects and nothing is written. Any other file (it
        changed since, an object is missing because it was refused, or a file came or went)
        goes through an ordinary reload.
        """
        by_file: dict[str, list[Manifest]] = {}
        for manifest in manifests:
            name = display_name(Path(manifest.file))
            by_file.setdefault(name, []).append(dataclasses.replace(manifest, file=name))
        stale: set[str] = set()
        adopted = 0
        with lock if lock is not None else contextlib.nullcontext():
            for name in sorted({*texts, *by_file}):
                found = by_file.get(name, [])
                state = FileState(texts.get(name), found)
                members = [_member(cluster, m) for m in found]
                if name not in texts or any(m is None for m in members):
                    state.text = None  # read and apply it again
                    stale.add(name)
                else:
                    for member in members:
                        self.inventory.record(name, member)  # type: ignore[arg-type]
                    adopted += len(members)
                self.files[name] = state
        current = self.scan()
        for name, path in current.items():
            if name in self.files and name not in stale:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = None
                if text != self.files[name].text:
                    stale.add(name)
        # An empty set still looks for files added or removed since the start.
        entry = self.reload(cluster, {Path(n) for n in stale}, lock=lock)
        with lock if lock is not None else contextlib.nullcontext():
            sim_seconds, sim_time = cluster.now, cluster.now_datetime()
        return ReloadEntry(
            sim_seconds=entry.sim_seconds if entry else sim_seconds,
            sim_time=entry.sim_time if entry else sim_time,
            wall_time=entry.wall_time if entry else self.wall_clock(),
            files=tuple(sorted(self.files)),
            lines=entry.lines if entry else (),
            errors=entry.errors if entry else (),
            notices=entry.notices if entry else (),
            initial=True,
            adopted=adopted,
        )

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
    ) -> list[Problem]:
        """An object another file already defines (kubectl would apply both, the last
        winning; podtui refuses the second file, as `podtui validate` does)."""
        defined: dict[tuple[str, str, str], Manifest] = {}
        for other, state in self.files.items():
            if other != name and other not in good and other not in deleted:
                for manifest in state.manifests:
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


def _member(cluster: Cluster, manifest: Manifest) -> Member | None:
    """The live object a manifest was applied as, or None if it is not there as applied."""
    info = lookup(str(manifest.obj.get("apiVersion", "")), manifest.kind)
    if info is None:
        return None
    namespace = (manifest.namespace or "default") if info.namespaced else ""
    live = cluster.store.get(info.kind, namespace, manifest.name)
    if live is None:
        return None
    annotations = live["metadata"].get("annotations") or {}
    if annotations.get(LAST_APPLIED) != last_applied(manifest.obj):
        return None
    type_name = info.type_name(str(manifest.obj.get("apiVersion", "")))
    return Member((info.kind, namespace, manifest.name), type_name, live["metadata"]["uid"])


def _key(manifest: Manifest) -> tuple[str, str, str]:
    info = lookup(str(manifest.obj.get("apiVersion", "")), manifest.kind)
    namespaced = info is None or info.namespaced
    return (manifest.kind, (manifest.namespace or "default") if namespaced else "", manifest.name)
