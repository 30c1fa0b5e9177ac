"""Which file events matter: manifests under the watched PATHs, not what editors leave behind.

watchfiles' DefaultFilter already drops vim swap files (`.swp`), backups (`~`) and Emacs
lock files (`.#x`); it keeps vim's write test file `4913`, temporary files, and hidden
files, which a manifest folder never means. Events on paths without a suffix are kept: a
folder added or removed (a subfolder moved in arrives as one event) makes the reloader
look again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from watchfiles import Change, DefaultFilter

from engine.manifests.loader import MANIFEST_SUFFIXES

EDITOR_ARTEFACTS = (
    r"^4913$",  # vim checks it can write to the folder with this file
    r"\.sw.$",
    r"~$",
    r"^\.#",
    r"^#.*#$",  # Emacs auto-save
    r"\.(tmp|temp|bak|orig|rej|crswap|kate-swp)$",
    r"___jb_(tmp|old|bak)___$",  # JetBrains safe write
)


class ManifestFilter(DefaultFilter):
    """Keep events for manifest files (and possible folders) inside the watched PATHs."""

    ignore_entity_patterns = (*DefaultFilter.ignore_entity_patterns, *EDITOR_ARTEFACTS)

    def __init__(
        self, folders: list[Path], files: list[Path], *, roots: Sequence[Path] = ()
    ) -> None:
        super().__init__()
        self.folders = [p.absolute() for p in folders]
        self.files = {p.absolute() for p in files}
        self.roots = {p.absolute() for p in roots}
        """The watched folders themselves: their deletion always matters."""
        self._artefact = re.compile("|".join(EDITOR_ARTEFACTS))

    def __call__(self, change: Change, path: str) -> bool:
        candidate = Path(path)
        if candidate in self.files or candidate in self.roots:
            return True
        root = next((f for f in self.folders if candidate.is_relative_to(f)), None)
        if root is None:
            return False
        relative = candidate.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            return False
        if not super().__call__(change, path):
            return False
        suffix = candidate.suffix
        if suffix in MANIFEST_SUFFIXES:
            return True
        # A name without a suffix may be a folder; anything else is not a manifest.
        return not suffix and not self._artefact.search(candidate.name)


def is_artefact(name: str) -> bool:
    """Whether a file name is an editor's temporary, backup or swap file."""
    return bool(re.search("|".join(EDITOR_ARTEFACTS), name)) or name.startswith(".")
