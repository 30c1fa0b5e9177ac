"""Probes, graceful deletion and injected faults, checked tick by tick."""

from __future__ import annotations

from engine import actions
from tests.engine.simulation import (
    cluster_with,
    container_status,
    event_messages,
    pod,
    status_line,
)

LIVENESS_EXEC = """\
apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args: [/bin/sh, -c, "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]
    livenessProbe:
      exec:
        command: [cat, /tmp/healthy]
      initialDelaySeconds: 5
      periodSeconds: 5
"""


class TestExecLivenessExampleFromTheDocs:
    """Kubernetes docs, "Define a liveness command": the container is restarted after the file goes."""

    def test_within_the_first_30_seconds_the_probe_passes(self) -> None:
        cluster = cluster_with(LIVENESS_EXEC)
        cluster.run_until(30)
        assert event_messages(cluster, "liveness-exec", "Unhealthy") == []
        assert status_line(cluster, "liveness-exec") == ("1/1", "Running", "0")

    def test_after_35_seconds_the_probe_has_failed_and_the_container_is_killed(self) -> None:
        cluster = cluster_with(LIVENESS_EXEC)
        cluster.run_until(50)
        unhealthy = [
            e
            for e in cluster.events.events_for(pod(cluster, "liveness-exec"))
            if e["reason"] == "Unhealthy"
        ]
        assert [e["message"] for e in unhealthy] == [
            "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
        ]
        assert unhealthy[0]["count"] == 3
        assert event_messages(cluster, "liveness-exec", "Killing") == [
            "Container liveness failed liveness probe, will be restarted"
        ]

    def test_the_shell_ignores_sigterm_so_the_restart_comes_after_the_grace_period(self) -> None:
        cluster = cluster_with(LIVENESS_EXEC)
        cluster.run_until(70)
        assert status_line(cluster, "liveness-exec")[2] == "0"
        cluster.run_until(90)
        status = container_status(cluster, "liveness-exec")
        assert status["restartCount"] == 1
        assert status["lastState"]["terminated"]["exitCode"] == 137


READINESS = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 5
"""


class TestReadiness:
    def test_readiness_failure_keeps_the_pod_running_but_not_ready(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(30)
        assert status_line(cluster, "web") == ("0/1", "Running", "0")
        obj = pod(cluster, "web")
        ready = next(c for c in obj["status"]["conditions"] if c["type"] == "Ready")
        assert (ready["status"], ready["reason"], ready["message"]) == (
            "False",
            "ContainersNotReady",
            "containers with unready status: [nginx]",
        )
        ip = obj["status"]["podIP"]
        assert event_messages(cluster, "web", "Unhealthy") == [
            f'Readiness probe failed: Get "http://{ip}:8080/healthz": dial tcp {ip}:8080: connect: connection refused'
        ]

    def test_readiness_passes_on_the_listening_port(self) -> None:
        cluster = cluster_with(READINESS.replace("/healthz, port: 8080", "/, port: 80"))
        cluster.run_until(15)
        assert status_line(cluster, "web") == ("1/1", "Running", "0")

    def test_readiness_failure_never_restarts_the_container(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(120)
        assert container_status(cluster, "web")["restartCount"] == 0

    def test_tcp_socket_probe_on_a_closed_port_fails(self) -> None:
        cluster = cluster_with(
            READINESS.replace("httpGet: {path: /healthz, port: 8080}", "tcpSocket: {port: 81}")
        )
        cluster.run_until(20)
        ip = pod(cluster, "web")["status"]["podIP"]
        assert event_messages(cluster, "web", "Unhealthy") == [
            f"Readiness probe failed: dial tcp {ip}:81: connect: connection refused"
        ]


class TestStartupProbe:
    SLOW = """\
apiVersion: v1
kind: Pod
metadata:
  name: slow
  annotations:
    behavior.podtui.io/app: listenDelay=30s
spec:
  containers:
  - name: app
    image: nginx:1.27
    startupProbe:
      httpGet: {path: /, port: 80}
      periodSeconds: 5
      failureThreshold: 10
    livenessProbe:
      httpGet: {path: /, port: 80}
      periodSeconds: 5
      failureThreshold: 1
