"""The check language: JMESPath over the cluster, plus kubectl's own words as functions."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.lessons.checks import compile_check, evaluate, truthy
from engine.manifests.loader import load_paths
from engine.steps import apply_manifests

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: init-demo
spec:
  volumes:
  - name: shared
    emptyDir: {}
  initContainers:
  - name: first
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 10']
  - name: second
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 10']
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'echo hello > /data/greeting; echo started; sleep infinity']
    volumeMounts:
    - name: shared
      mountPath: /data
"""


def _cluster(tmp_path) -> Cluster:
    (tmp_path / "pod.yaml").write_text(POD)
    cluster = Cluster(seed=0)
    cluster.boot(default_nodes=True)
    apply_manifests(cluster, load_paths([str(tmp_path / "pod.yaml")]).manifests)
    return cluster


def _value(cluster: Cluster, text: str, saved: dict | None = None):
    from engine.lessons.checks import cluster_view

    return evaluate(cluster, compile_check(text), cluster_view(cluster, saved))


class TestTheCheckLanguage:
    def test_status_is_the_status_column_of_kubectl_get_pods(self, tmp_path) -> None:
        cluster = _cluster(tmp_path)
        cluster.run_until(5)
        assert _value(cluster, "status(pods[?metadata.name=='init-demo'] | [0])") == "Init:0/2"
        cluster.run_until(16)
        assert _value(cluster, "status(pods[0])") == "Init:1/2"

    def test_ready_restarts_logs_and_file_read_the_running_pod(self, tmp_path) -> None:
        cluster = _cluster(tmp_path)
        cluster.run_until(40)
        assert _value(cluster, "ready(pods[0])") == "1/1"
        assert _value(cluster, "restarts(pods[0])") == 0
        assert _value(cluster, "logs(pods[0], 'app')") == "started"
        assert _value(cluster, "file(pods[0], 'app', '/data/greeting')") == "hello\n"
        assert _value(cluster, "file(pods[0], 'app', '/data/nothing')") is None
        assert _value(cluster, "node(pods[0]).metadata.name") == _value(
            cluster, "pods[0].spec.nodeName"
        )

    def test_objects_are_found_by_their_resource_name_and_events_too(self, tmp_path) -> None:
        cluster = _cluster(tmp_path)
        cluster.run_until(3)
        assert _value(cluster, "length(nodes)") == 3
        assert truthy(_value(cluster, "events[?reason=='Scheduled']"))
        assert _value(cluster, "length(deployments)") == 0

    def test_saved_values_are_reachable_inside_a_filter(self, tmp_path) -> None:
        cluster = _cluster(tmp_path)
        cluster.run_until(3)
        found = "pods[?metadata.name == saved('name')].metadata.name"
        assert _value(cluster, found, {"name": "init-demo"}) == ["init-demo"]
        assert _value(cluster, found, {"name": "other"}) == []

    def test_jmespath_truth_empty_is_false(self) -> None:
        assert not truthy([]) and not truthy(None) and not truthy("") and not truthy({})
        assert truthy(0) and truthy([0])
