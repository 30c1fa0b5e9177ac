"""No bounded cache may change what the cluster does: each one, cut down to a single entry
so that it starts over all the time, leaves every object byte-identical."""

from __future__ import annotations

import json

import pytest

from engine import clock, labels, quantity
from engine.kubelet import conditions, image_puller
from engine.scheduler import changes, filters, nodeinfo, snapshot
from engine.security.rbac import authorizer
from engine.workloads import base, podutil
from tests.engine.simulation import cluster_with

MANIFESTS = "\n---\n".join(
    f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{index}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web-{index}}}
  template:
    metadata:
      labels: {{app: web-{index}}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        resources:
          requests: {{cpu: {100 + index}m, memory: {64 + index}Mi}}
        readinessProbe:
          httpGet: {{path: /, port: 80}}
          periodSeconds: 5
"""
    for index in range(4)
)


def run() -> str:
    cluster = cluster_with(MANIFESTS)
    cluster.run_until(90)
    kinds = ("Pod", "Event", "ReplicaSet", "Deployment", "Node")
    return json.dumps(
        {kind: cluster.store.list(kind) for kind in kinds}, sort_keys=True, default=str
    )


def test_every_bounded_cache_starting_over_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = run()
    monkeypatch.setattr(clock, "TIMESTAMP_CACHE_LIMIT", 1)
    monkeypatch.setattr(quantity, "PARSE_CACHE_LIMIT", 1)
    monkeypatch.setattr(nodeinfo, "RESOURCES_MEMO_LIMIT", 1)
    monkeypatch.setattr(filters, "FACTS_MEMO_LIMIT", 1)
    monkeypatch.setattr(changes, "CHANGE_LOG_LIMIT", 1)
    monkeypatch.setattr(snapshot, "ANSWERS_LIMIT", 1)
    monkeypatch.setattr(base, "SELECTOR_MEMO_LIMIT", 1)
    monkeypatch.setattr(authorizer, "DECISIONS_MEMO_LIMIT", 1)
    monkeypatch.setattr(labels, "PARSED_SELECTOR_LIMIT", 1)
    monkeypatch.setattr(conditions, "_STAMPED_LIMIT", 1)
    monkeypatch.setattr(image_puller, "RESOLVED_LIMIT", 1)
    monkeypatch.setattr(podutil, "SECONDS_MEMO_LIMIT", 1)
    for cache in (quantity._PARSED, quantity._MILLIS, quantity._BYTES):
        cache.clear()
    nodeinfo._RESOURCES_MEMO.clear()
    filters._FACTS_MEMO.clear()
    base._SELECTOR_MEMO.clear()
    labels._PARSED_SELECTORS.clear()
    conditions._STAMPED.clear()
    image_puller._RESOLVED.clear()
    podutil._SECONDS_MEMO.clear()
    assert run() == expected
