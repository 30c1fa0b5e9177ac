"""The changes a checkpoint replays: each one made from outside the cluster, at its time.

An entry is plain data (it is written to the checkpoint as JSON) and runs the same engine
call the original action ran: a scenario step through `engine.steps.run_step`, an applied
file through `engine.steps.apply_manifests`, the console's `edit` through the API server's
update. Manifests are embedded with their file and line, so errors replay in the same words
and a file changed or deleted since does not change the story.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.actions import ActionResult
from engine.api import errors
from engine.api.admission import ADMIN, UserInfo
from engine.manifests.loader import Manifest
from engine.manifests.yamldoc import Document
from engine.scenario import Step
from engine.steps import apply_manifests, apply_step_manifests, run_step

if TYPE_CHECKING:
    from engine.cluster import Cluster

APPLY = "apply"
"""Manifests applied (`kubectl apply -f`): the files at t=0, an `apply` step, `:apply -f`."""
STEP = "step"
"""Any other scenario step (delete, scale, drain, inject ...), as the scenario holds it."""
CREATE = "create"
"""`kubectl create -f`: each object created, refusals reported."""
UPDATE = "update"
"""`kubectl edit`: the edited object, written with the API server's update (PUT)."""
ROLLOUT = "rollout"
"""`kubectl rollout restart|undo`, as checkpoints saved before the rolloutRestart and
rolloutUndo scenario steps held them (the console now logs those steps); still read."""
RELOAD = "reload"
"""The console's hot reload: manifests applied, then the objects it pruned deleted."""

KINDS = (APPLY, STEP, CREATE, UPDATE, ROLLOUT, RELOAD)


@dataclass
class Entry:
    """One change from outside, at simulated time `at` (seconds since the start)."""

    at: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, "data": self.data}

    @staticmethod
    def from_json(raw: object) -> Entry:
        """Raises ValueError on anything that is not an entry this version writes."""
        if not isinstance(raw, dict):
            raise ValueError("an entry is not a mapping")
        at, kind, data = raw.get("at"), raw.get("kind"), raw.get("data")
        if isinstance(at, bool) or not isinstance(at, int | float) or at != at or at < 0:
            raise ValueError(f"an entry has no valid time: {at!r}")
        if kind not in KINDS:
            raise ValueError(f"unknown entry kind {kind!r}")
        if not isinstance(data, dict):
            raise ValueError(f"a {kind} entry has no data")
        return Entry(float(at), kind, data)

    def describe(self) -> str:
        """A short line for a listing (`[40s] scale deployment/web`)."""
        if self.kind == STEP:
            step = self.data.get("step") or {}
            value = step.get("value")
            if isinstance(value, dict):
                value = " ".join(
                    str(value[key])
                    for key in ("fault", "target", "node", "pod", "selector")
                    if value.get(key)
                )
            return f"{step.get('action')} {value}"
        if self.kind in (APPLY, CREATE, RELOAD):
            files = sorted({m.get("file", "") for m in self.data.get("manifests") or []})
            return f"{self.kind} {', '.join(files)}"
        if self.kind == UPDATE:
            obj = self.data.get("object") or {}
            return f"edit {obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        return f"{self.kind} {self.data.get('sub', '')} {self.data.get('target', '')}".strip()


# -- building entries -----------------------------------------------------------------------
def manifest_to_json(manifest: Manifest) -> dict[str, Any]:
    return {"file": manifest.file, "line": manifest.line, "object": copy.deepcopy(manifest.obj)}


def manifest_from_json(raw: object) -> Manifest:
    if not isinstance(raw, dict) or not isinstance(raw.get("object"), dict):
        raise ValueError("a manifest entry has no object")
    file, line = raw.get("file", ""), raw.get("line", 0)
    if not isinstance(file, str) or isinstance(line, bool) or not isinstance(line, int):
        raise ValueError("a manifest entry has no valid file and line")
    # A fresh copy each time: applying may default fields in the object it is given.
    obj = copy.deepcopy(raw["object"])
    return Manifest(obj, file, line, Document(obj, file, line))


def apply_entry(
    at: float, manifests: list[Manifest], *, namespace: str | None = None, initial: bool = False
) -> Entry:
    """Manifests applied at `at`; `initial` marks the PATHs applied at t=0 (printed bare)."""
    data: dict[str, Any] = {"manifests": [manifest_to_json(m) for m in manifests]}
    if namespace:
        data["namespace"] = namespace
    if initial:
        data["initial"] = True
    return Entry(at, APPLY, data)


