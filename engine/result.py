"""ActionResult: what an action printed, in kubectl's words (its own module so a console
can take the type without the actions)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ActionResult:
    """What an action printed: kubectl-style lines and error lines."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, other: ActionResult) -> None:
        self.lines.extend(other.lines)
        self.errors.extend(other.errors)
