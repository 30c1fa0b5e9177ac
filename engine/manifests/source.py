"""Reading a manifest or scenario file into text, within podtui's size limit.

YAML (and JSON) streams are UTF-8, or UTF-16/32 when they start with a byte order mark,
as the YAML spec (5.2) and go-yaml's reader allow; a UTF-8 byte order mark is dropped (a
`.json` file saved by some Windows editors starts with one, and is valid JSON to
kubectl). Anything else is refused with the line it happens on, never a traceback.
"""

from __future__ import annotations

import codecs
import errno
import os
from pathlib import Path

from engine.manifests.yamldoc import MAX_FILE_BYTES, Problem, file_too_large, looks_like_utf16

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_source(path: str | Path, name: str | None = None) -> tuple[str | None, Problem | None]:
    """The text of a file, or the problem that keeps it from being read.

    At most MAX_FILE_BYTES (+1, to tell a file that is too large) are read, so a huge
    file costs no more memory than the limit.
    """
    shown = name if name is not None else str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        return None, Problem(shown, 0, "permission denied")
    except IsADirectoryError:
        return None, Problem(shown, 0, "is a folder, not a file")
    except OSError as err:
        reason = os.strerror(err.errno) if err.errno else str(err)
        if err.errno == errno.ENOENT:
            reason = "no such file"
        return None, Problem(shown, 0, f"cannot read file: {reason}")
    if len(data) > MAX_FILE_BYTES:
        return None, file_too_large(shown)
    return decode_source(data, shown)


def decode_source(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    """Bytes to text: UTF-8, or the encoding a byte order mark names."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as err:
                return None, _bad_bytes(data, err, name, encoding)
            return text.removeprefix("\ufeff"), None
    if looks_like_utf16(data[:64]):
        return None, Problem(
            name,
            1,
            "the file looks like UTF-16 without a byte order mark: save it as UTF-8 "
            "(or UTF-16 with a byte order mark)",
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return None, _bad_bytes(data, err, name, "utf-8")


def _bad_bytes(data: bytes, err: UnicodeDecodeError, name: str, encoding: str) -> Problem:
    line = data[: err.start].count(b"\n") + 1
    what = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
    # go-yaml's reader refuses the same bytes ("invalid leading UTF-8 octet").
    return Problem(name, line, f"error parsing YAML: invalid {what} (byte 0x{data[err.start]:02x})")
