"""Messages the console's parts send each other."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Ticked(Message):
    """The engine advanced; the panes should take in what changed.

    A tick that arrives while an earlier one waits in the queue replaces it: the panes
    read the whole change feed anyway, so a burst of ticks costs one repaint.
    """

    ticks: int = 1

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Ticked)


@dataclass
class Outcome(Message):
    """What an action or a command printed, in kubectl's words."""

    lines: list[str]
    errors: list[str]


@dataclass
class OpenDetail(Message):
    """Show an object's detail view on a tab: describe, yaml, logs or timeline."""

    kind: str
    object_namespace: str
    name: str
    tab: str = "describe"
    container: str | None = None
    previous: bool = False


@dataclass
class CommandSubmitted(Message):
    """The `:` line or the `/` filter line was submitted (an empty value clears a filter)."""

    mode: str  # "command" | "filter"
    value: str
