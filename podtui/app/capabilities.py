"""Which keys and `:` verbs need what only a simulator can do (Backend.capability).

On a backend without the capability the key stays in the footer and the help, dimmed,
with the capability's reason as its help text; the `:` verb answers with that reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podtui.backends.base import (
    ADMISSION,
    CHAOS,
    CLOCK,
    DRILLS,
    FAULTS,
    LESSONS,
    RECORDING,
    SHELL,
    TIMELINE,
    Capability,
)

if TYPE_CHECKING:
    from podtui.app.session import Session

ACTIONS = {
    "toggle_pause": CLOCK,
    "step": CLOCK,
    "faster": CLOCK,
    "slower": CLOCK,
    "inject": FAULTS,
    "chaos": CHAOS,
    "shell": SHELL,
    "explain": ADMISSION,
    "refused": ADMISSION,
    "timeline_tab": TIMELINE,
}
"""Key action -> the capability it needs."""

VERBS = {
    "pause": CLOCK,
    "resume": CLOCK,
    "step": CLOCK,
    "speed": CLOCK,
    "inject": FAULTS,
    "chaos": CHAOS,
    "record": RECORDING,
    "drill": DRILLS,
    "hint": LESSONS,
    "reveal": LESSONS,
    "exec": SHELL,
    "explain": ADMISSION,
    "refused": ADMISSION,
}
"""`:` verb -> the capability it needs."""


def action_needs(action: str, parameters: tuple[object, ...] = ()) -> str | None:
    if action in ("detail", "tab") and parameters and parameters[0] == "timeline":
        return TIMELINE
    return ACTIONS.get(action)


def missing(session: Session, action: str, parameters: tuple[object, ...] = ()) -> Capability | None:
    """The capability a key action needs and the session's backend lacks, or None."""
    name = action_needs(action, parameters)
    if name is None:
        return None
    capability = session.backend.capability(name)
    return None if capability.available else capability


def gate(session: Session, action: str, parameters: tuple[object, ...], verdict: bool | None):
    """A screen's check_action verdict, dimmed (None) when the key would apply here but the
    backend lacks what it needs."""
    if verdict and missing(session, action, parameters) is not None:
        return None
    return verdict


def verb_refusal(session: Session, verb: str) -> str | None:
    """The `:` verb's answer on a backend without what it needs (None: it can run)."""
    name = VERBS.get(verb)
    if name is None:
        return None
    capability = session.backend.capability(name)
    if capability.available:
        return None
    return f'error: "{verb}" is not available on this cluster: {capability.reason}'
