"""Text tools: grep, wc, head, tail, seq, basename, dirname."""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from engine.shell.fs import FsError, normalize
from engine.shell.registry import tool, write_err, write_out
from engine.shell.scheduler import Sleep
from engine.shell.streams import IO

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


@tool("grep")
def _grep(shell: Shell, argv: list[str], io: IO) -> int:
    flags: set[str] = set()
    args: list[str] = []
    for arg in argv[1:]:
        if arg.startswith("-") and len(arg) > 1 and not args:
            flags.update(arg[1:])
        else:
            args.append(arg)
    if not args:
        write_err(io, "grep: missing pattern")
        return 2
    pattern, files = args[0], args[1:]
    regex = re.compile(
        pattern if "E" in flags else _bre_to_python(pattern), re.I if "i" in flags else 0
    )
    sources: list[tuple[str, str]] = []
    status = 0
    for name in files or ["-"]:
        if name == "-":
            sources.append(("(standard input)", io.stdin or ""))
            continue
        try:
            sources.append((name, shell.fs.read(normalize(name, shell.cwd))))
        except FsError as err:
            if "s" not in flags:
                write_err(io, shell.tool_text("grep", path=name, err=err.strerror))
            status = 2
    matched = 0
    for name, text in sources:
        count = 0
        for line in text.splitlines():
            if (regex.search(line) is not None) != ("v" in flags):
                count += 1
                if not flags & {"q", "c", "l"}:
                    prefix = f"{name}:" if len(sources) > 1 else ""
                    write_out(io, prefix + line + "\n")
        if "c" in flags:
            write_out(io, (f"{name}:" if len(sources) > 1 else "") + f"{count}\n")
        if "l" in flags and count:
            write_out(io, name + "\n")
        matched += count
    if status == 2 and not matched:
        return 2
    return 0 if matched else 1


def _bre_to_python(pattern: str) -> str:
    """A basic regular expression as Python re: `+ ? | ( ) { }` are literal unless escaped."""
    out = []
    index = 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\" and index + 1 < len(pattern):
            nxt = pattern[index + 1]
            out.append(nxt if nxt in "+?|(){}" else "\\" + nxt)
            index += 2
            continue
        out.append("\\" + ch if ch in "+?|(){}" else ch)
        index += 1
    return "".join(out)


@tool("wc")
def _wc(shell: Shell, argv: list[str], io: IO) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-")) or "lwc"
    names = [a for a in argv[1:] if not a.startswith("-")]
    texts = [
        (name, shell.fs.read(normalize(name, shell.cwd)))
        for name in names
        if shell.fs.is_file(normalize(name, shell.cwd))
    ]
    if not names:
        texts = [("", io.stdin or "")]
    for name, text in texts:
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
        values = [str(counts[f]) for f in "lwc" if f in flags]
        write_out(io, " ".join(values) + (f" {name}" if name else "") + "\n")
    return 0


@tool("head", "tail", blocking=True)
def _head_tail(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    count, follow, names = 10, False, []
    args = argv[1:]
    while args:
        arg = args.pop(0)
        if arg == "-n" and args:
            count = int(args.pop(0).lstrip("+") or 10)
        elif re.fullmatch(r"-n?\d+", arg):
            count = int(arg.lstrip("-n"))
        elif arg in {"-f", "-F", "--follow"}:
            follow = True
        elif not arg.startswith("-"):
            names.append(arg)
    text = io.stdin or ""
    if names:
        try:
            text = shell.fs.read(normalize(names[0], shell.cwd))
        except FsError as err:
            write_err(io, f"{argv[0]}: cannot open '{names[0]}' for reading: {err.strerror}")
            return 1
    lines = text.splitlines(keepends=True)
    chosen = lines[:count] if argv[0] == "head" else lines[-count:] if count else []
    write_out(io, "".join(chosen))
    if follow and argv[0] == "tail":
        # `tail -f` never ends: the classic way to keep a container running.
        yield Sleep(math.inf)
    return 0


@tool("seq")
def _seq(shell: Shell, argv: list[str], io: IO) -> int:
    try:
        numbers = [int(a) for a in argv[1:]]
    except ValueError:
        write_err(io, f"seq: invalid argument '{argv[-1]}'")
        return 1
    if len(numbers) == 1:
        first, step, last = 1, 1, numbers[0]
    elif len(numbers) == 2:
        first, step, last = numbers[0], 1, numbers[1]
    elif len(numbers) >= 3:
        first, step, last = numbers[:3]
    else:
        write_err(io, shell.tool_text("missing_operand", tool="seq"))
        return 1
    if step == 0:
        return 1
    values = range(first, last + (1 if step > 0 else -1), step)
    write_out(io, "".join(f"{v}\n" for v in values))
    return 0


@tool("basename")
def _basename(shell: Shell, argv: list[str], io: IO) -> int:
    if len(argv) < 2:
        write_err(io, shell.tool_text("missing_operand", tool="basename"))
        return 1
    name = posixpath.basename(argv[1].rstrip("/")) or "/"
    if len(argv) > 2 and name.endswith(argv[2]) and name != argv[2]:
        name = name[: -len(argv[2])]
    write_out(io, name + "\n")
    return 0


@tool("dirname")
def _dirname(shell: Shell, argv: list[str], io: IO) -> int:
    if len(argv) < 2:
        write_err(io, shell.tool_text("missing_operand", tool="dirname"))
        return 1
    write_out(io, (posixpath.dirname(argv[1].rstrip("/")) or ".") + "\n")
    return 0
