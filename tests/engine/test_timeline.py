"""A pod's life along the time axis: what the recorder notes, and what it rebuilds
without one."""

from __future__ import annotations

from engine.cluster import Cluster
from engine.manifests.loader import load_text
from engine.steps import apply_manifests
from engine.timeline import TimelineRecorder, pod_timeline

CRASHER = """
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'echo starting; sleep 3; exit 1']
"""

LIVENESS = """
apiVersion: v1
kind: Pod
metadata: {name: liveness}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'touch /tmp/healthy; sleep 20; rm -f /tmp/healthy; sleep 600']
    livenessProbe:
      exec:
        command: ['cat', '/tmp/healthy']
      periodSeconds: 5
"""

INIT = """
apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 2']
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 600']
"""


def recorded(text: str, until: float) -> tuple[Cluster, TimelineRecorder]:
    cluster = Cluster(seed=0)
    cluster.boot()
    recorder = TimelineRecorder(cluster)
    loaded = load_text(text, "test.yaml")
    assert loaded.ok
    apply_manifests(cluster, loaded.manifests)
    cluster.run_until(until)
    return cluster, recorder


def lane(timeline, name):
    return next(lane for lane in timeline.lanes if lane.name == name)


def states(lane) -> list[str]:
    return [f"{s.state}:{s.detail}" if s.detail else s.state for s in lane.segments]


class TestRecorder:
    def test_a_crash_loop_runs_ends_and_backs_off_in_turn(self) -> None:
        cluster, recorder = recorded(CRASHER, 60)
        pod = cluster.store.get("Pod", "default", "crasher")
        timeline = pod_timeline(cluster, pod, recorder)
        app = lane(timeline, "app")
        assert states(app)[:6] == [
            "Waiting:ContainerCreating",
            "Running",
            "Terminated:Error (exit code 1)",
            "Running",
            "Terminated:Error (exit code 1)",
            "Waiting:CrashLoopBackOff",
        ]
        restarts = [m for m in app.marks if m.kind == "restart"]
        assert len(restarts) == pod["status"]["containerStatuses"][0]["restartCount"]

    def test_segments_follow_each_other_without_gaps(self) -> None:
        cluster, recorder = recorded(CRASHER, 60)
        timeline = pod_timeline(cluster, cluster.store.get("Pod", "default", "crasher"), recorder)
        for each in timeline.lanes:
            for before, after in zip(each.segments, each.segments[1:], strict=False):
                assert before.end == after.start
            assert each.segments[-1].end is None

    def test_probe_failures_and_the_kill_are_marked_on_their_container(self) -> None:
        cluster, recorder = recorded(LIVENESS, 90)
        timeline = pod_timeline(cluster, cluster.store.get("Pod", "default", "liveness"), recorder)
        kinds = [m.kind for m in lane(timeline, "app").marks]
        assert kinds.count("probe-failure") >= 3
        assert "killed" in kinds
        failures = [m.at for m in lane(timeline, "app").marks if m.kind == "probe-failure"]
        assert failures == sorted(failures) and failures[0] > 20

    def test_each_occurrence_of_a_repeated_event_is_kept(self) -> None:
        cluster, recorder = recorded(LIVENESS, 90)
        pod = cluster.store.get("Pod", "default", "liveness")
        timeline = pod_timeline(cluster, pod, recorder)
        unhealthy = [o for o in timeline.events if o.reason == "Unhealthy"]
        counted = sum(
            e.get("count", 1) for e in cluster.events.events_for(pod) if e["reason"] == "Unhealthy"
        )
        assert len(unhealthy) == counted
        assert all(o.container == "app" for o in unhealthy)

    def test_lanes_are_phase_then_containers_then_conditions(self) -> None:
        cluster, recorder = recorded(INIT, 20)
        timeline = pod_timeline(cluster, cluster.store.get("Pod", "default", "init"), recorder)
        assert [each.name for each in timeline.lanes] == [
            "Phase",
            "init setup",
            "app",
            "PodScheduled",
            "PodReadyToStartContainers",
            "Initialized",
            "ContainersReady",
            "Ready",
        ]
        assert states(lane(timeline, "init setup"))[-1] == "Terminated:Completed (exit code 0)"
        assert states(lane(timeline, "Phase")) == ["Pending", "Running"]

    def test_a_deleted_pod_shows_terminating_then_ends(self) -> None:
        cluster, recorder = recorded(INIT, 20)
        pod = cluster.store.get("Pod", "default", "init")
        cluster.api.delete("Pod", "default", "init", grace_period=5)
        cluster.run_until(40)
        assert cluster.store.get("Pod", "default", "init") is None
        timeline = recorder.timeline(pod["metadata"]["uid"])
        assert "Terminating" in [s.state for s in lane(timeline, "Phase").segments]
        assert timeline.ended is not None
        assert all(each.segments[-1].end == timeline.ended for each in timeline.lanes)


class TestWithoutRecorder:
    def test_containers_come_from_the_kubelets_last_two_runs(self) -> None:
        cluster, _ = recorded(CRASHER, 60)
        pod = cluster.store.get("Pod", "default", "crasher")
        timeline = pod_timeline(cluster, pod)
        app = lane(timeline, "app")
        assert states(app).count("Running") == 2
        assert any(m.kind == "restart" for m in app.marks)

    def test_conditions_before_their_last_transition_are_unknown(self) -> None:
        cluster, _ = recorded(CRASHER, 60)
        timeline = pod_timeline(cluster, cluster.store.get("Pod", "default", "crasher"))
        assert states(lane(timeline, "Ready"))[0] == "Unknown"