"""

    def test_startup_probe_holds_back_liveness_until_it_succeeds(self) -> None:
        cluster = cluster_with(self.SLOW)
        cluster.run_until(25)
        status = container_status(cluster, "slow")
        assert status["started"] is False and status["ready"] is False
        assert all(
            m.startswith("Startup probe failed")
            for m in event_messages(cluster, "slow", "Unhealthy")
        )
        cluster.run_until(45)
        status = container_status(cluster, "slow")
        assert status["started"] is True and status["ready"] is True
        assert status["restartCount"] == 0

    def test_failed_startup_probe_restarts_the_container(self) -> None:
        cluster = cluster_with(self.SLOW.replace("failureThreshold: 10", "failureThreshold: 2"))
        cluster.run_until(60)
        assert (
            event_messages(cluster, "slow", "Killing")[0]
            == "Container app failed startup probe, will be restarted"
        )


class TestGracefulDeletion:
    def test_deleted_pod_is_terminating_then_gone(self) -> None:
        cluster = cluster_with(READINESS.replace("/healthz, port: 8080", "/, port: 80"))
        cluster.run_until(10)
        result = actions.delete(cluster, "pod/web")
        assert result.lines == ['pod "web" deleted']
        obj = pod(cluster, "web")
        assert obj["metadata"]["deletionTimestamp"] == "2025-01-01T00:00:40Z"
        assert obj["metadata"]["deletionGracePeriodSeconds"] == 30
        assert status_line(cluster, "web")[1] == "Terminating"
        cluster.run_until(10)  # what is due now: the kubelet stops nginx, which exits at once
        killing = [e["message"] for e in cluster.events.events_for(obj) if e["reason"] == "Killing"]
        assert killing == ["Stopping container nginx"]
        assert cluster.store.get("Pod", "default", "web") is None

    def test_a_shell_as_pid_1_ignores_sigterm_and_is_killed_at_the_end_of_the_grace_period(
        self,
    ) -> None:
        text = """\
apiVersion: v1
kind: Pod
metadata:
  name: sleeper
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
"""
        cluster = cluster_with(text)
        cluster.run_until(5)
        actions.delete(cluster, "pod/sleeper")
        cluster.run_until(24)
        assert status_line(cluster, "sleeper")[1] == "Terminating"
        cluster.run_until(27)
        assert cluster.store.get("Pod", "default", "sleeper") is None

    def test_force_delete_removes_the_object_at_once(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(5)
        result = actions.delete(cluster, "pod/web", force=True)
        assert result.lines[-1] == 'pod "web" force deleted'
        assert result.lines[0].startswith("Warning: Immediate deletion does not wait")
        assert cluster.store.get("Pod", "default", "web") is None

    def test_grace_period_zero_without_force_becomes_one_second(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(5)
        actions.delete(cluster, "pod/web", grace_period=0)
        assert pod(cluster, "web")["metadata"]["deletionGracePeriodSeconds"] == 1

    def test_unscheduled_pod_is_deleted_at_once(self) -> None:
        cluster = cluster_with(
            READINESS.replace(
                "readinessProbe", "resources: {requests: {cpu: '64'}}\n    readinessProbe"
            )
        )
        cluster.run_until(3)
        actions.delete(cluster, "pod/web")
        assert cluster.store.get("Pod", "default", "web") is None

    def test_pre_stop_hook_runs_before_sigterm(self) -> None:
        text = READINESS.replace(
            "    readinessProbe:",
            "    lifecycle:\n      preStop:\n        sleep: {seconds: 5}\n    readinessProbe:",
        )
        cluster = cluster_with(text)
        cluster.run_until(5)
        actions.delete(cluster, "pod/web")
        cluster.run_until(9)
        assert cluster.store.get("Pod", "default", "web") is not None
        cluster.run_until(12)
        assert cluster.store.get("Pod", "default", "web") is None


HOOKED = """\
apiVersion: v1
kind: Pod
metadata:
  name: hooked
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: nginx:1.27
    lifecycle:
      preStop:
        exec: {command: ["sh", "-c", "HOOK"]}
"""


def _pre_stop_events(script: str) -> list[dict]:
    cluster = cluster_with(HOOKED.replace("HOOK", script))
    cluster.run_until(5)
    actions.delete(cluster, "pod/hooked")
    cluster.run_until(30)
    events = cluster.store.list("Event", "default")
    return [e for e in events if e["reason"] == "FailedPreStopHook"]


class TestPreStopHookFailures:
    """executePreStopHook (pkg/kubelet/kuberuntime/kuberuntime_container.go) records
    FailedPreStopHook from the hook's goroutine when the handler returns its error."""

    def test_failed_pre_stop_hook_cut_off_by_the_grace_period_is_stamped_at_the_cut_off(
        self,
    ) -> None:
        # The delete begins at 5 s; the 10 s grace period cuts the 60 s hook off at 15 s.
        events = _pre_stop_events("sleep 60")
        assert [(e["message"], e["firstTimestamp"]) for e in events] == [
            ("PreStopHook failed", "2025-01-01T00:00:15Z")
        ]

    def test_failed_pre_stop_hook_is_stamped_when_the_hook_fails(self) -> None:
        events = _pre_stop_events("sleep 3; exit 1")
        assert [e["firstTimestamp"] for e in events] == ["2025-01-01T00:00:08Z"]

    def test_a_pre_stop_hook_that_fails_at_once_is_stamped_at_the_delete(self) -> None:
        events = _pre_stop_events("exit 1")
        assert [e["firstTimestamp"] for e in events] == ["2025-01-01T00:00:05Z"]


