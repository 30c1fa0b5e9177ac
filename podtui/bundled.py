"""Files that travel with podtui: the bundled sample cluster and the lessons.

In an installed podtui (a wheel, `pip install .`, `pipx install`) the sample cluster is package
data, `podtui/sample_manifests/`, copied there from the repository's top-level
`sample_manifests/` when the wheel is built (see setup.py). In a development checkout (an
editable install) there is no copy: the repository's own folder is used, so there is only ever
one source to edit. The lessons of `podtui learn` travel the same way: top-level `lessons/`,
copied to `podtui/lessons/`.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
_CHECKOUT_SAMPLE = _CHECKOUT / "sample_manifests"
_files = contextlib.ExitStack()
atexit.register(_files.close)


def _bundled(folder: str) -> Path:
    packaged = resources.files("podtui") / folder
    if packaged.is_dir():
        # as_file gives a real folder even when podtui is imported from a zip archive.
        return Path(_files.enter_context(resources.as_file(packaged)))
    return _CHECKOUT / folder


def sample_manifests() -> Path:
    """The folder of the bundled sample cluster, as a real path the loader and watcher can use."""
    return _bundled("sample_manifests")


def lessons() -> Path:
    """The folder of the bundled lessons of `podtui learn` (one folder per lesson)."""
    return _bundled("lessons")
