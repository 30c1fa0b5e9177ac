"""test(1) and `[ ]`: `!`, `-a`, `-o`, parentheses, file, string and integer tests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.shell.fs import normalize

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


class TestError(Exception):
    pass


_UNARY_TESTS = frozenset(f"-{flag}" for flag in "efdsrwxznLhpSbctgukOG")
_BINARY_TESTS = frozenset({"=", "==", "!=", "<", ">"}) | {
    f"-{op}" for op in ("eq", "ne", "lt", "le", "gt", "ge", "nt", "ot", "ef")
}


class TestExpr:
    """test(1) / [ ]: `!`, `-a`, `-o`, parentheses, file, string and integer tests."""

    def __init__(self, shell: Shell, args: list[str]) -> None:
        self.shell = shell
        self.args = args
        self.index = 0

    def evaluate(self) -> bool:
        if not self.args:
            return False
        result = self._or()
        if self.index != len(self.args):
            raise TestError(f"{self.args[self.index]}: unknown operand")
        return result

    def _more(self) -> bool:
        return self.index < len(self.args)

    def _or(self) -> bool:
        result = self._and()
        while self._more() and self.args[self.index] == "-o":
            self.index += 1
            result = self._and() or result
        return result

    def _and(self) -> bool:
        result = self._not()
        while self._more() and self.args[self.index] == "-a":
            self.index += 1
            result = self._not() and result
        return result

    def _not(self) -> bool:
        if self._more() and self.args[self.index] == "!" and self.index + 1 < len(self.args):
            self.index += 1
            return not self._not()
        return self._primary()

    def _primary(self) -> bool:
        args, i = self.args, self.index
        if not self._more():
            raise TestError("argument expected")
        if args[i] == "(" and ")" in args[i + 1 :]:
            self.index += 1
            result = self._or()
            self.index += 1
            return result
        if i + 1 < len(args) and args[i + 1] in _BINARY_TESTS:
            if i + 2 >= len(args):
                raise TestError(f"{args[i + 1]}: argument expected")
            self.index += 3
            return self._binary(args[i], args[i + 1], args[i + 2])
        if args[i] in _UNARY_TESTS and i + 1 < len(args):
            self.index += 2
            return self._unary(args[i], args[i + 1])
        self.index += 1
        return args[i] != ""

    def _unary(self, op: str, arg: str) -> bool:
        fs = self.shell.fs
        path = normalize(arg, self.shell.cwd) if arg else ""
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if not arg:
            return False
        if op == "-f":
            return fs.is_file(path)
        if op == "-d":
            return fs.is_dir(path)
        if op == "-s":
            return fs.is_dir(path) or (fs.is_file(path) and fs.read(path) != "")
        if op in {"-e", "-r", "-w", "-x"}:
            return fs.exists(path)
        return False

    def _binary(self, left: str, op: str, right: str) -> bool:
        if op in {"=", "=="}:
            return left == right
        if op == "!=":
            return left != right
        if op in {"<", ">"}:
            return left < right if op == "<" else left > right
        if op in {"-nt", "-ot", "-ef"}:
            return False
        a, b = self._int(left), self._int(right)
        return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b}.get(
            op, a >= b
        )

    def _int(self, text: str) -> int:
        if re.fullmatch(r"\s*[-+]?\d+\s*", text):
            return int(text)
        dialect = self.shell.dialect
        if dialect == "ash":
            raise TestError(f"{text}: bad number")
        if dialect == "dash":
            raise TestError(f"Illegal number: {text}")
        raise TestError(f"{text}: integer expression expected")