class TestFaults:
    def test_injected_crash_restarts_the_container_with_exit_code(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(5)
        result = actions.inject(cluster, "crash", pod="web", exit_code=2)
        assert result.ok
        cluster.run_until(8)
        status = container_status(cluster, "web")
        assert status["restartCount"] == 1
        assert status["lastState"]["terminated"]["exitCode"] == 2

    def test_injected_oom_shows_oom_killed(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(5)
        actions.inject(cluster, "oom", pod="web")
        terminated = pod(cluster, "web")["status"]["containerStatuses"][0]["state"]
        cluster.run_until(5.5)
        terminated = container_status(cluster, "web")["state"]["terminated"]
        assert (terminated["reason"], terminated["exitCode"]) == ("OOMKilled", 137)

    def test_sandbox_kill_recreates_the_sandbox_and_restarts_every_container(self) -> None:
        cluster = cluster_with(READINESS.replace("/healthz, port: 8080", "/, port: 80"))
        cluster.run_until(5)
        actions.inject(cluster, "sandboxKill", pod="web")
        cluster.run_until(40)
        assert event_messages(cluster, "web", "SandboxChanged") == [
            "Pod sandbox changed, it will be killed and re-created."
        ]
        assert container_status(cluster, "web")["restartCount"] == 1

    def test_probe_fail_fault_makes_liveness_restart_the_container(self) -> None:
        text = READINESS.replace("readinessProbe", "livenessProbe").replace(
            "/healthz, port: 8080", "/, port: 80"
        )
        cluster = cluster_with(text)
        cluster.run_until(5)
        result = actions.inject(cluster, "probeFail", pod="web", probe="liveness", duration=30)
        assert result.ok, result.errors
        cluster.run_until(60)
        assert event_messages(cluster, "web", "Unhealthy") == [
            "Liveness probe failed: HTTP probe failed with statuscode: 500"
        ]
        assert container_status(cluster, "web")["restartCount"] == 1

    def test_fault_on_a_missing_pod_says_so(self) -> None:
        cluster = cluster_with(READINESS)
        result = actions.inject(cluster, "crash", pod="nope")
        assert result.errors == ['error: pods "nope" not found']


class TestActiveDeadline:
    def test_active_deadline_seconds_fails_the_pod_with_deadline_exceeded(self) -> None:
        text = READINESS.replace("spec:\n", "spec:\n  activeDeadlineSeconds: 20\n", 1)
        cluster = cluster_with(text)
        cluster.run_until(19)
        assert pod(cluster, "web")["status"]["phase"] == "Running"
        cluster.run_until(25)
        status = pod(cluster, "web")["status"]
        assert (status["phase"], status["reason"], status["message"]) == (
            "Failed",
            "DeadlineExceeded",
            "Pod was active on the node longer than the specified deadline",
        )


class TestStoppedKubelet:
    def test_a_stopped_kubelet_writes_nothing_and_its_containers_keep_running(self) -> None:
        cluster = cluster_with(READINESS)
        cluster.run_until(10)
        node = pod(cluster, "web")["spec"]["nodeName"]
        result = actions.inject(cluster, "nodeDown", node=node)
        assert result.ok
        before = pod(cluster, "web")["metadata"]["resourceVersion"]
        unhealthy = len(event_messages(cluster, "web", "Unhealthy"))
        cluster.run_until(60)
        assert pod(cluster, "web")["metadata"]["resourceVersion"] == before
        assert cluster.events.events_for(pod(cluster, "web"))[-1]["count"] >= 1
        assert len(event_messages(cluster, "web", "Unhealthy")) == unhealthy
        actions.inject(cluster, "nodeUp", node=node)
        cluster.run_until(70)
        assert status_line(cluster, "web")[1] == "Running"
