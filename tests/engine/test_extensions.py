"""Every feature package is part of the build: tests elsewhere rely on it instead of
branching on whether a kind or a scenario step exists, so a package that stopped loading or
registering fails here, by name, rather than turning those tests into passes."""

from __future__ import annotations

import pytest

from engine.api.kinds import kind_info
from engine.extensions import PACKAGES, load_extensions
from engine.steps import has_step


def test_every_feature_package_loads() -> None:
    assert [module.__name__ for module in load_extensions()] == PACKAGES
    assert {"engine.workloads", "engine.disruption", "engine.security", "engine.network"} <= set(
        PACKAGES
    )


@pytest.mark.parametrize(
    "kind",
    [
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "PersistentVolumeClaim",
        "PodDisruptionBudget",
        "PodSecurityPolicy",
        "PodPreset",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "Service",
        "Endpoints",
        "EndpointSlice",
    ],
)
def test_the_feature_packages_register_their_kinds(kind: str) -> None:
    load_extensions()
    assert kind_info(kind) is not None, f"no feature package registers {kind}"


@pytest.mark.parametrize(
    "action", ["drain", "evict", "scale", "setImage", "inject", "cordon", "uncordon", "delete"]
)
def test_the_scenario_steps_are_registered(action: str) -> None:
    load_extensions()
    assert has_step(action), f"the {action} step is not registered"
