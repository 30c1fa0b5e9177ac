"""Examples from the Kubernetes docs whose containers must do what their command says."""

from __future__ import annotations

from tests.engine.simulation import cluster_with, container_status, event_messages, pod, status_line

ETCD_GRPC_LIVENESS = """\
apiVersion: v1
kind: Pod
metadata:
  name: etcd-with-grpc
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.1-0
    command: [ "/usr/local/bin/etcd", "--data-dir",  "/var/lib/etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379", "--log-level", "debug"]
    ports:
    - containerPort: 2379
    livenessProbe:
      grpc:
        port: 2379
      initialDelaySeconds: 10
"""

PI_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
"""

PI_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: pi
spec:
  containers:
  - name: pi
    image: perl:5.34.0
    command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
  restartPolicy: Never
"""

INIT_CONTAINER_WGET = """\
apiVersion: v1
kind: Pod
metadata:
  name: init-demo
spec:
  containers:
  - name: nginx
    image: nginx
    ports:
    - containerPort: 80
    volumeMounts:
    - name: workdir
      mountPath: /usr/share/nginx/html
  initContainers:
  - name: install
    image: busybox:1.28
    command:
    - wget
    - "-O"
    - "/work-dir/index.html"
    - http://info.cern.ch
    volumeMounts:
    - name: workdir
      mountPath: "/work-dir"
  dnsPolicy: Default
  volumes:
  - name: workdir
    emptyDir: {}
"""

UBUNTU_TTY = """\
apiVersion: v1
kind: Pod
metadata:
  name: shell
spec:
  containers:
  - name: ubuntu
    image: ubuntu:24.04
    tty: true
"""


class TestGrpcLivenessExample:
    """ "Define a gRPC liveness probe": etcd serves the health service on 2379."""

    def test_the_probe_passes_and_the_pod_is_ready(self) -> None:
        cluster = cluster_with(ETCD_GRPC_LIVENESS)
        cluster.run_until(60)
        assert event_messages(cluster, "etcd-with-grpc", "Unhealthy") == []
        assert status_line(cluster, "etcd-with-grpc") == ("1/1", "Running", "0")


class TestPiJobExample:
    """ "Running an example Job": perl prints pi to 2000 digits and the Job completes."""

    def test_the_pod_prints_pi_and_completes(self) -> None:
        cluster = cluster_with(PI_POD)
        cluster.run_until(60)
        assert status_line(cluster, "pi")[1] == "Completed"
        (line,) = cluster.logs("default", "pi")
        assert line.startswith("3.14159265358979323846264338327950288419716939937510")
        assert len(line) == 2001  # "3." and 1999 more digits: 2000 significant digits
        assert container_status(cluster, "pi")["state"]["terminated"]["exitCode"] == 0

    def test_the_job_completes(self) -> None:
        cluster = cluster_with(PI_JOB)
        cluster.run_until(120)
        job = cluster.store.get("Job", "default", "pi")
        assert job is not None
        assert job["status"].get("succeeded") == 1
        conditions = {c["type"]: c["status"] for c in job["status"].get("conditions") or []}
        assert conditions.get("Complete") == "True"


class TestInitContainerExample:
    """ "Configure Pod Initialization": the init container fetches a page with wget."""

    def test_wget_into_the_mounted_directory_succeeds_and_nginx_starts(self) -> None:
        cluster = cluster_with(INIT_CONTAINER_WGET)
        cluster.run_until(60)
        statuses = pod(cluster, "init-demo")["status"]["initContainerStatuses"]
        assert statuses[0]["state"]["terminated"]["exitCode"] == 0
        assert status_line(cluster, "init-demo") == ("1/1", "Running", "0")


class TestTty:
    def test_a_shell_with_a_tty_and_no_stdin_keeps_running(self) -> None:
        # Its stdin is the terminal, which the runtime holds open: bash waits on it.
        cluster = cluster_with(UBUNTU_TTY)
        cluster.run_until(120)
        assert status_line(cluster, "shell") == ("1/1", "Running", "0")


def test_a_command_assumed_to_succeed_is_noted_once_in_the_containers_log() -> None:
    cluster = cluster_with(
        """\
apiVersion: v1
kind: Pod
metadata: {name: tools}
spec:
  containers:
  - name: app
    image: python:3.12
    command: ['sh', '-c', 'python -c 1; python -c 2; sleep 3600']
"""
    )
    cluster.run_until(30)
    note = "[podtui] python: not simulated; assumed to succeed (exit 0)"
    assert cluster.logs("default", "tools").count(note) == 1
    # The kubelet's side of the process notes each command once as well: reporting it
    # again adds no line.
    worker = next(
        w
        for k in cluster.kubelets.values()
        for w in k.workers.values()
        if w.pod["metadata"]["name"] == "tools"
    )
    host = worker.instances["app"][-1].process.host
    host.note_assumed("python")
    host.note_assumed("python")
    assert cluster.logs("default", "tools").count(note) == 1
