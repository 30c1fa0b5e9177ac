"""What the header says while chaos mode or a drain is running."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.disruption.drain import POD_BLOCKED, POD_EVICTING, drains_of
from podtui.app.disruption import chaos
from podtui.backends.base import CLOCK

if TYPE_CHECKING:
    from podtui.app.session import Session

Note = tuple[str, str]
"""(text, the header's component class that colours it)"""


def header_notes(session: Session) -> tuple[Note, ...]:
    """`☠ chaos 30s · 2 killed`, `⇣ drain node-2 1/3 · pdb/api`: short, the clock line is."""
    notes: list[Note] = []
    if getattr(session, "replaying", ""):  # `enter` on a `:drill` finding
        notes.append((f"▶ {session.replaying}", "header--drill"))
    if not session.has(CLOCK):  # chaos and the simulator's drains: not on a real cluster
        return tuple(notes)
    text = chaos.badge(session)
    if text:
        notes.append((text, "header--chaos"))
    for drain in drains_of(session.cluster):
        if drain.done:
            continue
        past = sum(1 for p in drain.pods if p.state not in (POD_EVICTING, POD_BLOCKED))
        text = f"⇣ drain {drain.node} {past}/{len(drain.pods)}"
        blocked = drain.blocking_budgets()
        if blocked:
            text += " · " + ", ".join(f"pdb/{name}" for name in sorted(blocked))
        notes.append((text, "header--drain"))
    return tuple(notes)
