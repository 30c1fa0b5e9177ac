"""`kubectl exec -it POD -- sh` headless: engine.actions.exec_in_container opens a shell in
the container's simulated filesystem, run by the interpreter the containers run.

The pod's containers share its volumes and its network namespace (localhost), as the
kubelet sets them up (pkg/kubelet/kuberuntime: one sandbox per pod; emptyDir volumes
mounted into every container that names them)."""

from __future__ import annotations

from engine.actions import exec_in_container
from engine.api.admission import ADMIN
from engine.cluster import Cluster

SHARED = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "pair"},
    "spec": {
        "volumes": [{"name": "shared", "emptyDir": {}}],
        "containers": [
            {
                "name": "web",
                "image": "nginx:1.27",
                "ports": [{"containerPort": 80}],
                "volumeMounts": [{"name": "shared", "mountPath": "/usr/share/nginx/html"}],
            },
            {
                "name": "writer",
                "image": "busybox:1.36",
                "command": [
                    "sh",
                    "-c",
                    "echo made by writer > /data/index.html; sleep infinity",
                ],
                "volumeMounts": [{"name": "shared", "mountPath": "/data"}],
            },
        ],
    },
}


def running_cluster(*pods: dict, seconds: int = 20) -> Cluster:
    cluster = Cluster(seed=0)
    cluster.boot()
    for pod in pods:
        cluster.api.create(pod, user=ADMIN)
    cluster.run_until(seconds)
    return cluster


class TestTheShell:
    def test_ls_cat_echo_cd_and_variables_persist_between_lines(self) -> None:
        cluster = running_cluster(SHARED)
        shell, result = exec_in_container(cluster, "default", "pair", "writer")
        assert shell is not None and not result.errors
        assert shell.prompt == "/ # "
        assert shell.run("cat /data/index.html").text == "made by writer\n"
        assert shell.run("cd /data; NAME=x; echo $NAME > more.txt").status == 0
        assert shell.prompt == "/data # "
        assert shell.run("ls").text == "index.html\nmore.txt\n"
        assert shell.run("echo $NAME $HOSTNAME").text == "x pair\n"

    def test_the_pods_containers_share_volumes(self) -> None:
        cluster = running_cluster(SHARED)
        web, _ = exec_in_container(cluster, "default", "pair", "web")
        assert web.run("cat /usr/share/nginx/html/index.html").text == "made by writer\n"

    def test_the_pods_containers_reach_each_other_on_localhost(self) -> None:
        cluster = running_cluster(SHARED)
        writer, _ = exec_in_container(cluster, "default", "pair", "writer")
        # busybox has no server on 80; nginx in the other container answers
        out = writer.run("wget -qO- localhost:80")
        assert (out.status, out.text) == (0, "made by writer\n")
        assert writer.run("wget -qO- localhost:81").status != 0

    def test_ps_lists_the_containers_processes(self) -> None:
        cluster = running_cluster(SHARED)
        writer, _ = exec_in_container(cluster, "default", "pair", "writer")
        assert writer.run("ps").text == (
            "PID   USER     TIME  COMMAND\n"
            "    1 root      0:00 sh -c echo made by writer > /data/index.html; sleep infinity\n"
            "    7 root      0:00 sh\n"
            "   13 root      0:00 ps\n"
        )

    def test_exit_ends_the_session_with_its_status(self) -> None:
        cluster = running_cluster(SHARED)
        shell, _ = exec_in_container(cluster, "default", "pair", "writer")
        out = shell.run("exit 3")
        assert (out.status, out.exited) == (3, True)
        assert shell.exited

    def test_a_line_that_blocks_is_stopped_like_ctrl_c(self) -> None:
        cluster = running_cluster(SHARED)
        shell, _ = exec_in_container(cluster, "default", "pair", "writer")
        out = shell.run("sleep infinity")
        assert (out.status, out.text) == (130, "^C\n")
        assert shell.run("echo still here").text == "still here\n"


class TestKubectlsErrors:
    def test_without_c_the_first_container_and_kubectl_says_so(self) -> None:
        # kubectl/pkg/cmd/util/podcmd/podcmd.go FindOrDefaultContainerByName
        cluster = running_cluster(SHARED)
        shell, result = exec_in_container(cluster, "default", "pair")
        assert shell.container == "web"
        assert result.lines == ['Defaulted container "web" out of: web, writer']

    def test_a_missing_pod_or_container(self) -> None:
        cluster = running_cluster(SHARED)
        assert exec_in_container(cluster, "default", "nope")[1].errors == [
            'Error from server (NotFound): pods "nope" not found'
        ]
        assert exec_in_container(cluster, "default", "pair", "db")[1].errors == [
            "error: unable to upgrade connection: container db not found in pod pair"
        ]

    def test_a_completed_pod(self) -> None:
        done = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "done"},
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox:1.36", "command": ["true"]}],
            },
        }
        cluster = running_cluster(done)
        assert exec_in_container(cluster, "default", "done")[1].errors == [
            "error: cannot exec into a container in a completed pod; current phase is Succeeded"
        ]
