"""`kubectl describe`, computed once in the engine for the console and the CLI.

Each kind has a describer `fn(cluster, obj) -> str` that returns kubectl describe's text,
in its exact layout (pkg/describe/describe.go), events included. Kinds without one get
the generic describer, as kubectl does for kinds it has no describer for. Feature
packages add theirs with `register_describer("Deployment", describe_deployment)`: the
workload kinds' describers live in engine/workloads/describe.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.describe.budget import describe_pod_disruption_budget
from engine.describe.generic import (
    describe_config_map,
    describe_generic,
    describe_namespace,
    describe_service_account,
)
from engine.describe.node import describe_node, node_description
from engine.describe.pod import describe_pod, pod_description
from engine.describe.secret import describe_secret

if TYPE_CHECKING:
    from engine.cluster import Cluster

Describer = Callable[["Cluster", dict], str]
_DESCRIBERS: dict[str, Describer] = {}


def register_describer(kind: str, describer: Describer) -> None:
    """Register (or replace) the describer for a kind such as "Deployment"."""
    _DESCRIBERS[kind] = describer


def describer_for(kind: str) -> Describer:
    """The kind's describer, or the generic one."""
    return _DESCRIBERS.get(kind, describe_generic)


def describe(cluster: Cluster, obj: dict) -> str:
    """The text of `kubectl describe KIND NAME` for one object."""
    return describer_for(obj.get("kind", ""))(cluster, obj)


register_describer("Pod", describe_pod)
register_describer("Node", describe_node)
register_describer("Namespace", describe_namespace)
register_describer("ConfigMap", describe_config_map)
register_describer("ServiceAccount", describe_service_account)
register_describer("Secret", describe_secret)
register_describer("PodDisruptionBudget", describe_pod_disruption_budget)

__all__ = [
    "Describer",
    "describe",
    "describe_generic",
    "describe_node",
    "describe_pod",
    "describer_for",
    "node_description",
    "pod_description",
    "register_describer",
]
