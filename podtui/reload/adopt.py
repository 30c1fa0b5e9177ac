"""The first load takes over what the console applied at start instead of applying it again.

The console applied every manifest when it opened (as `podtui sim` does at t=0); the
reloader's first load adopts the objects of every file that is still what was applied.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from engine.api.kinds import lookup
from engine.apply import LAST_APPLIED, Member, last_applied
from engine.cluster import Cluster
from engine.manifests.loader import Manifest
from podtui.reload.log import ReloadEntry
from podtui.reload.state import FileState, ManifestFolders, display_name


def adopt(
    folders: ManifestFolders,
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
                    folders.inventory.record(name, member)  # type: ignore[arg-type]
                adopted += len(members)
            folders.files[name] = state
    current = folders.scan()
    for name, path in current.items():
        if name in folders.files and name not in stale:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
            if text != folders.files[name].text:
                stale.add(name)
    # An empty set still looks for files added or removed since the start.
    entry = folders.reload(cluster, {Path(n) for n in stale}, lock=lock)
    with lock if lock is not None else contextlib.nullcontext():
        sim_seconds, sim_time = cluster.now, cluster.now_datetime()
    return ReloadEntry(
        sim_seconds=entry.sim_seconds if entry else sim_seconds,
        sim_time=entry.sim_time if entry else sim_time,
        wall_time=entry.wall_time if entry else folders.wall_clock(),
        files=tuple(sorted(folders.files)),
        lines=entry.lines if entry else (),
        errors=entry.errors if entry else (),
        notices=entry.notices if entry else (),
        initial=True,
        adopted=adopted,
    )


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
