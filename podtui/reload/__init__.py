"""Hot reload: the manifest folders are the source of truth.

The console watches every PATH it was given and re-applies what changes, like running
`kubectl apply --prune` on the folder at every save (docs/hot-reload.md).
"""

from podtui.reload.log import ReloadEntry, ReloadLog, ReloadResult
from podtui.reload.reloader import Reloader
from podtui.reload.state import ManifestFolders, read_texts

__all__ = ["ManifestFolders", "ReloadEntry", "ReloadLog", "ReloadResult", "Reloader", "read_texts"]
