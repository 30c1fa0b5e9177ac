"""printf(1) formats, backslash escapes (`echo -e`, `printf`) and shell quoting."""

from __future__ import annotations

import re

_PRINTF_SPEC = re.compile(r"%([-+ #0]*)(\d+)?(?:\.(\d+))?([diouxXeEfgGcsb%])")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "r": "\r"}
_ESCAPES |= {"v": "\v", '"': '"', "e": "\x1b"}


def unescape(text: str, echo: bool = False) -> tuple[str, bool]:
    """Interpret backslash escapes; the flag says output stops here (`\\c`)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch != "\\" or index + 1 >= len(text):
            out.append(ch)
            index += 1
            continue
        nxt = text[index + 1]
        if nxt == "c":
            return "".join(out), True
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            index += 2
            continue
        octal = re.match(r"0?([0-7]{1,3})" if echo else r"([0-7]{1,3})", text[index + 1 :])
        if octal:
            out.append(chr(int(octal.group(1), 8)))
            index += 1 + len(octal.group(0))
            continue
        out.append(ch)
        index += 1
    return "".join(out), False


def printf_format(fmt: str, args: list[str]) -> str:
    """printf(1): the format is reused until every argument has been consumed."""
    out: list[str] = []
    remaining = list(args)
    while True:
        consumed = False
        pos = 0
        for match in _PRINTF_SPEC.finditer(fmt):
            out.append(unescape(fmt[pos : match.start()])[0])
            pos = match.end()
            flags, width, precision, conv = match.groups()
            if conv == "%":
                out.append("%")
                continue
            arg = remaining.pop(0) if remaining else ""
            consumed = True
            spec = "%" + flags + (width or "") + (f".{precision}" if precision else "")
            if conv in "diouxX":
                out.append((spec + ("d" if conv in "iu" else conv)) % _number(arg))
            elif conv in "eEfgG":
                out.append((spec + conv) % (float(arg) if _is_float(arg) else 0.0))
            elif conv == "c":
                out.append((spec + "s") % arg[:1])
            elif conv == "b":
                out.append((spec + "s") % unescape(arg, echo=True)[0])
            else:
                out.append((spec + "s") % arg)
        out.append(unescape(fmt[pos:])[0])
        if not consumed or not remaining:
            return "".join(out)


def _number(arg: str) -> int:
    arg = arg.strip()
    if re.fullmatch(r"[-+]?\d+", arg):
        return int(arg)
    if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", arg):
        return int(arg, 16)
    if arg[:1] in {"'", '"'} and len(arg) > 1:
        return ord(arg[1])
    return 0


def _is_float(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


def shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"
