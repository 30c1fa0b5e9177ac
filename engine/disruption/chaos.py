"""Chaos mode: kill a random matching pod now and then, as chaos tools' pod-kill does.

Kills come at random times with the chosen mean interval (a Poisson process: exponential
gaps) and each picks its victim uniformly among the matching pods that are running and not
already being deleted. Both draws come from the monkey's own generator, seeded, so the same
seed, cluster and start time give the same kills; each kill goes through the same engine
action as the `podKill` fault (`engine.actions.inject`), so a session recorder can write it
down as an `inject: {fault: podKill, pod: NAME}` step that `podtui sim` replays exactly.
Kill times are rounded to the millisecond so that a recorded scenario reproduces them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine import actions
from engine.actions import ActionResult
from engine.clock import Timer
from engine.disruption.podutil import is_deleting, is_pod_terminal
from engine.labels import parse_selector

if TYPE_CHECKING:
    from engine.cluster import Cluster


@dataclass(frozen=True)
class Kill:
    """One kill chaos mode made."""

    at: float
    namespace: str
    pod: str
    result: ActionResult


KillListener = Callable[[Kill], None]

KILLS_KEPT = 1000
"""Kills remembered (`kills`, the newest last); `kill_count` counts them all. A day of chaos
at the default interval is ~2,900 kills, each holding its action's result: a console left
running would keep every one."""


class ChaosMonkey:
    """A seeded random pod killer on the simulated clock; `start()` / `stop()`."""

    def __init__(
        self,
        cluster: Cluster,
        *,
        mean_interval: float,
        seed: int = 0,
        selector: str = "",
        namespace: str | None = "default",
        on_kill: KillListener | None = None,
    ) -> None:
        if mean_interval <= 0:
            raise ValueError("the mean interval must be positive")
        self.cluster = cluster
        self.mean_interval = mean_interval
        self.seed = seed
        self.selector_text = selector
        self.selector = parse_selector(selector)
        self.namespace = namespace
        self.rng = random.Random(seed)
        self.kills: list[Kill] = []  # the last KILLS_KEPT
        self.kill_count = 0
        self.next_at: float | None = None
        self._timer: Timer | None = None
        self._listeners: list[KillListener] = [on_kill] if on_kill else []

    @property
    def running(self) -> bool:
        return self._timer is not None

    def listen(self, listener: KillListener) -> None:
        self._listeners.append(listener)

    def start(self) -> ChaosMonkey:
        if self._timer is None:
            self._schedule()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self.next_at = None

    def _schedule(self) -> None:
        gap = self.rng.expovariate(1.0 / self.mean_interval)
        self.next_at = round(self.cluster.clock.now + gap, 3)
        self._timer = self.cluster.clock.call_at(self.next_at, self._strike)

    def candidates(self) -> list[dict]:
        """Pods the monkey may kill now: matching, scheduled, not finished or being deleted."""
        pods = (
            self.cluster.store.list("Pod", self.namespace)
            if self.namespace is not None
            else self.cluster.store.list("Pod")
        )
        return [
            pod
            for pod in pods
            if self.selector.matches(pod["metadata"].get("labels") or {})
            and (pod.get("spec") or {}).get("nodeName")
            and not is_deleting(pod)
            and not is_pod_terminal(pod)
        ]

    def _strike(self) -> None:
        self._timer = None
        pods = self.candidates()
        if pods:
            victim = pods[self.rng.randrange(len(pods))]
            meta = victim["metadata"]
            namespace = meta.get("namespace", "default")
            result = actions.inject(self.cluster, "podKill", pod=meta["name"], namespace=namespace)
            kill = Kill(self.cluster.clock.now, namespace, meta["name"], result)
            self.kills.append(kill)
            self.kill_count += 1
            if len(self.kills) > KILLS_KEPT:
                del self.kills[0]
            for listener in list(self._listeners):
                listener(kill)
        self._schedule()
