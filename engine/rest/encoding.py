"""JSON as the served API writes it: compact, one encoding per change or response.

Encoding is most of what serving costs at scale (each change of a watched kind is encoded
once, a 150,000-pod list is 400 MB), so it goes through orjson, which encodes the engine's
plain dicts about ten times faster than the standard library. The bytes are the standard
library's compact form (`separators=(",", ":")`, non-ASCII escaped as `\\uXXXX`): output
that is not pure ASCII, a value orjson refuses (an integer past 64 bits, a non-string key)
and a machine without orjson all take `json.dumps`. Floats are the one difference orjson
makes in form: `1e-05` is written `0.00001`, the same number.
"""

from __future__ import annotations

import json

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback stays correct
    orjson = None


def _stdlib(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def dumps(obj: object) -> bytes:
    """`obj` as compact JSON bytes."""
    if orjson is not None:
        try:
            out = orjson.dumps(obj)
        except TypeError:
            return _stdlib(obj)
        if out.isascii():
            return out
    return _stdlib(obj)
