"""Redirections: `> file`, `>> file`, `< file`, `2>&1`, here-documents, /dev/null, /proc/1/fd/1."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.shell.expansion import expand_str
from engine.shell.fs import FsError, normalize
from engine.shell.messages import redirect_text
from engine.shell.parser import HereDocRedir, Redir
from engine.shell.streams import IO, CallbackSink, FileSink, NullSink, Sink

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


def redirect(shell: Shell, redirs: tuple[Redir, ...], io: IO) -> Generator[Any, Any, IO | None]:
    if not redirs:
        return io
    result = replace(io)
    for redir in redirs:
        if isinstance(redir, HereDocRedir):
            result.stdin = yield from expand_str(shell, redir.body, result)
            continue
        target = yield from expand_str(shell, redir.target, result)
        if redir.op in {">&", "<&"}:
            if redir.fd in (1, 2) and target in {"1", "2", "-"}:
                sink = {"1": result.out, "2": result.err, "-": NullSink()}[target]
                if redir.fd == 1:
                    result.out = sink
                else:
                    result.err = sink
            elif redir.op == ">&" and not target.isdigit():
                sink = _open_sink(shell, target, False, result)
                if sink is None:
                    return None
                result.out = result.err = sink
            continue
        if redir.op == "<":
            try:
                result.stdin = shell.fs.read(normalize(target, shell.cwd))
            except FsError as err:
                shell.error(io, redirect_text(shell, target, err, create=False))
                return None
            continue
        sink = _open_sink(shell, target, redir.op == ">>", result)
        if sink is None:
            return None
        if redir.op == "&>":
            result.out = result.err = sink
        elif redir.fd == 1:
            result.out = sink
        elif redir.fd == 2:
            result.err = sink
    return result


def _open_sink(shell: Shell, target: str, append: bool, io: IO) -> Sink | None:
    special = {
        "/dev/null": NullSink(),
        "/dev/stdout": io.out,
        "/dev/stderr": io.err,
        "/proc/1/fd/1": CallbackSink(shell.pid1_output, "stdout"),
        "/proc/1/fd/2": CallbackSink(shell.pid1_output, "stderr"),
        "/proc/self/fd/1": io.out,
        "/proc/self/fd/2": io.err,
    }
    path = normalize(target, shell.cwd)
    if path in special:
        return special[path]
    try:
        if append:
            shell.fs.write(path, "", append=True)
        else:
            shell.fs.write(path, "")
    except FsError as err:
        shell.error(io, redirect_text(shell, target, err, create=True))
        return None
    return FileSink(shell.fs, path)
