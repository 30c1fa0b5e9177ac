"""The checkpoint file: gzip-compressed JSON with a format name, format version and the
version of podtui that wrote it.

A checkpoint is user input: whatever is wrong with it (not a checkpoint, truncated, damaged,
another format or podtui version) is a `CheckpointError` whose text is `FILE: message`,
never a traceback. Reading runs no code from the file (no pickle).
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.api.admission import ADMIN, UserInfo
from engine.checkpoint.entries import Entry
from engine.manifests.jsonread import JSONRefused, load_json
from engine.manifests.yamlbuild import MAX_DEPTH as MANIFEST_MAX_DEPTH
from engine.timeutil import DEFAULT_START

FORMAT = "podtui-checkpoint"
FORMAT_VERSION = 1
"""Bumped whenever what a checkpoint holds, or how it is read, changes."""

MAX_BYTES = 1 << 30
"""A checkpoint larger than this once uncompressed is refused (a gzip bomb is tiny on disk)."""

_CHUNK = 1 << 20

MAX_DEPTH = MANIFEST_MAX_DEPTH + 32
"""How deep a checkpoint may nest: an object as deep as a manifest may be, under the
checkpoint's own levels (entries, their data, the manifest list) and its managedFields
(fieldsV1 mirrors the object a few levels down). Read without recursion, so a hand-made
deeper file is refused instead of breaking the replay with a RecursionError."""


def podtui_version() -> str:
    """The installed podtui distribution's version (the engine ships inside it)."""
    try:
        return metadata.version("podtui")
    except metadata.PackageNotFoundError:
        return "unknown"


class CheckpointError(Exception):
    """A checkpoint that cannot be written or resumed; str() is `FILE: message`."""

    def __init__(self, file: str | os.PathLike[str], message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = str(file)
        self.message = message


@dataclass
class Checkpoint:
    """Everything needed to resume a cluster (see engine.checkpoint)."""

    at: float
    """Simulated seconds since the start when the checkpoint was taken."""
    entries: list[Entry]
    """Every change from outside in order; those after `at` are scenario steps to come."""
    seed: int = 0
    start: datetime = DEFAULT_START
    step: float = 1.0
    user: UserInfo = ADMIN
    default_nodes: bool = True
    paths: list[str] = field(default_factory=list)
    """The PATHs the cluster was started on (the console watches them again on --load)."""
    settled: bool = True
    """Whether the cluster ran what was due at `at` after the last change (`podtui sim`
    does; the console saves between a change and the next tick)."""
    workdir: str = ""
    """The working folder relative PATHs and file names were given in."""
    origin: str = "sim"
    """`sim` or `console`: what took the checkpoint."""
    sources: dict[str, str] = field(default_factory=dict)
    """The watched manifest files' text as last applied, by name (the console's hot reload
    takes over from there on --load)."""
    fingerprint: str = ""
    """engine.checkpoint.replay.fingerprint of the cluster at `at`."""
    objects: list[dict] = field(default_factory=list)
    """The objects at `at`, for people and tools reading the file; the replay rebuilds them."""
    podtui_version: str = field(default_factory=podtui_version)

    def done(self) -> list[Entry]:
        return [e for e in self.entries if e.at <= self.at]

    def to_come(self) -> list[Entry]:
        return [e for e in self.entries if e.at > self.at]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "formatVersion": FORMAT_VERSION,
            "podtuiVersion": self.podtui_version,
            "origin": self.origin,
            "seed": self.seed,
            "startTime": self.start.isoformat(),
            "tick": self.step,
            "user": {"name": self.user.name, "groups": list(self.user.groups)},
            "defaultNodes": self.default_nodes,
            "paths": list(self.paths),
            "workdir": self.workdir,
            "sources": dict(self.sources),
            "at": self.at,
            "settled": self.settled,
            "fingerprint": self.fingerprint,
            "entries": [e.to_json() for e in self.entries],
            "objects": self.objects,
        }


