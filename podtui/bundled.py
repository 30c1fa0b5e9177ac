"""Files that travel with podtui: the bundled sample cluster.

In an installed podtui (a wheel, `pip install .`, `pipx install`) the sample cluster is package
data, `podtui/sample_manifests/`, copied there from the repository's top-level
`sample_manifests/` when the wheel is built (see setup.py). In a development checkout (an
editable install) there is no copy: the repository's own folder is used, so there is only ever
one source to edit.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from pathlib import Path

_CHECKOUT_SAMPLE = Path(__file__).resolve().parent.parent / "sample_manifests"
_files = contextlib.ExitStack()
atexit.register(_files.close)


def sample_manifests() -> Path:
    """The folder of the bundled sample cluster, as a real path the loader and watcher can use."""
    packaged = resources.files("podtui") / "sample_manifests"
    if packaged.is_dir():
        # as_file gives a real folder even when podtui is imported from a zip archive.
        return Path(_files.enter_context(resources.as_file(packaged)))
    return _CHECKOUT_SAMPLE
