"""The check language: JMESPath expressions over a read-only view of the cluster.

JMESPath (jmespath.org) is a query language for JSON with a published grammar; it can only
read the document it is given, so a lesson file cannot run code. The document a check sees:

    now          simulated seconds since the cluster started
    saved        what earlier steps remembered (`remember:`)
    pods, deployments, replicasets, statefulsets, daemonsets, nodes, events,
    podsecuritypolicies, podpresets, poddisruptionbudgets, ...
                 every object of the kind (its resource name, as kubectl spells it),
                 in Kubernetes' own shape
    drains       every `kubectl drain` started on the cluster, oldest first:
                 {node, state: running|drained|failed|cancelled,
                  pods: [{namespace, name, state, attempts, blocked_by}]}, a pod's state
                 one of evicting, blocked (a budget refused it: blocked_by names the
                 budget), waiting, evicted, deleted, gone, skipped, failed

and podtui adds a few functions that say what kubectl would print:

    status(pod)           the STATUS column of `kubectl get pods` (Init:0/2, CrashLoopBackOff)
    ready(pod)            the READY column ("1/2")
    restarts(pod)         the number of restarts of the pod's containers
    logs(pod, container)  what the container printed (`kubectl logs POD -c CONTAINER`)
    node(pod)             the Node object the pod is bound to (null before scheduling)
    file(pod, container, path)
                          a file's text as the container sees it (its own filesystem and
                          the volumes it mounts), or null when there is no such file
    saved(name)           what an earlier step remembered (usable inside a filter, where
                          `saved.name` would read the filtered object's own field)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jmespath
from jmespath import exceptions as jexceptions
from jmespath import functions as jfunctions

from engine.api.kinds import kind_info
from engine.disruption.drain import Drain, drains_of
from engine.printers.pods import pod_ready, pod_status_reason
from engine.shell.fs import FsError

if TYPE_CHECKING:
    from engine.cluster import Cluster


class CheckError(Exception):
    """A check that does not parse (the message says where in the expression)."""


def compile_check(text: str) -> Any:
    """Parse one expression; raises CheckError with JMESPath's message."""
    if not isinstance(text, str) or not text.strip():
        raise CheckError("a check is a non-empty JMESPath expression")
    try:
        compiled = jmespath.compile(text)
    except jexceptions.JMESPathError as err:
        raise CheckError(" ".join(str(err).split())) from err
    # JMESPath resolves function names only when it runs; a teacher's typo should fail now.
    for name in _function_names(compiled.parsed):
        if name not in KNOWN_FUNCTIONS:
            raise CheckError(
                f'unknown function "{name}()" (known: {", ".join(sorted(KNOWN_FUNCTIONS))})'
            )
    return compiled


def _function_names(node: Any) -> list[str]:
    names: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "function_expression":
            names.append(str(node.get("value")))
        for child in node.get("children") or []:
            names.extend(_function_names(child))
    return names


PODTUI_FUNCTIONS = ("status", "ready", "restarts", "logs", "node", "file", "saved")
KNOWN_FUNCTIONS = frozenset(
    [name[len("_func_") :] for name in dir(jfunctions.Functions) if name.startswith("_func_")]
    + list(PODTUI_FUNCTIONS)
)


def truthy(value: Any) -> bool:
    """JMESPath's truth: false, null, empty strings, lists and objects are false."""
    # Not `value not in (...)`: 0 == False in Python, and 0 is true in JMESPath.
    if value is None or value is False:
        return False
    return not (isinstance(value, (str, list, dict)) and len(value) == 0)


