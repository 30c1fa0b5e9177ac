"""Starting a `kubectl drain` from the console: the engine's Drain on the simulated clock.

The drain key's form and `:drain` both come here; it runs `engine.disruption.drain.Drain`,
the object the scenario's `drain` step runs, with every kubectl flag (the step's mapping
has no `--dry-run` or `--skip-wait-for-delete-timeout`). What kubectl prints at once is the
command's outcome; what it prints later arrives with its simulated time through
`engine.steps.report_later`: the evictions, the final line and the errors. The retries
while a budget refuses (every 5 s per pod) are left to the drain panel, which shows every
line, so they do not bury the screen in notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.disruption.drain import (
    STDERR,
    Drain,
    DrainLine,
    DrainOptions,
    DrainUsageError,
)
from engine.result import ActionResult
from engine.steps import report_later
from podtui.app.disruption import journal
from podtui.backends.base import CLOCK, DrainProgress

if TYPE_CHECKING:
    from podtui.app.session import Session

QUIET_PREFIXES = ("evicting pod ",)
QUIET_MARK = "(will retry after "


def start_drain(session: Session, options: DrainOptions) -> tuple[DrainProgress, ActionResult]:
    """Start a drain now; returns it (for the panel) and what kubectl printed at once.

    On the simulator the engine's Drain runs on its clock; on a real cluster it is the
    backend's `start_drain` (a KubeDrain on wall time, the same per-pod progress), its lines
    reported as they come."""
    if not session.has(CLOCK):
        return _drain_over_the_network(session, options), ActionResult()
    result = ActionResult()
    starting = True
    cluster = session.backend.simulator(CLOCK)

    def on_line(line: DrainLine) -> None:
        if starting:
            error = line.stream == STDERR and not line.text.startswith("Warning:")
            (result.errors if error else result.lines).append(line.text)
        elif not line.text.startswith(QUIET_PREFIXES) and QUIET_MARK not in line.text:
            report_later(cluster, line.text)

    with session.lock:
        # A dry run changes nothing but prints its lines: recorded too (`dryRun:`), so a
        # replay prints what the session printed.
        journal.record(session, "drain", options.to_step())
        drain = Drain(cluster, options, on_line).start()
    starting = False
    return drain, result


def _drain_over_the_network(session: Session, options: DrainOptions) -> DrainProgress:
    def on_line(text: str) -> None:
        if not text.startswith(QUIET_PREFIXES) and QUIET_MARK not in text:
            session.report_later(text)

    return session.backend.start_drain(options, on_line)


def drain_args(args: list[str], flags: dict[str, str | bool]) -> DrainOptions:
    """`:drain`'s words back into kubectl's argv, read by DrainOptions.from_args."""
    argv = list(args)
    for name, value in flags.items():
        if name in ("-n", "-A"):
            continue  # nodes have no namespace; kubectl ignores these for drain
        argv.append(name if value is True else f"{name}={value}")
    return DrainOptions.from_args(argv)


def latest_drain(session: Session, node: str | None = None) -> DrainProgress | None:
    """The newest drain (of a node), started from a key, a verb or a scenario step."""
    drains = [d for d in session.backend.drains() if node is None or d.node == node]
    return drains[-1] if drains else None


__all__ = ["DrainUsageError", "drain_args", "latest_drain", "start_drain"]