def step_entry(step: Step) -> Entry:
    """A scenario step; an `apply` step's files are read now and embedded."""
    if step.action == "apply":
        from engine.manifests.loader import load_paths

        loaded = load_paths([str(Path(step.base) / str(step.value))])
        entry = apply_entry(step.at, loaded.manifests, namespace=step.options.get("namespace"))
        entry.data["problems"] = [str(p) for p in loaded.problems]
        entry.data["source"] = {"file": step.file, "line": step.line, "value": step.value}
        return entry
    return Entry(
        step.at,
        STEP,
        {
            "step": {
                "action": step.action,
                "value": copy.deepcopy(step.value),
                "options": copy.deepcopy(step.options),
                "file": step.file,
                "line": step.line,
                "base": str(step.base),
            }
        },
    )


def step_from_json(at: float, raw: object) -> Step:
    if not isinstance(raw, dict) or not isinstance(raw.get("action"), str):
        raise ValueError("a step entry has no action")
    options = raw.get("options") or {}
    if not isinstance(options, dict):
        raise ValueError("a step entry's options are not a mapping")
    return Step(
        at,
        raw["action"],
        copy.deepcopy(raw.get("value")),
        copy.deepcopy(options),
        str(raw.get("file", "")),
        int(raw.get("line", 0) or 0),
        Path(str(raw.get("base", "."))),
    )


# -- running entries ------------------------------------------------------------------------
def run_entry(cluster: Cluster, entry: Entry, user: UserInfo = ADMIN) -> ActionResult:
    """Make the entry's change to the cluster now, as the original action did."""
    data = entry.data
    if entry.kind == APPLY:
        if data.get("problems"):
            return ActionResult(errors=list(data["problems"]))
        manifests = [manifest_from_json(m) for m in data.get("manifests") or []]
        namespace = data.get("namespace")
        if namespace:
            return apply_step_manifests(cluster, manifests, namespace, user)
        return apply_manifests(cluster, manifests, user)
    if entry.kind == STEP:
        return run_step(cluster, step_from_json(entry.at, data.get("step")), user)
    if entry.kind == CREATE:
        return _create(cluster, data, user)
    if entry.kind == UPDATE:
        return _update(cluster, data, user)
    if entry.kind == ROLLOUT:
        return _rollout(cluster, data, user)
    if entry.kind == RELOAD:
        return _reload(cluster, data, user)
    raise ValueError(f"unknown entry kind {entry.kind!r}")


def _create(cluster: Cluster, data: dict, user: UserInfo) -> ActionResult:
    result = ActionResult()
    for raw in data.get("manifests") or []:
        manifest = manifest_from_json(raw)
        try:
            cluster.api.create(manifest.obj, user=user)
        except errors.APIError as err:
            result.errors.append(err.kubectl("creating", manifest.file))
    return result


def _update(cluster: Cluster, data: dict, user: UserInfo) -> ActionResult:
    obj = data.get("object")
    if not isinstance(obj, dict):
        raise ValueError("an update entry has no object")
    try:
        cluster.api.update(copy.deepcopy(obj), user=user)
    except errors.APIError as err:
        return ActionResult(errors=[err.kubectl()])
    return ActionResult()


def _rollout(cluster: Cluster, data: dict, user: UserInfo) -> ActionResult:
    from engine.workloads import actions

    target, namespace = str(data.get("target", "")), str(data.get("namespace", "default"))
    if data.get("sub") == "restart":
        return actions.rollout_restart(cluster, target, namespace=namespace, user=user)
    if data.get("sub") == "undo":
        revision = int(data.get("toRevision", 0) or 0)
        return actions.rollout_undo(
            cluster, target, to_revision=revision, namespace=namespace, user=user
        )
    raise ValueError(f"unknown rollout {data.get('sub')!r}")


def _reload(cluster: Cluster, data: dict, user: UserInfo) -> ActionResult:
    result = apply_manifests(
        cluster, [manifest_from_json(m) for m in data.get("manifests") or []], user
    )
    for ref in data.get("pruned") or []:
        kind, namespace, name = (str(part) for part in ref)
        try:
            cluster.api.delete(kind, namespace, name, propagation="Background", user=user)
        except errors.APIError as err:
            result.errors.append(err.kubectl("deleting", ""))
    return result
