"""A shell's variables: set, unset, export, and the special parameters (`$?`, `$#`, `$1`, ...).

Variables start as the environment the shell was given, shared with it until the first
change: ten thousand sleeping shells need not hold ten thousand copies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell

NO_OPTIONS: frozenset[str] = frozenset()
NO_ASSIGNMENTS: dict[str, str] = {}  # shared: never changed
_EXPORTED: dict[frozenset[str], frozenset[str]] = {}


def exported_names(env: dict[str, str]) -> frozenset[str]:
    """The environment's names, shared by every shell started with the same names."""
    names = frozenset(env)
    if len(_EXPORTED) < 1024:
        return _EXPORTED.setdefault(names, names)
    return _EXPORTED.get(names, names)


class Variables:
    """The part of a Shell that keeps its variables (a mixin: Shell is the only user)."""

    __slots__ = ()

    def set_var(self: Shell, name: str, value: str) -> None:
        if self._vars_shared:
            self.vars = dict(self.vars)
            self._vars_shared = False
        self.vars[name] = value

    def unset_var(self: Shell, name: str, unexport: bool = True) -> None:
        if name in self.vars:
            if self._vars_shared:
                self.vars = dict(self.vars)
                self._vars_shared = False
            del self.vars[name]
        if unexport:
            self.unexport(name)

    def export(self: Shell, name: str) -> None:
        if name not in self.exported:
            self.exported = self.exported | {name}

    def unexport(self: Shell, name: str) -> None:
        if name in self.exported:
            self.exported = self.exported - {name}

    def replace_environment(self: Shell, env: dict[str, str]) -> None:
        """`exec sh`: the new shell starts from the environment it was given."""
        self.vars = env
        self._vars_shared = True
        self.exported = exported_names(env)

    def param(self: Shell, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.pid)
        if name == "!":
            return str(self.last_job) if self.last_job is not None else None
        if name == "#":
            return str(len(self.positional))
        if name in {"@", "*"}:
            return " ".join(self.positional)
        if name == "-":
            return "".join(sorted(self.options))
        if name == "0":
            return self.argv0
        if name.isdigit():
            index = int(name)
            return self.positional[index - 1] if index <= len(self.positional) else None
        return self.vars.get(name)
