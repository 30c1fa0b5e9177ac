"""Running scenario steps: each step calls the same engine action as a key press would."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import actions
from engine.actions import ActionResult
from engine.api.admission import ADMIN, UserInfo
from engine.scenario import Step

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.manifests.loader import Manifest

StepHandler = Callable[["Cluster", Step, UserInfo], ActionResult]
_HANDLERS: dict[str, StepHandler] = {}


def register_step(action: str, handler: StepHandler) -> None:
    """Plug in the engine action behind a scenario action (later parts add drain, scale...)."""
    _HANDLERS[action] = handler


def has_step(action: str) -> bool:
    """Whether the engine can run this scenario action."""
    return action in _HANDLERS


_REPORTERS: weakref.WeakKeyDictionary[Cluster, Callable[[str], None]] = weakref.WeakKeyDictionary()


def set_reporter(cluster: Cluster, report: Callable[[str], None]) -> None:
    """Where a long-running step (drain) prints the lines that come after its own time."""
    _REPORTERS[cluster] = report


def report_later(cluster: Cluster, line: str) -> None:
    """Print a line of a step still running; `podtui sim` prefixes the simulated time."""
    report = _REPORTERS.get(cluster)
    if report is not None:
        report(line)


def run_step(cluster: Cluster, step: Step, user: UserInfo = ADMIN) -> ActionResult:
    handler = _HANDLERS.get(step.action)
    if handler is None:
        return ActionResult(errors=[f"error: the {step.action} step is not simulated yet"])
    return handler(cluster, step, user)


def apply_manifests(
    cluster: Cluster, manifests: list[Manifest], user: UserInfo = ADMIN
) -> ActionResult:
    """`kubectl apply -f` over loaded manifests, in file order; refusals in kubectl's words."""
    from engine.apply import apply

    report = apply(cluster, manifests, user=user)
    return ActionResult(lines=report.lines(), errors=report.errors())


def _apply(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    from engine.manifests.loader import load_paths

    loaded = load_paths([str(step.base / step.value)])
    if not loaded.ok:
        return ActionResult(errors=[str(p) for p in loaded.problems])
    return apply_step_manifests(cluster, loaded.manifests, step.options.get("namespace"), user)


def apply_step_manifests(
    cluster: Cluster, manifests: list[Manifest], namespace: str | None, user: UserInfo = ADMIN
) -> ActionResult:
    """The `apply` step once its files are read (a checkpoint replays it from their content)."""
    if namespace:
        for manifest in manifests:
            manifest.obj.setdefault("metadata", {}).setdefault("namespace", namespace)
    return apply_manifests(cluster, manifests, user)


def _delete(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return actions.delete(
        cluster,
        step.value,
        namespace=step.options.get("namespace", "default"),
        grace_period=step.options.get("gracePeriod"),
        cascade=step.options.get("cascade", "background"),
        force=bool(step.options.get("force", False)),
        user=user,
        api_version=step.options.get("apiVersion") or "",
    )


def _cordon(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return actions.cordon(cluster, step.value, user=user)


def _uncordon(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    return actions.uncordon(cluster, step.value, user=user)


def _inject(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    spec = step.value
    return actions.inject(
        cluster,
        spec["fault"],
        pod=spec.get("pod"),
        selector=spec.get("selector"),
        namespace=spec.get("namespace", "default"),
        container=spec.get("container"),
        exit_code=spec.get("exitCode"),
        probe=spec.get("probe", "liveness"),
        duration=spec.get("duration"),
        image=spec.get("image"),
        node=spec.get("node"),
        count=spec.get("count", 1),
    )


register_step("apply", _apply)
register_step("delete", _delete)
register_step("cordon", _cordon)
register_step("uncordon", _uncordon)
register_step("inject", _inject)
