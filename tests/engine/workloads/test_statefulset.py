"""The StatefulSet controller: ordinals, OrderedReady and Parallel, scale-down order,
partitioned rolling updates, OnDelete, claims per ordinal, revisions and status."""

from __future__ import annotations

import pytest

from engine.workloads import actions
from engine.workloads.statefulset import parent_and_ordinal
from tests.engine.workloads.helpers import (
    active,
    cluster_with,
    container,
    events,
    get,
    names,
    pods_of,
    ready,
    workload,
)

CLAIMS = {
    "volumeClaimTemplates": [
        {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    ]
}


def stateful_set(name: str = "db", replicas: int = 3, pod_spec: dict | None = None, **spec) -> str:
    return workload(
        "StatefulSet",
        name,
        replicas=replicas,
        spec={"serviceName": name, **spec},
        pod_spec=pod_spec,
    )


def pods(cluster, name: str = "db") -> list[dict]:
    return sorted(
        pods_of(cluster, name), key=lambda p: parent_and_ordinal(p["metadata"]["name"])[1]
    )


def all_ready(cluster, name: str = "db") -> bool:
    sts = get(cluster, "StatefulSet", name)
    found = pods(cluster, name)
    return len(found) == sts["spec"]["replicas"] and all(
        ready(p) and not p["metadata"].get("deletionTimestamp") for p in found
    )


def run_until_ready(cluster, name: str = "db", limit: float = 300) -> None:
    start = cluster.now
    while not all_ready(cluster, name):
        assert cluster.now - start < limit
        cluster.tick()


class TestIdentity:
    def test_pods_are_named_by_ordinal_with_a_stable_hostname(self) -> None:
        cluster = cluster_with(stateful_set())
        run_until_ready(cluster)
        found = pods(cluster)
        assert names(found) == ["db-0", "db-1", "db-2"]
        for ordinal, pod in enumerate(found):
            assert pod["spec"]["hostname"] == f"db-{ordinal}"
            assert pod["spec"]["subdomain"] == "db"
            labels = pod["metadata"]["labels"]
            assert labels["statefulset.kubernetes.io/pod-name"] == f"db-{ordinal}"
            assert labels["apps.kubernetes.io/pod-index"] == str(ordinal)
            assert labels["controller-revision-hash"].startswith("db-")

    @pytest.mark.parametrize(
        ("name", "parsed"), [("web-0", ("web", 0)), ("my-db-12", ("my-db", 12)), ("web", ("", -1))]
    )
    def test_ordinals_parse_from_the_name(self, name, parsed) -> None:
        assert parent_and_ordinal(name) == parsed


class TestOrderedReady:
    def test_each_pod_waits_for_the_previous_to_be_running_and_ready(self) -> None:
        cluster = cluster_with(stateful_set())
        created: dict[str, float] = {}
        became_ready: dict[str, float] = {}
        while not all_ready(cluster):
            for pod in pods(cluster):
                created.setdefault(pod["metadata"]["name"], cluster.now)
                if ready(pod):
                    became_ready.setdefault(pod["metadata"]["name"], cluster.now)
            assert cluster.now < 120
            cluster.tick()
        assert became_ready["db-0"] <= created["db-1"]
        assert became_ready["db-1"] <= created["db-2"]
        sts = get(cluster, "StatefulSet", "db")
        assert events(cluster, sts, "SuccessfulCreate") == [
            "create Pod db-0 in StatefulSet db successful",
            "create Pod db-1 in StatefulSet db successful",
            "create Pod db-2 in StatefulSet db successful",
        ]

    def test_parallel_creates_every_pod_at_once(self) -> None:
        cluster = cluster_with(stateful_set(podManagementPolicy="Parallel"))
        cluster.run_until(0)
        assert names(pods(cluster)) == ["db-0", "db-1", "db-2"]

    def test_scale_down_removes_the_highest_ordinal_first_one_at_a_time(self) -> None:
        sleeper = {
            "containers": [container(image="busybox", command=["sh", "-c", "sleep 3600"])],
            "terminationGracePeriodSeconds": 5,
        }
        cluster = cluster_with(stateful_set(replicas=4, pod_spec=sleeper))
        run_until_ready(cluster)
        actions.scale(cluster, "statefulset/db", 1)
        order = []
        start = cluster.now
        while len(pods(cluster)) > 1:
            for pod in pods(cluster):
                if (
                    pod["metadata"].get("deletionTimestamp")
                    and pod["metadata"]["name"] not in order
                ):
                    order.append(pod["metadata"]["name"])
            terminating = [p for p in pods(cluster) if p["metadata"].get("deletionTimestamp")]
            assert len(terminating) <= 1, f"two pods terminate at once at t={cluster.now}"
            assert cluster.now - start < 120
            cluster.tick()
        assert order == ["db-3", "db-2", "db-1"]


class TestClaims:
    def test_one_claim_per_ordinal_bound_and_mounted(self) -> None:
        pod_spec = {
            "containers": [container(volumeMounts=[{"name": "data", "mountPath": "/data"}])]
        }
        cluster = cluster_with(stateful_set(replicas=2, pod_spec=pod_spec, **CLAIMS))
        run_until_ready(cluster)
        for ordinal, pod in enumerate(pods(cluster)):
            claim = get(cluster, "PersistentVolumeClaim", f"data-db-{ordinal}")
            assert claim["status"]["phase"] == "Bound"
            assert claim["metadata"]["labels"] == {"app": "db"}
            assert {
                "name": "data",
                "persistentVolumeClaim": {"claimName": f"data-db-{ordinal}"},
            } in pod["spec"]["volumes"]
        sts = get(cluster, "StatefulSet", "db")
        assert "create Claim data-db-0 Pod db-0 in StatefulSet db success" in events(
            cluster, sts, "SuccessfulCreate"
        )

    def test_claims_outlive_a_scale_down_and_are_reused(self) -> None:
        cluster = cluster_with(stateful_set(replicas=2, **CLAIMS))
        run_until_ready(cluster)
        volume = get(cluster, "PersistentVolumeClaim", "data-db-1")["spec"]["volumeName"]
        actions.scale(cluster, "statefulset/db", 1)
        cluster.run_until(cluster.now + 40)
        assert names(pods(cluster)) == ["db-0"]
        assert get(cluster, "PersistentVolumeClaim", "data-db-1")["status"]["phase"] == "Bound"
        actions.scale(cluster, "statefulset/db", 2)
        run_until_ready(cluster)
        assert get(cluster, "PersistentVolumeClaim", "data-db-1")["spec"]["volumeName"] == volume


class TestUpdates:
    def test_rolling_update_replaces_from_the_highest_ordinal_down(self) -> None:
        cluster = cluster_with(stateful_set())
        run_until_ready(cluster)
        deleted: list[str] = []
        cluster.watch(
            lambda change: (
                deleted.append(change.obj["metadata"]["name"]) if change.type == "DELETED" else None
            ),
            {"Pod"},
        )
        actions.set_image(cluster, "statefulset/db", "nginx:1.28")
        start = cluster.now
        while True:
            found = pods(cluster)
            if all_ready(cluster) and all(
                p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in found
            ):
                break
            assert cluster.now - start < 200
            cluster.tick()
        assert deleted == ["db-2", "db-1", "db-0"]
        sts = get(cluster, "StatefulSet", "db")
        status = sts["status"]
        assert status["currentRevision"] == status["updateRevision"]
        assert status["updatedReplicas"] == status["currentReplicas"] == 3

    def test_a_partition_keeps_lower_ordinals_at_the_old_revision(self) -> None:
        strategy = {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}
        cluster = cluster_with(stateful_set(**strategy))
        run_until_ready(cluster)
        actions.set_image(cluster, "statefulset/db", "nginx:1.28")
        cluster.run_until(cluster.now + 60)
        images = [p["spec"]["containers"][0]["image"] for p in pods(cluster)]
        assert images == ["nginx:1.27", "nginx:1.27", "nginx:1.28"]
        status = get(cluster, "StatefulSet", "db")["status"]
        assert status["currentRevision"] != status["updateRevision"]
        assert (status["currentReplicas"], status["updatedReplicas"]) == (2, 1)

    def test_on_delete_waits_for_the_user_to_delete_pods(self) -> None:
        cluster = cluster_with(stateful_set(updateStrategy={"type": "OnDelete"}))
        run_until_ready(cluster)
        actions.set_image(cluster, "statefulset/db", "nginx:1.28")
        cluster.run_until(cluster.now + 30)
        assert {p["spec"]["containers"][0]["image"] for p in pods(cluster)} == {"nginx:1.27"}
        cluster.api.delete("Pod", "default", "db-1")
        cluster.run_until(cluster.now + 30)
        images = [p["spec"]["containers"][0]["image"] for p in pods(cluster)]
        assert images == ["nginx:1.27", "nginx:1.28", "nginx:1.27"]

    def test_revisions_are_controller_revisions(self) -> None:
        cluster = cluster_with(stateful_set(replicas=1))
        run_until_ready(cluster)
        actions.set_image(cluster, "statefulset/db", "nginx:1.28")
        run_until_ready(cluster)
        cluster.run_until(cluster.now + 30)
        revisions = sorted(cluster.store.list("ControllerRevision"), key=lambda r: r["revision"])
        assert [r["revision"] for r in revisions] == [1, 2]
        sts = get(cluster, "StatefulSet", "db")
        assert sts["status"]["updateRevision"] == revisions[1]["metadata"]["name"]
        assert revisions[0]["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
        assert revisions[1]["data"]["spec"]["template"]["$patch"] == "replace"


class TestLostPods:
    def test_an_ordinal_is_not_replaced_while_its_old_pod_still_terminates(self) -> None:
        cluster = cluster_with(stateful_set(replicas=2, podManagementPolicy="Parallel"))
        run_until_ready(cluster)
        node = get(cluster, "Pod", "db-1")["spec"]["nodeName"]
        # The node's kubelet stops: the pod can be marked deleted, but nobody finishes it.
        cluster.kubelets[node].stop()
        cluster.api.delete("Pod", "default", "db-1")
        cluster.run_until(cluster.now + 120)
        db1 = [p for p in pods_of(cluster, "db") if p["metadata"]["name"] == "db-1"]
        assert len(db1) == 1
        assert db1[0]["metadata"].get("deletionTimestamp")
        # Once the old pod is really gone (force delete), the ordinal comes back.
        cluster.api.delete("Pod", "default", "db-1", grace_period=0)
        cluster.run_until(cluster.now + 1)
        (new,) = [p for p in pods_of(cluster, "db") if p["metadata"]["name"] == "db-1"]
        assert not new["metadata"].get("deletionTimestamp")

    def test_a_failed_pod_is_deleted_and_recreated(self) -> None:
        crash = {
            "containers": [container(image="busybox", command=["sh", "-c", "sleep 5; exit 1"])],
            "restartPolicy": "Always",
        }
        cluster = cluster_with(stateful_set(replicas=1, pod_spec=crash))
        cluster.run_until(3)
        pod = get(cluster, "Pod", "db-0")
        pod["status"]["phase"] = "Failed"
        cluster.store.modified(pod)
        cluster.run_until(4)
        sts = get(cluster, "StatefulSet", "db")
        assert "StatefulSet default/db is recreating failed Pod db-0" in events(
            cluster, sts, "RecreatingFailedPod"
        )
        assert get(cluster, "Pod", "db-0")["metadata"]["uid"] != pod["metadata"]["uid"]


class TestStatus:
    def test_status_fields(self) -> None:
        cluster = cluster_with(stateful_set(replicas=2))
        run_until_ready(cluster)
        cluster.run_until(cluster.now + 1)
        status = get(cluster, "StatefulSet", "db")["status"]
        assert status["replicas"] == status["readyReplicas"] == status["availableReplicas"] == 2
        assert status["currentReplicas"] == status["updatedReplicas"] == 2
        assert status["observedGeneration"] == 1
        assert status["collisionCount"] == 0
        assert status["currentRevision"] == status["updateRevision"]
        assert len(active(pods(cluster))) == 2