def write_checkpoint(path: str | os.PathLike[str], checkpoint: Checkpoint) -> None:
    """Write atomically: a crash mid-write leaves the old file (or none), never half of one."""
    target = Path(path)
    text = json.dumps(checkpoint.to_json(), sort_keys=True, ensure_ascii=True, allow_nan=False)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        # No name or mtime in the gzip header: the same cluster gives the same bytes.
        with (
            open(tmp, "wb") as raw,
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out,
        ):
            out.write(text.encode("ascii"))
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise CheckpointError(path, f"cannot write: {err.strerror or err}") from err


def read_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read and check a checkpoint; raises CheckpointError (`FILE: message`)."""
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(path, "not a podtui checkpoint")
    version = data.get("formatVersion")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            path,
            f"checkpoint format {version!r}; this podtui ({podtui_version()}) reads format "
            f"{FORMAT_VERSION}",
        )
    written_by = data.get("podtuiVersion")
    if written_by != podtui_version():
        raise CheckpointError(
            path,
            f"written by podtui {written_by}; this is podtui {podtui_version()}, and a "
            "checkpoint resumes only in the version that wrote it",
        )
    try:
        return _from_json(data)
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise CheckpointError(path, f"damaged checkpoint: {err}") from err


def _read_json(path: str | os.PathLike[str]) -> object:
    try:
        with gzip.open(path, "rb") as raw:
            chunks: list[bytes] = []
            size = 0
            while chunk := raw.read(_CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise CheckpointError(
                        path, f"larger than {MAX_BYTES >> 20} MiB uncompressed; refused"
                    )
                chunks.append(chunk)
    except gzip.BadGzipFile as err:
        if "CRC" in str(err) or "length" in str(err):
            raise CheckpointError(path, "damaged checkpoint (checksum mismatch)") from err
        raise CheckpointError(path, "not a podtui checkpoint") from err
    except EOFError as err:
        raise CheckpointError(path, "truncated checkpoint (the file ends too early)") from err
    except zlib.error as err:
        raise CheckpointError(path, "damaged checkpoint (not valid compressed data)") from err
    except OSError as err:
        raise CheckpointError(path, err.strerror or str(err)) from err
    data = b"".join(chunks)
    try:
        return load_json(data, MAX_DEPTH)
    except JSONRefused as err:
        if err.message.startswith("exceeded max depth") and data.startswith(b'{"'):
            # A checkpoint podtui wrote, changed by hand or by a bad disk: say what is wrong.
            raise CheckpointError(path, f"damaged checkpoint: {err.message}") from err
        raise CheckpointError(path, "not a podtui checkpoint (its content is not JSON)") from err


def _number(data: dict, key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError(f"{key} is not a number")
    return float(value)


def _from_json(data: dict) -> Checkpoint:
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError("seed is not an integer")
    user = data.get("user") or {}
    if not isinstance(user.get("name"), str) or not isinstance(user.get("groups"), list):
        raise ValueError("user is not valid")
    start = datetime.fromisoformat(str(data.get("startTime")))
    if start.tzinfo is None:
        raise ValueError("startTime has no time zone")
    tick = _number(data, "tick")
    at = _number(data, "at")
    if tick <= 0 or at < 0:
        raise ValueError("tick or at out of range")
    entries = data.get("entries")
    objects = data.get("objects", [])
    paths = data.get("paths", [])
    if not isinstance(entries, list) or not isinstance(objects, list):
        raise ValueError("entries or objects are not lists")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("paths are not a list of strings")
    sources = data.get("sources", {})
    if not isinstance(sources, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in sources.items()
    ):
        raise ValueError("sources are not a mapping of names to texts")
    if not isinstance(data.get("fingerprint"), str):
        raise ValueError("fingerprint is missing")
    return Checkpoint(
        at=at,
        entries=[Entry.from_json(e) for e in entries],
        seed=seed,
        start=start,
        step=tick,
        user=UserInfo(user["name"], tuple(str(g) for g in user["groups"])),
        default_nodes=bool(data.get("defaultNodes", True)),
        paths=paths,
        workdir=str(data.get("workdir", "")),
        settled=bool(data.get("settled", True)),
        origin=str(data.get("origin", "sim")),
        sources=sources,
        fingerprint=data["fingerprint"],
        objects=objects,
        podtui_version=str(data.get("podtuiVersion")),
    )
