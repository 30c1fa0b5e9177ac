"""Pods live and die as the kubelet makes them: the sample lifecycle paths, end to end."""

from __future__ import annotations

import itertools

from tests.engine.simulation import (
    cluster_with,
    container_status,
    event_messages,
    pod,
    reasons,
    status_line,
    timeline,
)

NGINX = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports: [{containerPort: 80}]
"""


class TestHealthyPod:
    def test_a_healthy_pod_goes_pending_container_creating_running(self) -> None:
        cluster = cluster_with(NGINX)
        story = timeline(cluster, "web", 10)
        assert [s for _, s in story] == ["ContainerCreating", "Running"]
        assert status_line(cluster, "web") == ("1/1", "Running", "0")

    def test_events_follow_the_kubelets_order(self) -> None:
        cluster = cluster_with(NGINX)
        cluster.run_until(10)
        assert reasons(cluster, "web") == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
        assert event_messages(cluster, "web", "Created") == ["Container created"]
        assert event_messages(cluster, "web", "Pulling") == ['Pulling image "nginx:1.27"']

    def test_running_pod_has_the_kubelets_conditions_all_true(self) -> None:
        cluster = cluster_with(NGINX)
        cluster.run_until(10)
        conditions = {c["type"]: c["status"] for c in pod(cluster, "web")["status"]["conditions"]}
        assert conditions == {
            "PodReadyToStartContainers": "True",
            "Initialized": "True",
            "Ready": "True",
            "ContainersReady": "True",
            "PodScheduled": "True",
        }

    def test_pod_gets_an_ip_from_its_nodes_pod_cidr(self) -> None:
        cluster = cluster_with(NGINX)
        cluster.run_until(5)
        obj = pod(cluster, "web")
        node = cluster.store.get("Node", "", obj["spec"]["nodeName"])
        prefix = node["spec"]["podCIDR"].rsplit(".", 1)[0]
        assert obj["status"]["podIP"].startswith(prefix + ".")


class TestCrashLoop:
    CRASHER = """\
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "exit 1"]
"""

    def test_restart_policy_always_keeps_the_pod_running_in_crash_loop_back_off(self) -> None:
        cluster = cluster_with(self.CRASHER)
        cluster.run_until(60)
        obj = pod(cluster, "crasher")
        assert obj["status"]["phase"] == "Running"
        assert status_line(cluster, "crasher")[1] == "CrashLoopBackOff"
        state = container_status(cluster, "crasher")
        assert state["lastState"]["terminated"]["reason"] == "Error"
        assert state["lastState"]["terminated"]["exitCode"] == 1

    def test_crash_loop_back_off_doubles_from_10s_and_waits_at_least_that_long(self) -> None:
        cluster = cluster_with(self.CRASHER)
        starts: list[float] = []
        last = -1
        while cluster.now < 400:
            cluster.run_until(cluster.now + 1)
            count = container_status(cluster, "crasher").get("restartCount", 0)
            if count != last:
                starts.append(cluster.now)
                last = count
        # In 400 s: the first start, an immediate first restart, then restarts after back-offs
        # of 10, 20, 40, 80 and 160 s (each plus up to a pod-worker requeue): seven starts. A
        # back-off that did not double, or started elsewhere than 10 s, changes the count.
        assert len(starts) == 7, starts
        assert container_status(cluster, "crasher")["restartCount"] == 6
        gaps = [b - a for a, b in itertools.pairwise(starts[1:])]
        # First restart immediate; then each wait is at least the back-off (10, 20, 40, 80, 160)
        # and at most one pod-worker requeue (10-15 s) later.
        for gap, backoff in zip(gaps, [10, 20, 40, 80, 160], strict=False):
            assert backoff <= gap <= backoff + 16, (gaps, starts)

    def test_crash_loop_waiting_message_names_the_current_back_off(self) -> None:
        cluster = cluster_with(self.CRASHER)
        cluster.run_until(30)
        waiting = container_status(cluster, "crasher")["state"]["waiting"]
        assert waiting["reason"] == "CrashLoopBackOff"
        uid = pod(cluster, "crasher")["metadata"]["uid"]
        assert waiting["message"] in {
            f"back-off {d}s restarting failed container=app pod=crasher_default({uid})"
            for d in (10, 20, 40)
        }

    def test_back_off_event_has_the_kubelets_words(self) -> None:
        cluster = cluster_with(self.CRASHER)
        cluster.run_until(30)
        uid = pod(cluster, "crasher")["metadata"]["uid"]
        assert event_messages(cluster, "crasher", "BackOff") == [
            f"Back-off restarting failed container app in pod crasher_default({uid})"
        ]


class TestRunToCompletion:
    HELLO = """\
apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  restartPolicy: Never
  containers:
  - name: hello
    image: busybox:1.36
    command: ["sh", "-c", "echo hello; sleep 5"]
"""

    def test_restart_policy_never_exit_0_pod_succeeds_and_shows_completed(self) -> None:
        cluster = cluster_with(self.HELLO)
        cluster.run_until(20)
        obj = pod(cluster, "hello")
        assert obj["status"]["phase"] == "Succeeded"
        assert status_line(cluster, "hello") == ("0/1", "Completed", "0")
        conditions = {
            c["type"]: (c["status"], c.get("reason")) for c in obj["status"]["conditions"]
        }
        assert conditions["Ready"] == ("False", "PodCompleted")

    def test_echo_output_is_the_containers_log(self) -> None:
        cluster = cluster_with(self.HELLO)
        cluster.run_until(20)
        assert cluster.logs("default", "hello") == ["hello"]

    def test_restart_policy_never_exit_1_pod_fails_and_shows_error(self) -> None:
        cluster = cluster_with(self.HELLO.replace("sleep 5", "exit 3"))
        cluster.run_until(20)
        assert pod(cluster, "hello")["status"]["phase"] == "Failed"
        assert status_line(cluster, "hello")[1] == "Error"
        assert container_status(cluster, "hello")["state"]["terminated"]["exitCode"] == 3

    def test_restart_policy_on_failure_restarts_a_failed_container(self) -> None:
        text = self.HELLO.replace("restartPolicy: Never", "restartPolicy: OnFailure").replace(
            "sleep 5", "exit 3"
        )
        cluster = cluster_with(text)
        cluster.run_until(30)
        assert pod(cluster, "hello")["status"]["phase"] == "Running"
        assert container_status(cluster, "hello")["restartCount"] >= 1


class TestInitContainers:
    INIT = """\
apiVersion: v1
kind: Pod
metadata:
  name: myapp
spec:
  initContainers:
  - name: first
    image: busybox:1.36
    command: ["sh", "-c", "sleep 5"]
  - name: second
    image: busybox:1.36
    command: ["sh", "-c", "sleep 5"]
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
"""

    def test_init_containers_run_in_order_then_the_app(self) -> None:
        cluster = cluster_with(self.INIT)
        story = [s for _, s in timeline(cluster, "myapp", 30)]
        assert story == ["Init:0/2", "Init:1/2", "Running"] or story == [
            "Init:0/2",
            "Init:1/2",
            "PodInitializing",
            "Running",
        ]
        statuses = pod(cluster, "myapp")["status"]["initContainerStatuses"]
        assert [s["state"]["terminated"]["reason"] for s in statuses] == ["Completed", "Completed"]

    def test_app_container_waits_with_pod_initializing(self) -> None:
        cluster = cluster_with(self.INIT)
        cluster.run_until(3)
        assert container_status(cluster, "myapp")["state"] == {
            "waiting": {"reason": "PodInitializing"}
        }

    def test_init_container_failure_with_restart_never_fails_pod(self) -> None:
        text = self.INIT.replace(
            "spec:\n  initContainers", "spec:\n  restartPolicy: Never\n  initContainers", 1
        )
        text = text.replace(
            'command: ["sh", "-c", "sleep 5"]', 'command: ["sh", "-c", "exit 1"]', 1
        )
        cluster = cluster_with(text)
        cluster.run_until(20)
        assert pod(cluster, "myapp")["status"]["phase"] == "Failed"
        assert status_line(cluster, "myapp")[1] == "Init:Error"

    def test_init_container_failure_with_restart_always_crash_loops_in_init(self) -> None:
        text = self.INIT.replace(
            'command: ["sh", "-c", "sleep 5"]', 'command: ["sh", "-c", "exit 1"]', 1
        )
        cluster = cluster_with(text)
        cluster.run_until(40)
        assert pod(cluster, "myapp")["status"]["phase"] == "Pending"
        assert status_line(cluster, "myapp")[1] == "Init:CrashLoopBackOff"


class TestSidecars:
    SIDECAR = """\
