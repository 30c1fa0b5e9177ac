"""Word expansion: parameters, command substitution, arithmetic, field splitting and globs."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Generator, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.shell.arithmetic import Arithmetic
from engine.shell.fs import FsError, normalize
from engine.shell.parser import Arith, CmdSub, Lit, Param, Sequence, Word
from engine.shell.scheduler import ExitShell
from engine.shell.streams import IO, Capture

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


def expand_words(shell: Shell, words: Iterable[Word], io: IO) -> Generator[Any, Any, list[str]]:
    fields: list[str] = []
    for word in words:
        fields.extend((yield from _expand_fields(shell, word, io)))
    return fields


def expand_str(shell: Shell, word: Word, io: IO) -> Generator[Any, Any, str]:
    chunks = yield from _chunks(shell, word, io)
    return "".join(text for text, _ in chunks)


def expand_pattern(shell: Shell, word: Word, io: IO) -> Generator[Any, Any, str]:
    chunks = yield from _chunks(shell, word, io)
    return "".join(text if kind == "lit" else _glob_escape(text) for text, kind in chunks)


def _expand_fields(shell: Shell, word: Word, io: IO) -> Generator[Any, Any, list[str]]:
    if len(word.parts) == 1 and isinstance(word.parts[0], Param):
        part = word.parts[0]
        if part.quoted and part.name == "@" and not part.op:
            return list(shell.positional)
    chunks = yield from _chunks(shell, word, io)
    fields: list[tuple[str, str]] = []  # (text, glob pattern)
    text, pattern, started = [], [], False
    ifs = shell.vars.get("IFS", " \t\n")
    for chunk, kind in chunks:
        if kind != "exp":
            text.append(chunk)
            pattern.append(chunk if kind == "lit" else _glob_escape(chunk))
            started = True
            continue
        for ch in chunk:
            if ch in ifs:
                if started:
                    fields.append(("".join(text), "".join(pattern)))
                    text, pattern, started = [], [], False
                continue
            text.append(ch)
            pattern.append(_glob_escape(ch))
            started = True
    if started:
        fields.append(("".join(text), "".join(pattern)))
    result: list[str] = []
    for value, glob in fields:
        matches = _glob(shell, glob) if _has_magic(glob) else []
        result.extend(matches or [value])
    return result


def _chunks(shell: Shell, word: Word, io: IO) -> Generator[Any, Any, list[tuple[str, str]]]:
    """Expand a word's parts into (text, kind): 'lit', 'quoted' or 'exp' (splittable)."""
    chunks: list[tuple[str, str]] = []
    for index, part in enumerate(word.parts):
        if isinstance(part, Lit):
            value = part.text
            if index == 0 and not part.quoted and (value == "~" or value.startswith("~/")):
                value = shell.vars.get("HOME", "/root") + value[1:]
            chunks.append((value, "quoted" if part.quoted else "lit"))
            continue
        if isinstance(part, Param):
            value = yield from _expand_param(shell, part, io)
        elif isinstance(part, CmdSub):
            value = yield from _command_substitution(shell, part.body, io)
        else:
            value = yield from _arith_expand(shell, part, io)
        chunks.append((value, "quoted" if part.quoted else "exp"))
    return chunks


def _expand_param(shell: Shell, part: Param, io: IO) -> Generator[Any, Any, str]:
    value = shell.param(part.name)
    op = part.op
    if op == "#len":
        return str(len(value or ""))
    if not op:
        if value is None and "u" in shell.options and part.name not in {"@", "*"}:
            shell.error(io, f"{part.name}: parameter not set", command=None)
            raise ExitShell(2)
        return value or ""
    unset = value is None or (op.startswith(":") and value == "")
    if op in {":-", "-"}:
        return (yield from _arg(shell, part, io)) if unset else (value or "")
    if op in {":=", "="}:
        if unset:
            value = yield from _arg(shell, part, io)
            shell.set_var(part.name, value)
        return value or ""
    if op in {":+", "+"}:
        return "" if unset else (yield from _arg(shell, part, io))
    if op in {":?", "?"}:
        if unset:
            message = (yield from _arg(shell, part, io)) or "parameter not set"
            shell.error(io, f"{part.name}: {message}")
            raise ExitShell(2)
        return value or ""
    pattern = ""
    if part.arg is not None:
        pattern = yield from expand_pattern(shell, part.arg, io)
    return _remove_affix(value or "", op, pattern)


def _arg(shell: Shell, part: Param, io: IO) -> Generator[Any, Any, str]:
    if part.arg is None:
        return ""
    return (yield from expand_str(shell, part.arg, io))


def _command_substitution(shell: Shell, body: Sequence, io: IO) -> Generator[Any, Any, str]:
    capture = Capture()
    sub_io = replace(io, out=capture)
    status = yield from shell.subshell(body, sub_io)
    shell.cmdsub_status = status
    shell.status = status
    return capture.text().rstrip("\n")


def _arith_expand(shell: Shell, part: Arith, io: IO) -> Generator[Any, Any, str]:
    text = yield from expand_str(shell, part.expr, io)
    try:
        return str(Arithmetic(text, shell).evaluate())
    except ZeroDivisionError:
        shell.error(io, "divide by zero")
    except ValueError:
        shell.error(io, "arithmetic syntax error")
    raise ExitShell(2)


def _glob(shell: Shell, pattern: str) -> list[str]:
    absolute = pattern.startswith("/")
    bases = ["/" if absolute else ""]
    for component in [c for c in pattern.split("/") if c]:
        found = []
        for base in bases:
            if not _has_magic(component):
                candidate = posixpath.join(base, _glob_unescape(component))
                if shell.fs.exists(normalize(candidate, shell.cwd)):
                    found.append(candidate)
                continue
            try:
                names = shell.fs.listdir(normalize(base or ".", shell.cwd))
            except FsError:
                continue
            for entry in names:
                if entry.startswith(".") and not component.startswith("."):
                    continue
                if fnmatch.fnmatchcase(entry, component):
                    found.append(posixpath.join(base, entry))
        bases = found
    return sorted(bases)


_MAGIC = re.compile(r"(?<!\[)[*?]|\[(?![*?\[]\])")


def _has_magic(pattern: str) -> bool:
    return _MAGIC.search(pattern) is not None


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _glob_unescape(text: str) -> str:
    return re.sub(r"\[([*?\[])\]", r"\1", text)


def _remove_affix(value: str, op: str, pattern: str) -> str:
    """`${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`."""
    size = len(value)
    if op in {"#", "##"}:
        order = range(size + 1) if op == "#" else range(size, -1, -1)
        for cut in order:
            if fnmatch.fnmatchcase(value[:cut], pattern):
                return value[cut:]
        return value
    order = range(size, -1, -1) if op == "%" else range(size + 1)
    for cut in order:
        if fnmatch.fnmatchcase(value[cut:], pattern):
            return value[:cut]
    return value
