"""Where a command's output goes: the host's log, a file, a capture, nowhere."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from engine.shell.fs import Filesystem, FsError
from engine.shell.host import ShellHost


class Sink:
    __slots__ = ()

    def write(self, text: str) -> None:
        raise NotImplementedError


class HostSink(Sink):
    __slots__ = ("host", "stream")

    def __init__(self, host: ShellHost, stream: str) -> None:
        self.host = host
        self.stream = stream

    def write(self, text: str) -> None:
        if text:
            self.host.output(self.stream, text)


class CallbackSink(Sink):
    __slots__ = ("_write", "stream")

    def __init__(self, write: Callable[[str, str], None], stream: str) -> None:
        self._write = write
        self.stream = stream

    def write(self, text: str) -> None:
        if text:
            self._write(self.stream, text)


class NullSink(Sink):
    __slots__ = ()

    def write(self, text: str) -> None:
        pass


class FileSink(Sink):
    __slots__ = ("fs", "path")

    def __init__(self, fs: Filesystem, path: str) -> None:
        self.fs = fs
        self.path = path

    def write(self, text: str) -> None:
        # If the file vanished after it was opened, the bytes go nowhere.
        with contextlib.suppress(FsError):
            self.fs.write(self.path, text, append=True)


class Capture(Sink):
    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(slots=True)
class IO:
    stdin: str | None  # None: an open stdin that never delivers input (readers block)
    out: Sink
    err: Sink