apiVersion: v1
kind: Pod
metadata:
  name: side
spec:
  initContainers:
  - name: shipper
    image: busybox:1.36
    restartPolicy: Always
    command: ["sh", "-c", "sleep infinity"]
  containers:
  - name: app
    image: nginx:1.27
"""

    def test_sidecar_keeps_running_next_to_the_app_and_counts_in_ready(self) -> None:
        cluster = cluster_with(self.SIDECAR)
        cluster.run_until(20)
        assert status_line(cluster, "side") == ("2/2", "Running", "0")
        shipper = pod(cluster, "side")["status"]["initContainerStatuses"][0]
        assert "running" in shipper["state"] and shipper["started"] is True

    def test_sidecar_does_not_block_completion_of_a_run_to_completion_pod(self) -> None:
        text = self.SIDECAR.replace("spec:\n", "spec:\n  restartPolicy: Never\n", 1).replace(
            "    image: nginx:1.27\n",
            '    image: busybox:1.36\n    command: ["sh", "-c", "sleep 3"]\n',
        )
        cluster = cluster_with(text)
        cluster.run_until(60)
        assert pod(cluster, "side")["status"]["phase"] == "Succeeded"


class TestUnschedulable:
    def test_failed_scheduling_event_in_the_schedulers_words(self) -> None:
        text = NGINX + "    resources: {requests: {cpu: '16'}}\n"
        cluster = cluster_with(text)
        cluster.run_until(5)
        assert event_messages(cluster, "web", "FailedScheduling") == [
            "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
            "3 No preemption victims found for incoming pod."
        ]
        condition = next(
            c for c in pod(cluster, "web")["status"]["conditions"] if c["type"] == "PodScheduled"
        )
        assert (condition["status"], condition["reason"]) == ("False", "Unschedulable")
        assert status_line(cluster, "web")[1] == "Pending"

    def test_unschedulable_pod_is_retried_when_a_node_frees_up(self) -> None:
        text = (
            NGINX
            + "    resources: {requests: {cpu: '3'}}\n---\n"
            + NGINX.replace("name: web", "name: second", 1).replace(
                "ports", "resources: {requests: {cpu: '3'}}\n    ports"
            )
        )
        cluster = cluster_with(text.replace("image: nginx:1.27", "image: nginx:1.27", 1))
        cluster.run_until(5)
        assert pod(cluster, "web")["spec"].get("nodeName")


class TestImagePulls:
    def test_missing_image_gives_err_image_pull_then_image_pull_back_off(self) -> None:
        cluster = cluster_with(NGINX.replace("nginx:1.27", "nginx:doesnotexist"))
        seen = {s for _, s in timeline(cluster, "web", 60)}
        assert {"ErrImagePull", "ImagePullBackOff"} <= seen
        failed = event_messages(cluster, "web", "Failed")
        assert "Error: ErrImagePull" in failed and "Error: ImagePullBackOff" in failed
        assert any(
            m.startswith('Failed to pull image "nginx:doesnotexist": rpc error: code = NotFound')
            for m in failed
        )

    def test_image_pull_policy_defaults_from_the_tag(self) -> None:
        cluster = cluster_with(
            NGINX
            + "---\n"
            + NGINX.replace("name: web", "name: latest").replace("nginx:1.27", "nginx")
        )
        assert pod(cluster, "web")["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
        assert pod(cluster, "latest")["spec"]["containers"][0]["imagePullPolicy"] == "Always"
