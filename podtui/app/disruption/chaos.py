"""Chaos mode in the console: the engine's seeded pod killer (engine.disruption.chaos).

A kill comes every `mean_interval` seconds on average (exponential gaps) on the simulated
clock and takes a random running pod that matches the selector; both draws come from the
monkey's own generator, so the same seed, manifests and start give the same kills. Each
kill is the `podKill` fault (`engine.actions.inject`), recorded in the session journal as
the step that replays it, and reported with its time like a drain's lines.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.disruption.chaos import ChaosMonkey, Kill
from engine.disruption.recorder import format_seconds
from engine.labels import SelectorError
from engine.printers.duration import human_duration
from engine.result import ActionResult
from engine.steps import report_later
from podtui.app.checkpoint import log as checkpoint_log
from podtui.app.disruption import journal

if TYPE_CHECKING:
    from podtui.app.session import Session

DEFAULT_INTERVAL = 30.0


@dataclass(frozen=True)
class ChaosSettings:
    """What chaos mode is asked to do."""

    mean_interval: float = DEFAULT_INTERVAL
    selector: str = ""
    namespace: str | None = "default"
    """None: every namespace."""
    seed: int = 0

    def describe(self) -> str:
        pods = f"pods matching {self.selector}" if self.selector else "any pod"
        where = f"in namespace {self.namespace}" if self.namespace else "in every namespace"
        return (
            f"kills one of {pods} {where} every {format_seconds(self.mean_interval)} "
            f"on average (seed {self.seed})"
        )


_MONKEYS: weakref.WeakKeyDictionary[Session, ChaosMonkey] = weakref.WeakKeyDictionary()


def monkey_of(session: Session) -> ChaosMonkey | None:
    """The session's chaos monkey (running or stopped), if chaos mode was ever started."""
    return _MONKEYS.get(session)


def running(session: Session) -> ChaosMonkey | None:
    monkey = _MONKEYS.get(session)
    return monkey if monkey is not None and monkey.running else None


def start(session: Session, settings: ChaosSettings) -> ActionResult:
    """Start chaos mode (replacing a running one)."""
    with session.lock:
        old = running(session)
        if old is not None:
            old.stop()
        try:
            monkey = ChaosMonkey(
                session.cluster,
                mean_interval=settings.mean_interval,
                seed=settings.seed,
                selector=settings.selector,
                namespace=settings.namespace,
            )
        except SelectorError as err:
            return ActionResult(errors=[f"error: {err}"])
        except ValueError as err:
            return ActionResult(errors=[f"error: {err}"])
        journal.journal_of(session).recorder.follow_chaos(monkey)
        checkpoint_log.follow_chaos(session, monkey)
        cluster = session.cluster

        def reported(kill: Kill) -> None:
            for line in kill.result.lines:
                report_later(cluster, f"chaos: {line}")
            for line in kill.result.errors:
                report_later(cluster, f"chaos: {line}")

        monkey.listen(reported)
        monkey.start()
        _MONKEYS[session] = monkey
        nxt = monkey.next_at or cluster.now
    return ActionResult(
        lines=[
            f"chaos mode on: {settings.describe()}; the first kill in "
            f"{human_duration(max(nxt - cluster.now, 0))}"
        ]
    )


def stop(session: Session) -> ActionResult:
    with session.lock:
        monkey = running(session)
        if monkey is None:
            return ActionResult(errors=["error: chaos mode is not on"])
        monkey.stop()
        kills = monkey.kill_count
    return ActionResult(lines=[f"chaos mode off after {kills} kill(s)"])


def status(session: Session) -> ActionResult:
    with session.lock:
        monkey = monkey_of(session)
        if monkey is None:
            return ActionResult(
                lines=["chaos mode is off (chaos start [--interval=30s] [-l SELECTOR])"]
            )
        kills = ", ".join(
            f"{k.namespace}/{k.pod} at {human_duration(k.at)}" for k in monkey.kills[-5:]
        )
        state = "on" if monkey.running else "off"
        settings = settings_of(monkey)
        lines = [f"chaos mode {state}: {settings.describe()}; {monkey.kill_count} kill(s)"]
        if kills:
            lines.append(f"last kills: {kills}")
        if monkey.running and monkey.next_at is not None:
            lines.append(f"next kill at {human_duration(monkey.next_at)}")
    return ActionResult(lines=lines)


def settings_of(monkey: ChaosMonkey) -> ChaosSettings:
    return ChaosSettings(monkey.mean_interval, monkey.selector_text, monkey.namespace, monkey.seed)


def badge(session: Session) -> str:
    """The header's note while chaos mode is on (empty when it is off): `☠ chaos 30s · 2 killed`."""
    monkey = running(session)
    if monkey is None:
        return ""
    return f"☠ chaos {format_seconds(monkey.mean_interval)} · {monkey.kill_count} killed"
