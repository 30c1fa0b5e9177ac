"""Every object podtui writes validates against Kubernetes' published schema, strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.sim import load_inputs, simulate

kubernetes_validate = pytest.importorskip("kubernetes_validate")
ROOT = Path(__file__).resolve().parents[2]
# Kinds current Kubernetes no longer serves (podtui keeps them for the seed tutorial).
REMOVED = {"PodSecurityPolicy", "PodPreset"}


def test_every_object_of_the_sample_cluster_validates_strictly_against_the_1_32_schema() -> None:
    cluster = simulate(load_inputs([str(ROOT / "sample_manifests")]), until=120)
    failures = []
    for obj in cluster.objects():
        if obj["kind"] in REMOVED:
            continue
        try:
            kubernetes_validate.validate(obj, "1.32.0", strict=True)
        except Exception as err:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {str(err)[:200]}")
    assert failures == []
