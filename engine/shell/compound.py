"""Compound commands: `if`, `while`/`until`, `for`, `case` and `( subshells )`."""

from __future__ import annotations

import fnmatch
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from engine.shell.expansion import expand_pattern, expand_str, expand_words
from engine.shell.parser import Case, For, If, Loop, Sequence
from engine.shell.scheduler import BUSY_LOOP_LIMIT, Body, Break, Continue, ExitShell, Sleep
from engine.shell.streams import IO

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


class CompoundCommands:
    """The part of a Shell that runs compound commands (a mixin: Shell is the only user)."""

    __slots__ = ()

    def _condition(self: Shell, seq: Sequence, io: IO) -> Generator[Any, Any, int]:
        self._cond_depth += 1
        try:
            return (yield from self._sequence(seq, io))
        finally:
            self._cond_depth -= 1

    def _if(self: Shell, node: If, io: IO, tail: bool) -> Generator[Any, Any, int]:
        for cond, body in node.branches:
            if (yield from self._condition(cond, io)) == 0:
                return (yield from self._sequence(body, io, tail))
        if node.else_body is not None:
            return (yield from self._sequence(node.else_body, io, tail))
        return 0

    def _loop(self: Shell, node: Loop, io: IO) -> Generator[Any, Any, int]:
        status = 0
        self.loop_depth += 1
        try:
            while True:
                yield from self._throttle()
                if ((yield from self._condition(node.cond, io)) == 0) == node.until:
                    return status
                try:
                    status = yield from self._sequence(node.body, io)
                except Continue as cont:
                    if cont.levels > 1:
                        raise Continue(cont.levels - 1) from None
                except Break as brk:
                    if brk.levels > 1:
                        raise Break(brk.levels - 1) from None
                    return status
        finally:
            self.loop_depth -= 1

    def _for(self: Shell, node: For, io: IO) -> Generator[Any, Any, int]:
        if node.items is None:
            items = list(self.positional)
        else:
            items = yield from expand_words(self, node.items, io)
        status = 0
        self.loop_depth += 1
        try:
            for item in items:
                self.set_var(node.var, item)
                try:
                    status = yield from self._sequence(node.body, io)
                except Continue as cont:
                    if cont.levels > 1:
                        raise Continue(cont.levels - 1) from None
                except Break as brk:
                    if brk.levels > 1:
                        raise Break(brk.levels - 1) from None
                    break
        finally:
            self.loop_depth -= 1
        return status

    def _case(self: Shell, node: Case, io: IO, tail: bool) -> Generator[Any, Any, int]:
        subject = yield from expand_str(self, node.word, io)
        for patterns, body in node.arms:
            for pattern in patterns:
                glob = yield from expand_pattern(self, pattern, io)
                if fnmatch.fnmatchcase(subject, glob):
                    return (yield from self._sequence(body, io, tail))
        return 0

    def subshell(self: Shell, body: Sequence, io: IO) -> Body:
        """`( ... )` and `$( ... )`: changes made inside do not reach this shell."""
        saved_vars = (self.vars, self._vars_shared, self.exported)
        self._vars_shared = True  # the subshell copies them before changing them
        saved = (dict(self.funcs), self.cwd, dict(self.traps), self.options, self.positional)
        try:
            return (yield from self._sequence(body, io))
        except ExitShell as leave:
            return leave.status
        finally:
            self.vars, self._vars_shared, self.exported = saved_vars
            self.funcs, self.cwd, self.traps, self.options, self.positional = saved

    def _throttle(self: Shell) -> Generator[Any, Any, None]:
        """Let simulated time pass when a loop keeps spinning without ever blocking."""
        if self.sched.now != self._busy_at:
            self._busy_at, self._busy = self.sched.now, 0
        self._busy += 1
        if self._busy > BUSY_LOOP_LIMIT:
            yield Sleep(self.sched.now + 1.0)
