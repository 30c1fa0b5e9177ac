"""The kubelet's own admission counts only the pods still using the node."""

from __future__ import annotations

from engine.manifests.loader import load_text
from engine.steps import apply_manifests
from tests.engine.simulation import cluster_with

SMALL_NODE = """\
apiVersion: v1
kind: Node
metadata: {name: small}
status:
  capacity: {cpu: "1", memory: 1Gi, pods: "110"}
  allocatable: {cpu: "1", memory: 1Gi, pods: "110"}
"""


def pod(name: str) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  nodeName: small
  restartPolicy: Never
  containers:
  - name: task
    image: busybox:1.36
    command: [sh, -c, "echo done"]
    resources: {{requests: {{cpu: 600m, memory: 64Mi}}}}
"""


def test_a_pod_that_left_gives_its_requests_back_to_the_kubelets_admission() -> None:
    # pkg/kubelet/lifecycle/predicate.go (canAdmitPod) weighs the new pod against the
    # active pods only (kubelet.go filterOutInactivePods): a pod that left the node no
    # longer holds its requests. A kubelet that kept counting them refused every later pod
    # with OutOfcpu, and a StatefulSet recreating its refused pod spun for ever.
    cluster = cluster_with(SMALL_NODE + "---\n" + pod("first"), default_nodes=False)
    cluster.run_until(20)
    for name in ("second", "third"):
        previous = cluster.store.list("Pod", "default")[0]["metadata"]["name"]
        cluster.api.delete("Pod", "default", previous, grace_period=0)
        cluster.run_until(cluster.now + 5)
        apply_manifests(cluster, load_text(pod(name), "pod.yaml").manifests)
        cluster.run_until(cluster.now + 20)
        status = cluster.store.get("Pod", "default", name)["status"]
        assert status["phase"] in ("Running", "Succeeded"), (name, status.get("message"))


def test_a_pod_that_does_not_fit_is_rejected_with_the_kubelets_reason() -> None:
    # pkg/kubelet/lifecycle/predicate.go: reason = fmt.Sprintf("OutOf%s", re.ResourceName)
    cluster = cluster_with(
        SMALL_NODE + "---\n" + pod("first") + "---\n" + pod("second").replace("600m", "500m"),
        default_nodes=False,
    )
    cluster.run_until(1)
    status = cluster.store.get("Pod", "default", "second")["status"]
    assert (status["phase"], status["reason"]) == ("Failed", "OutOfcpu")
    assert status["message"] == (
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 500, used: 600, "
        "capacity: 1000"
    )
