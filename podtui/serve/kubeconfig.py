"""The kubeconfig `podtui serve` writes: server, CA, token; private from its first byte.

The file is created with mode 0600 (os.open's mode, never a chmod afterwards) in the
destination's folder under a temporary name, then renamed over the destination, so the
token is never readable by anyone else, not even for a moment, and an existing file with
looser permissions is replaced rather than written into.
"""

from __future__ import annotations

import base64
import contextlib
import os
from pathlib import Path

import yaml

CONTEXT = "podtui"


def kubeconfig(server: str, ca_pem: bytes, token: str, *, name: str = CONTEXT) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": f"{name}-admin", "user": {"token": token}}],
        "contexts": [
            {
                "name": name,
                "context": {"cluster": name, "user": f"{name}-admin", "namespace": "default"},
            }
        ],
        "current-context": name,
        "preferences": {},
    }


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 from creation (atomic rename into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_kubeconfig(path: Path, server: str, ca_pem: bytes, token: str) -> None:
    write_private(path, yaml.safe_dump(kubeconfig(server, ca_pem, token), sort_keys=False))
