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
from engine.apply import LAST_APPLIED, Member, in_namespace, last_applied
from engine.cluster import Cluster
from engine.manifests.loader import Manifest
from engine.manifests.source import read_source
from engine.manifests.yamldoc import Problem
from podtui.reload.log import ReloadEntry
from podtui.reload.state import FileState, ManifestFolders, display_name


def adopt(
    folders: ManifestFolders,
    cluster: Cluster,
    manifests: Sequence[Manifest],
    texts: dict[str, str],
    *,
    lock: AbstractContextManager | None = None,
    refused: Sequence[Problem] = (),
) -> ReloadEntry:
    """Take over what the console applied at start instead of applying every file again.

    `manifests` are what was applied at start, `texts` the files' content read just
    before they were loaded (`read_texts`) and `refused` the objects the API server
    refused then (`FILE:LINE` of each document, as `podtui.app.session.Session.boot`
    keeps them). A file whose content is still the same and whose objects are all in the
    cluster as applied (same last-applied configuration) or were refused at start is
    adopted: the inventory learns its objects, its refusals stand, and nothing is sent to
    the cluster. Sending a refused object again is not free: admission runs again (the
    ServiceAccount plugin draws a volume name from the seeded generator), so the console
    would no longer play what `podtui sim` plays. Any other file (it changed since, an
    object is missing for another reason, or a file came or went) goes through an
    ordinary reload.
    """
    refusals = {
        (name, p.line): Problem(name, p.line, p.message)
        for p in refused
        for name in [display_name(Path(p.file))]
    }
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
            missing = [m for m, member in zip(found, members, strict=True) if member is None]
            if name not in texts or any((name, m.line) not in refusals for m in missing):
                state.text = None  # read and apply it again
                stale.add(name)
            else:
                for member in members:
                    if member is not None:
                        folders.inventory.record(name, member)
                        adopted += 1
                state.refused = [refusals[(name, m.line)] for m in missing]
            folders.files[name] = state
    current = folders.scan()
    for name, path in current.items():
        if name in folders.files and name not in stale:
            text, _problem = read_source(path)
            if text != folders.files[name].text:
                stale.add(name)
    standing = [
        p
        for name in sorted(folders.files)
        if name not in stale
        for p in folders.files[name].refused
    ]
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
        errors=(*(str(p) for p in standing), *(entry.errors if entry else ())),
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
    if annotations.get(LAST_APPLIED) != last_applied(in_namespace(manifest.obj, namespace)):
        return None
    type_name = info.type_name(str(manifest.obj.get("apiVersion", "")))
    return Member((info.kind, namespace, manifest.name), type_name, live["metadata"]["uid"])
