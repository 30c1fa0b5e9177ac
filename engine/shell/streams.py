"""Where a command's output goes: the host's log, a file, a capture, nowhere."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from engine.shell.fs import Filesystem, FsError
from engine.shell.host import ShellHost


class Sink:
    def write(self, text: str) -> None:
        raise NotImplementedError


class HostSink(Sink):
    def __init__(self, host: ShellHost, stream: str) -> None:
        self.host = host
        self.stream = stream

    def write(self, text: str) -> None:
        if text:
            self.host.output(self.stream, text)


class CallbackSink(Sink):
    def __init__(self, write: Callable[[str, str], None], stream: str) -> None:
        self._write = write
        self.stream = stream

    def write(self, text: str) -> None:
        if text:
            self._write(self.stream, text)


class NullSink(Sink):
    def write(self, text: str) -> None:
        pass


class FileSink(Sink):
    def __init__(self, fs: Filesystem, path: str) -> None:
        self.fs = fs
        self.path = path

    def write(self, text: str) -> None:
        # If the file vanished after it was opened, the bytes go nowhere.
        with contextlib.suppress(FsError):
            self.fs.write(self.path, text, append=True)


class Capture(Sink):
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class IO:
    stdin: str | None  # None: an open stdin that never delivers input (readers block)
    out: Sink
    err: Sink
