"""The `evict`, `drain` and `cancelDrain` scenario steps: the same engine actions as the console's keys.

A drain outlives its step: the lines it prints at the step's time are the step's outcome,
the later ones (`evicting pod`, retries, `pod/x evicted`, `node/x drained`) are reported
through `engine.steps.report_later`, which `podtui sim` prefixes with their own time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.actions import ActionResult
from engine.api.admission import UserInfo
from engine.disruption.drain import Drain, DrainLine, DrainOptions, cancel_drains
from engine.disruption.eviction import evict_action
from engine.scenario import Step
from engine.steps import register_step, report_later

if TYPE_CHECKING:
    from engine.cluster import Cluster


def run_evict(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return evict_action(
        cluster, step.value, namespace=step.options.get("namespace", "default"), user=user
    )


def run_drain(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    result = ActionResult()
    starting = True

    def on_line(line: DrainLine) -> None:
        if starting:
            result.lines.append(line.text)
        else:
            report_later(cluster, line.text)

    Drain(cluster, DrainOptions.from_step(step.value), on_line).start()
    starting = False
    return result


def run_cancel_drain(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return cancel_drains(cluster, step.value)


def register() -> None:
    register_step("evict", run_evict)
    register_step("drain", run_drain)
    register_step("cancelDrain", run_cancel_drain)