def cluster_view(cluster: Cluster, saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document checks read: objects by resource name, the time, saved values."""
    view: dict[str, Any] = {"now": cluster.now, "saved": dict(saved or {})}
    for obj in cluster.objects():
        info = kind_info(obj.get("kind", ""))
        key = info.plural if info is not None else obj.get("kind", "").lower() + "s"
        view.setdefault(key, []).append(obj)
    for plural in ("pods", "events", "nodes", "deployments", "replicasets", "statefulsets"):
        view.setdefault(plural, [])
    # Not an API object: a drain lives in kubectl, so only podtui can show it to a check.
    view["drains"] = [_drain_view(d) for d in drains_of(cluster)]
    return view


def _drain_view(drain: Drain) -> dict[str, Any]:
    """A drain as the drain panel shows it, in plain JSON types."""
    return {
        "node": drain.node,
        "state": drain.state,
        "pods": [
            {
                "namespace": p.namespace,
                "name": p.name,
                "state": p.state,
                "attempts": p.attempts,
                "blocked_by": p.blocked_by,
            }
            for p in drain.pods
        ],
    }


def _functions(cluster: Cluster, saved: dict[str, Any]) -> jfunctions.Functions:
    class ClusterFunctions(jfunctions.Functions):
        @jfunctions.signature({"types": ["string"]})
        def _func_saved(self, name: str) -> Any:
            return saved.get(name)

        @jfunctions.signature({"types": ["object", "null"]})
        def _func_status(self, pod: Any) -> str | None:
            return pod_status_reason(pod) if pod else None

        @jfunctions.signature({"types": ["object", "null"]})
        def _func_ready(self, pod: Any) -> str | None:
            if not pod:
                return None
            ready, total = pod_ready(pod)
            return f"{ready}/{total}"

        @jfunctions.signature({"types": ["object", "null"]})
        def _func_restarts(self, pod: Any) -> int | None:
            if not pod:
                return None
            statuses = (pod.get("status") or {}).get("containerStatuses") or []
            return sum(int(s.get("restartCount") or 0) for s in statuses)

        @jfunctions.signature({"types": ["object", "null"]}, {"types": ["string", "null"]})
        def _func_logs(self, pod: Any, container: str | None) -> str:
            if not pod:
                return ""
            meta = pod.get("metadata") or {}
            lines = cluster.logs(meta.get("namespace", "default"), meta.get("name", ""), container)
            return "\n".join(lines)

        @jfunctions.signature({"types": ["object", "null"]})
        def _func_node(self, pod: Any) -> dict | None:
            name = ((pod or {}).get("spec") or {}).get("nodeName")
            return cluster.store.get("Node", "", name) if name else None

        @jfunctions.signature(
            {"types": ["object", "null"]}, {"types": ["string"]}, {"types": ["string"]}
        )
        def _func_file(self, pod: Any, container: str, path: str) -> str | None:
            return _read_file(cluster, pod, container, path)

    return ClusterFunctions()


def _read_file(cluster: Cluster, pod: Any, container: str, path: str) -> str | None:
    """Read-only: the newest instance of the container, its filesystem as exec would see it."""
    if not pod:
        return None
    kubelet = cluster.kubelets.get((pod.get("spec") or {}).get("nodeName") or "")
    worker = kubelet.workers.get(pod["metadata"].get("uid")) if kubelet is not None else None
    instances = (worker.instances.get(container) or []) if worker is not None else []
    process = getattr(instances[-1], "process", None) if instances else None
    if process is None:
        return None
    try:
        return process.fs.read(path) if process.fs.is_file(path) else None
    except FsError:  # a path the filesystem refuses (ENOTDIR ...) reads as "no such file"
        return None


def evaluate(cluster: Cluster, expression: Any, view: dict[str, Any] | None = None) -> Any:
    """The value of a compiled check over the cluster as it is now."""
    document = view if view is not None else cluster_view(cluster)
    options = jmespath.Options(custom_functions=_functions(cluster, document.get("saved") or {}))
    try:
        return expression.search(document, options=options)
    except (jexceptions.JMESPathError, TypeError, ValueError) as err:
        # A type error at run time: jmespath 1.1 raises Python's own TypeError when it
        # orders a string against a number. The step is not done; the runner says why.
        raise CheckError(" ".join(str(err).split())) from err
