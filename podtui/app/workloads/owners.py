"""Who owns what, as the Controllers pane's jumps and rollback need it (no Textual here).

A controller's pods are the ones its label selector matches, as k9s shows them (Enter on a
Deployment opens `Pods` filtered by `-l <selector>`) and as `kubectl get pods -l` lists
them; a pod's owner is its controller reference, as shift-j follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.labels import SelectorError, label_selector_as_selector
from engine.workloads import deployment_util as du

CONTROLLER_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job")
RESTARTABLE = ("Deployment", "StatefulSet", "DaemonSet")
"""`kubectl rollout restart` kinds (k9s: r on Deployments, StatefulSets, DaemonSets)."""
TEMPLATED = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job")
"""Kinds with a pod template whose images `kubectl set image` changes."""


@dataclass(frozen=True)
class OwnerRef:
    """A controller reference: the owner's kind and name, in the object's namespace."""

    kind: str
    name: str
    namespace: str


def selector_filter(obj: dict) -> str | None:
    """The `/` filter that shows a controller's pods: `-l app=web`, or None without one."""
    selector = (obj.get("spec") or {}).get("selector")
    if not selector:
        return None
    try:
        text = str(label_selector_as_selector(selector))
    except SelectorError:
        return None
    return f"-l {text}" if text else None


def controller_of(obj: dict) -> OwnerRef | None:
    """metav1.GetControllerOf: the owner reference with `controller: true`."""
    meta = obj.get("metadata") or {}
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            return OwnerRef(ref.get("kind", ""), ref.get("name", ""), meta.get("namespace", ""))
    return None


def revision(obj: dict) -> int:
    """The `deployment.kubernetes.io/revision` of a Deployment or ReplicaSet (0: none)."""
    return du.revision(obj)


def containers_of(obj: dict) -> list[tuple[str, str]]:
    """(name, image) of every container in a workload's pod template, init containers first."""
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [
        (c.get("name", ""), c.get("image", ""))
        for group in ("initContainers", "containers")
        for c in spec.get(group) or ()
    ]
