"""File tools: cat, touch, rm, rmdir, mkdir, ls, cp, mv, tee (and no-op chmod/chown/ln)."""

from __future__ import annotations

import errno as _errno
import math
import posixpath
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from engine.shell.fs import FsError, normalize
from engine.shell.registry import tool, write_err, write_out
from engine.shell.scheduler import Sleep
from engine.shell.streams import IO

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


@tool("cat", blocking=True)
def _cat(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    files = [a for a in argv[1:] if not (a.startswith("-") and a != "-")]
    if not files:
        files = ["-"]
    status = 0
    for name in files:
        if name == "-":
            if io.stdin is None:
                yield Sleep(math.inf)
            write_out(io, io.stdin or "")
            continue
        path = normalize(name, shell.cwd)
        try:
            write_out(io, shell.fs.read(path))
        except FsError as err:
            key = "cat_dir" if err.errno == _errno.EISDIR else "cat_open"
            write_err(io, shell.tool_text(key, path=name, err=err.strerror))
            status = 1
    return status


@tool("touch")
def _touch(shell: Shell, argv: list[str], io: IO) -> int:
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        try:
            shell.fs.touch(normalize(name, shell.cwd))
        except FsError as err:
            write_err(io, shell.tool_text("touch", path=name, err=err.strerror))
            status = 1
    return status


@tool("rm")
def _rm(shell: Shell, argv: list[str], io: IO) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and a != "-")
    force, recursive = "f" in flags, bool({"r", "R"} & set(flags))
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-") or a == "-"):
        path = normalize(name, shell.cwd)
        try:
            if shell.fs.is_dir(path) and not recursive:
                write_err(io, shell.tool_text("rm_dir", path=name))
                status = 1
                continue
            shell.fs.remove(path, recursive=recursive)
        except FsError as err:
            if not (force and err.errno == _errno.ENOENT):
                write_err(io, shell.tool_text("rm", path=name, err=err.strerror))
                status = 1
    return status


@tool("rmdir")
def _rmdir(shell: Shell, argv: list[str], io: IO) -> int:
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        path = normalize(name, shell.cwd)
        try:
            if shell.fs.is_file(path):
                raise FsError(_errno.ENOTDIR, path)
            if shell.fs.listdir(path):
                raise FsError(_errno.ENOTEMPTY, path)
            shell.fs.remove(path, recursive=True)
        except FsError as err:
            write_err(io, shell.tool_text("rmdir", path=name, err=err.strerror))
            status = 1
    return status


@tool("mkdir")
def _mkdir(shell: Shell, argv: list[str], io: IO) -> int:
    parents = any(a.startswith("-") and "p" in a for a in argv[1:])
    status = 0
    args = argv[1:]
    skip = False
    for index, name in enumerate(args):
        if skip or name.startswith("-"):
            skip = name == "-m" and index + 1 < len(args)
            continue
        try:
            shell.fs.mkdir(normalize(name, shell.cwd), parents=parents)
        except FsError as err:
            write_err(io, shell.tool_text("mkdir", path=name, err=err.strerror))
            status = 1
    return status


@tool("ls")
def _ls(shell: Shell, argv: list[str], io: IO) -> int:
    show_all = any(a.startswith("-") and "a" in a for a in argv[1:])
    names = [a for a in argv[1:] if not a.startswith("-")] or ["."]
    status = 0
    for name in names:
        path = normalize(name, shell.cwd)
        if shell.fs.is_file(path):
            write_out(io, name + "\n")
            continue
        try:
            entries = shell.fs.listdir(path)
        except FsError as err:
            write_err(io, shell.tool_text("ls", path=name, err=err.strerror))
            status = 2 if shell.flavor.tools == "gnu" else 1
            continue
        if len(names) > 1:
            write_out(io, f"{name}:\n")
        for entry in entries:
            if show_all or not entry.startswith("."):
                write_out(io, entry + "\n")
    return status


@tool("cp", "mv")
def _cp(shell: Shell, argv: list[str], io: IO) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    if len(args) < 2:
        write_err(io, shell.tool_text("missing_operand", tool=argv[0]))
        return 1
    *sources, dest = args
    status = 0
    for source in sources:
        src = normalize(source, shell.cwd)
        target = normalize(dest, shell.cwd)
        if shell.fs.is_dir(target):
            target = posixpath.join(target, posixpath.basename(src))
        try:
            shell.fs.write(target, shell.fs.read(src))
            if argv[0] == "mv":
                shell.fs.remove(src)
        except FsError as err:
            write_err(io, shell.tool_text("cp_stat", tool=argv[0], path=source, err=err.strerror))
            status = 1
    return status


@tool("chmod", "chown", "chgrp", "ln", "sync", "umask", "ulimit")
def _no_op(shell: Shell, argv: list[str], io: IO) -> int:
    # Permissions and links are not modelled; these succeed as they would for root.
    return 0


@tool("tee")
def _tee(shell: Shell, argv: list[str], io: IO) -> int:
    append = any(a.startswith("-") and "a" in a for a in argv[1:])
    text = io.stdin or ""
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        try:
            shell.fs.write(normalize(name, shell.cwd), text, append=append)
        except FsError as err:
            write_err(io, shell.tool_text("tee", path=name, err=err.strerror))
            status = 1
    write_out(io, text)
    return status
