"""Where `-f PATH` points: kubectl's working folder first, then the folders podtui watches.

kubectl resolves a relative `-f` against the working folder. The console also watches the
PATHs it was started with, and a tutorial's `create -f ./psp.yaml` means the psp.yaml of
the manifests on screen, wherever the console was started from: when the working folder
has no such file, the path is tried in each watched folder, then below it (the shallowest
match wins), and the console says which file it used.
"""

from __future__ import annotations

import os
from pathlib import Path

from podtui.app.session import Session


def _roots(session: Session) -> list[Path]:
    roots = [session.base_dir]
    for path in session.watched:
        root = path if path.is_dir() else path.parent
        if root not in roots:
            roots.append(root)
    return roots


def _below(root: Path, relative: Path) -> Path | None:
    """The shallowest file under root whose path ends with `relative` (hidden ones skipped)."""
    parts = relative.parts
    matches = [
        found
        for found in root.rglob(relative.name)
        if found.parts[-len(parts) :] == parts
        and not any(p.startswith(".") for p in found.relative_to(root).parts)
    ]
    if not matches:
        return None
    return min(matches, key=lambda p: (len(p.parts), str(p)))


def resolve_path(session: Session, path: str) -> Path:
    """A path as typed: absolute; else in the working folder; else in a watched folder."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    here = Path.cwd() / candidate
    if here.exists():
        return here
    relative = Path(*[p for p in candidate.parts if p != "."]) if candidate.parts else candidate
    roots = _roots(session)
    for root in roots:
        if (root / relative).exists():
            return root / relative
    if relative.parts and ".." not in relative.parts:
        for root in roots:
            if root.is_dir():
                found = _below(root, relative)
                if found is not None:
                    return found
    return here


def using_note(path: str, resolved: Path) -> str | None:
    """`(using sample_manifests/security/psp.yaml)` when -f did not mean the working folder's."""
    if Path(path).expanduser().is_absolute() or resolved == Path.cwd() / Path(path):
        return None
    resolved = Path(os.path.normpath(resolved.absolute()))
    try:
        shown = str(resolved.relative_to(Path.cwd()))
    except ValueError:
        shown = str(resolved)
    return f"(using {shown}: {path} is not in the working folder)"
