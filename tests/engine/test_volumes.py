"""What containers see in their volumes."""

from __future__ import annotations

from tests.engine.simulation import cluster_with, container_status, pod, status_line

SHARED = """\
apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  initContainers:
  - name: writer
    image: busybox:1.36
    command: ["sh", "-c", "echo hello from init > /work/greeting"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: reader
    image: busybox:1.36
    command: ["sh", "-c", "cat /work/greeting; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; cat /config/mode; echo; sleep 3600"]
    volumeMounts:
    - {name: work, mountPath: /work}
    - {name: config, mountPath: /config}
  volumes:
  - name: work
    emptyDir: {}
  - name: config
    configMap: {name: settings}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""


def test_an_empty_dir_is_shared_by_a_pods_containers() -> None:
    cluster = cluster_with(SHARED.split("---\n")[1] + "---\n" + SHARED.split("---\n")[0])
    cluster.run_until(20)
    assert status_line(cluster, "shared") == ("1/1", "Running", "0")
    assert cluster.logs("default", "shared") == ["hello from init", "default", "fast"]


def test_the_service_account_token_volume_holds_token_ca_and_namespace() -> None:
    cluster = cluster_with(SHARED.split("---\n")[1] + "---\n" + SHARED.split("---\n")[0])
    cluster.run_until(20)
    obj = pod(cluster, "shared")
    worker = cluster.kubelets[obj["spec"]["nodeName"]].workers[obj["metadata"]["uid"]]
    fs = worker.newest_instance("reader").process.fs
    base = "/var/run/secrets/kubernetes.io/serviceaccount"
    assert fs.read(f"{base}/namespace") == "default"
    assert fs.read(f"{base}/ca.crt").startswith("-----BEGIN CERTIFICATE-----")
    assert fs.read(f"{base}/token").count(".") == 2


def test_a_missing_config_map_volume_keeps_the_pod_in_container_creating() -> None:
    cluster = cluster_with(SHARED.split("---\n")[0])
    cluster.run_until(20)
    assert status_line(cluster, "shared")[1] == "Init:0/1"
    messages = [
        e["message"]
        for e in cluster.events.events_for(pod(cluster, "shared"))
        if e["reason"] == "FailedMount"
    ]
    assert messages == [
        'MountVolume.SetUp failed for volume "config" : configmap "settings" not found'
    ]
    assert container_status(cluster, "shared")["state"] == {
        "waiting": {"reason": "PodInitializing"}
    }
