"""`$((...))`: C integer arithmetic over shell variables."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


_ARITH_TOKEN = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
    r"(\*\*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%]=|[-+*/%()<>=!~&|^?:]))"
)
_BINARY = {
    "||": 1,
    "&&": 2,
    "|": 3,
    "^": 4,
    "&": 5,
    "==": 6,
    "!=": 6,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "<<": 8,
    ">>": 8,
    "+": 9,
    "-": 9,
    "*": 10,
    "/": 10,
    "%": 10,
    "**": 11,
}


class Arithmetic:
    """`$((...))`: C integer arithmetic over shell variables (unset variables are 0)."""

    def __init__(self, text: str, shell: Shell) -> None:
        self.shell = shell
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            match = _ARITH_TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ValueError(text)
            pos = match.end()
            if match.group(1):
                self.tokens.append(("num", match.group(1)))
            elif match.group(2):
                self.tokens.append(("name", match.group(2)))
            else:
                self.tokens.append(("op", match.group(3)))
        self.index = 0

    def evaluate(self) -> int:
        if not self.tokens:
            return 0
        value = self._assignment()
        if self.index != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end")
        self.index += 1
        return token

    def _assignment(self) -> int:
        token = self._peek()
        after = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        if (
            token
            and token[0] == "name"
            and after
            and after[1] in {"=", "+=", "-=", "*=", "/=", "%="}
        ):
            self.index += 2
            value = self._assignment()
            if after[1] != "=":
                value = _apply(after[1][0], self._variable(token[1]), value)
            self.shell.set_var(token[1], str(value))
            return value
        return self._ternary()

    def _ternary(self) -> int:
        cond = self._binary(1)
        if self._peek() == ("op", "?"):
            self._take()
            yes = self._assignment()
            if self._take() != ("op", ":"):
                raise ValueError("expected :")
            no = self._assignment()
            return yes if cond else no
        return cond

    def _binary(self, level: int) -> int:
        left = self._unary()
        while (token := self._peek()) and token[0] == "op" and _BINARY.get(token[1], 0) >= level:
            op = token[1]
            self._take()
            right = self._binary(_BINARY[op] + (0 if op == "**" else 1))
            left = _apply(op, left, right)
        return left

    def _unary(self) -> int:
        token = self._take()
        if token[0] == "op" and token[1] in {"-", "+", "!", "~"}:
            value = self._unary()
            return {"-": -value, "+": value, "!": int(not value), "~": ~value}[token[1]]
        if token == ("op", "("):
            value = self._assignment()
            if self._take() != ("op", ")"):
                raise ValueError("expected )")
            return value
        if token[0] == "num":
            return int(token[1], 16) if token[1][:2].lower() == "0x" else _c_int(token[1])
        if token[0] == "name":
            return self._variable(token[1])
        raise ValueError(token[1])

    def _variable(self, name: str) -> int:
        raw = (self.shell.vars.get(name) or "").strip()
        if not raw:
            return 0
        if re.fullmatch(r"-?\d+", raw):
            return int(raw)
        return Arithmetic(raw, self.shell).evaluate()


def _c_int(text: str) -> int:
    return int(text, 8) if len(text) > 1 and text.startswith("0") else int(text)


def _apply(op: str, a: int, b: int) -> int:
    if op in {"/", "%"}:
        if b == 0:
            raise ZeroDivisionError
        quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # C truncation
        return quotient if op == "/" else a - b * quotient
    table = {
        "+": a + b,
        "-": a - b,
        "*": a * b,
        "**": a**b if b >= 0 else 0,
        "<<": a << b if b >= 0 else 0,
        ">>": a >> b if b >= 0 else 0,
        "<": int(a < b),
        ">": int(a > b),
        "<=": int(a <= b),
        ">=": int(a >= b),
        "==": int(a == b),
        "!=": int(a != b),
        "&": a & b,
        "^": a ^ b,
        "|": a | b,
        "&&": int(bool(a) and bool(b)),
        "||": int(bool(a) or bool(b)),
    }
    return table[op]
