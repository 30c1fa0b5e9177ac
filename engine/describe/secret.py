"""`kubectl describe secret` (describeSecret): the keys and their sizes, never the values."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from engine.describe.common import write_object_meta
from engine.describe.writer import LEVEL_0, PrefixWriter

if TYPE_CHECKING:
    from engine.cluster import Cluster


def describe_secret(cluster: Cluster, secret: dict) -> str:
    """describeSecret."""
    meta = secret.get("metadata") or {}
    w = PrefixWriter()
    write_object_meta(w, meta)
    w.write(LEVEL_0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(LEVEL_0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        try:
            raw = base64.b64decode(str(data[key]), validate=False)
        except (binascii.Error, ValueError):
            raw = str(data[key]).encode()
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(LEVEL_0, f"{key}:\t{raw.decode(errors='replace')}\n")
        else:
            w.write(LEVEL_0, f"{key}:\t{len(raw)} bytes\n")
    return w.text()
