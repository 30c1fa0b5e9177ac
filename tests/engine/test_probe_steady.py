"""A probe that keeps passing is counted without asking the server again (prober.py's
`_repeat_success`); nothing anyone can observe may differ from probing every period.

pkg/kubelet/prober/worker.go runs doProbe every periodSeconds for as long as the worker
lives; these tests hold podtui's shortcut to exactly that story.
"""

from __future__ import annotations

import json

import pytest

from engine import actions
from engine.cluster import Cluster
from engine.kubelet.prober import ProbeWorker
from tests.engine.simulation import cluster_with, event_messages, status_line

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports: [{containerPort: 80}]
    readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}
    livenessProbe: {httpGet: {path: /index.html, port: 80}, periodSeconds: 7, failureThreshold: 2}
---
apiVersion: v1
kind: Pod
metadata: {name: mounted}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 3}
    volumeMounts: [{name: html, mountPath: /usr/share/nginx/html}]
  volumes: [{name: html, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: agnhost}
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/liveness
    args: [/server]
    livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 3, failureThreshold: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: flaky}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 4, successThreshold: 2}
    livenessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 4}
---
apiVersion: v1
kind: Pod
metadata: {name: named-port}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports: [{containerPort: 80, name: http}]
    startupProbe: {httpGet: {path: /, port: http}, periodSeconds: 2}
    readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 6}
"""


REPEAT_SUCCESS = ProbeWorker._repeat_success


def _story(cluster: Cluster) -> str:
    """Everything observable: every object (events included), each probe's counters, logs."""
    probes = []
    for node in sorted(cluster.kubelets):
        for worker in cluster.kubelets[node].workers.values():
            for key, probe in sorted(worker.probes.items()):
                probes.append(
                    (worker.name, key, probe.result, probe.last_result, probe.result_run)
                )
    logs = {
        pod["metadata"]["name"]: cluster.logs("default", pod["metadata"]["name"])
        for pod in cluster.store.list("Pod", "default")
    }
    return json.dumps([cluster.objects(), probes, logs], sort_keys=True, default=str)


def _run(*, shortcut: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    repeats = 0

    def counted(self: ProbeWorker, worker) -> bool:
        nonlocal repeats
        if not shortcut:
            return False
        repeated = REPEAT_SUCCESS(self, worker)
        repeats += repeated
        return repeated

    monkeypatch.setattr(ProbeWorker, "_repeat_success", counted)
    cluster = cluster_with(PODS)
    cluster.run_until(40)
    session, result = actions.exec_in_container(cluster, "default", "web")
    assert session is not None, result.errors
    session.run("rm /usr/share/nginx/html/index.html")
    cluster.run_until(70)
    actions.inject(cluster, "probeFail", pod="flaky", probe="readiness", duration=9)
    cluster.run_until(95)
    actions.inject(cluster, "crash", pod="named-port", exit_code=1)
    cluster.run_until(130)
    actions.delete(cluster, "pod/flaky")
    cluster.run_until(200)
    return _story(cluster), repeats


def test_repeating_a_passing_probe_is_unobservable(monkeypatch: pytest.MonkeyPatch) -> None:
    probed, _ = _run(shortcut=False, monkeypatch=monkeypatch)
    repeated, repeats = _run(shortcut=True, monkeypatch=monkeypatch)
    assert repeats > 50  # the shortcut was taken, and often
    assert repeated == probed


def test_a_passing_readiness_probe_fails_once_the_served_file_is_removed() -> None:
    cluster = cluster_with(PODS)
    cluster.run_until(30)
    assert status_line(cluster, "web") == ("1/1", "Running", "0")
    session, _ = actions.exec_in_container(cluster, "default", "web")
    assert session is not None
    session.run("rm /usr/share/nginx/html/index.html")
    cluster.run_until(44)  # failureThreshold 3 at 5 s: the third failure within 15 s
    assert status_line(cluster, "web")[0] == "0/1"
    assert "Readiness probe failed: HTTP probe failed with statuscode: 403" in event_messages(
        cluster, "web", "Unhealthy"
    )


def test_a_passing_probe_fails_while_a_probe_fail_fault_lasts() -> None:
    cluster = cluster_with(PODS)
    cluster.run_until(30)
    assert status_line(cluster, "flaky")[0] == "1/1"
    actions.inject(cluster, "probeFail", pod="flaky", probe="readiness", duration=20)
    cluster.run_until(45)  # failureThreshold 3 at 4 s: three failures within 12 s
    assert status_line(cluster, "flaky")[0] == "0/1"
    cluster.run_until(70)  # successThreshold 2 once the fault has passed
    assert status_line(cluster, "flaky")[0] == "1/1"


def test_agnhost_liveness_is_never_repeated_without_asking() -> None:
    """Its /healthz answer depends on time, so every period asks it (and it restarts)."""
    cluster = cluster_with(PODS)
    cluster.run_until(40)
    assert status_line(cluster, "agnhost")[2] != "0"
