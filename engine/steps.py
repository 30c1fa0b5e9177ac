"""Running scenario steps: each step calls the same engine action as a key press would."""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import actions
from engine.actions import ActionResult
from engine.api import errors
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


def create_manifests(
    cluster: Cluster, manifests: list[Manifest], user: UserInfo = ADMIN
) -> ActionResult:
    """`kubectl create -f` over loaded manifests, in file order: each object is created as
    written (no last-applied annotation, unlike apply); one that exists is refused with
    AlreadyExists and the others still go. The console's `create -f` and the scenario's
    `create` step."""
    from engine.api.kinds import lookup

    result = ActionResult()
    for manifest in manifests:
        api_version = str(manifest.obj.get("apiVersion", ""))
        try:
            created = cluster.api.create(copy.deepcopy(manifest.obj), user=user)
        except errors.APIError as err:
            result.errors.append(err.kubectl("creating", manifest.file))
            continue
        result.lines.extend(f"Warning: {w}" for w in created.warnings)
        info = lookup(api_version, manifest.kind)
        type_name = info.type_name(api_version) if info else manifest.kind.lower()
        # the server's name: a generateName was completed on create
        result.lines.append(f"{type_name}/{created.obj['metadata']['name']} created")
    return result


def set_namespace(manifests: list[Manifest], namespace: str | None) -> list[str]:
    """`-n NAMESPACE` (a step's `namespace:`) on loaded manifests: objects without one get
    it; an object that names another namespace is an error, as kubectl's resource builder
    says (cli-runtime pkg/resource/visitor.go, RequireNamespace)."""
    if not namespace:
        return []
    problems = []
    for manifest in manifests:
        meta = manifest.obj.setdefault("metadata", {})
        own = meta.get("namespace")
        if own and own != namespace:
            problems.append(
                f'error: the namespace from the provided object "{own}" does not match the '
                f"namespace \"{namespace}\". You must pass '--namespace={own}' to perform this "
                "operation."
            )
        else:
            meta["namespace"] = namespace
    return problems


def _load(step: Step) -> tuple[list[Manifest], list[str]]:
    from engine.manifests.loader import load_paths

    # `create` allows generateName, as kubectl create -f does; apply refuses it.
    loaded = load_paths([str(step.base / step.value)], verb=step.action)
    if not loaded.ok:
        return [], [str(p) for p in loaded.problems]
    return loaded.manifests, []


def _apply(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    manifests, problems = _load(step)
    if problems:
        return ActionResult(errors=problems)
    return apply_step_manifests(cluster, manifests, step.options.get("namespace"), user)


def apply_step_manifests(
    cluster: Cluster, manifests: list[Manifest], namespace: str | None, user: UserInfo = ADMIN
) -> ActionResult:
    """The `apply` step once its files are read (a checkpoint replays it from their content)."""
    problems = set_namespace(manifests, namespace)
    if problems:
        return ActionResult(errors=problems)
    return apply_manifests(cluster, manifests, user)


def _create(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    manifests, problems = _load(step)
    if not problems:
        problems = set_namespace(manifests, step.options.get("namespace"))
    if problems:
        return ActionResult(errors=problems)
    return create_manifests(cluster, manifests, user)


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


def _exec(cluster: Cluster, step: Step, user: UserInfo) -> ActionResult:
    """`kubectl exec POD -c CONTAINER -- sh -c COMMAND`: one line in the container's shell
    (the console's `s` key runs the same session), its output as kubectl prints it."""
    spec = step.value
    session, result = actions.exec_in_container(
        cluster, spec.get("namespace", "default"), spec["pod"], spec.get("container")
    )
    if session is None:
        return result
    output = session.run(spec["command"])
    result.lines.extend(output.text.splitlines())
    if output.status != 0:
        # kubectl exec's own line for a command that exits non-zero.
        result.errors.append(f"command terminated with exit code {output.status}")
    return result


register_step("apply", _apply)
register_step("create", _create)
register_step("delete", _delete)
register_step("cordon", _cordon)
register_step("uncordon", _uncordon)
register_step("inject", _inject)
register_step("exec", _exec)
