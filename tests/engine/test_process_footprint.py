"""What a running container costs the simulator: memory per process, shared image layers.

The engine's budget is 10,000 pods in 400 MB, so a sleeping process must stay small.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from engine.containers.process import Process
from engine.shell.fs import Filesystem

COUNT = 1000


class Host:
    def log(self, stream: str, line: str) -> None:
        pass

    def note_assumed(self, command: str) -> None:
        pass


def bytes_per_process(container: dict) -> float:
    """Memory the processes themselves hold, after start (pods, env and host excluded)."""
    pods = [{"metadata": {"name": f"pod-{i:04d}"}, "spec": {}} for i in range(COUNT)]
    envs = [{"KUBERNETES_SERVICE_HOST": "10.96.0.1"} for _ in range(COUNT)]
    host = Host()
    Process(container, pods[0], envs[0], host).start()  # warm the per-image caches
    # Everything alive now is left out of the collections below: it was allocated before
    # tracing began, so collecting it could not change the traced size, and a full
    # collection walks every object the test process holds (a second each, late in a run).
    gc.freeze()
    tracemalloc.start()
    try:
        kept = []
        for pod, env in zip(pods, envs, strict=True):
            process = Process(container, pod, env, host)
            process.start()
            kept.append(process)
        gc.collect()  # the processes' own garbage, which was traced
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.unfreeze()
    return size / COUNT


@pytest.mark.parametrize(
    ("container", "budget"),
    [
        # A server in the foreground needs no shell and no filesystem until something looks.
        ({"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}, 1000),
        ({"name": "api", "image": "myorg/api:1", "command": ["/app/server"]}, 1000),
        ({"name": "job", "image": "busybox", "command": ["sh", "-c", "sleep 3600"]}, 3500),
        (
            {
                "name": "loop",
                "image": "busybox",
                "command": ["sh", "-c", "while true; do echo hi; sleep 5; done"],
            },
            5000,
        ),
    ],
)
def test_a_started_process_stays_within_its_memory_budget(container: dict, budget: int) -> None:
    assert bytes_per_process(container) < budget


def test_the_filesystem_is_made_on_first_use() -> None:
    process = Process({"name": "web", "image": "nginx:1.27"}, {"metadata": {}}, {}, Host())
    process.start()
    assert process._fs is None  # nginx serving, nobody has looked at a file yet
    assert process.http_status(80, "/") == 200
    assert process.fs.read("/usr/share/nginx/html/index.html").startswith("<!DOCTYPE html>")


def test_containers_of_one_image_share_its_files_until_one_changes_them() -> None:
    files = {"/srv/www/index.html": "hello\n"}
    first, second = Filesystem(files), Filesystem(files)
    first.write("/srv/www/index.html", "changed\n")
    assert (first.read("/srv/www/index.html"), second.read("/srv/www/index.html")) == (
        "changed\n",
        "hello\n",
    )
    assert second.is_dir("/srv/www") and second.is_dir("/tmp")


def test_containers_with_the_same_ports_share_one_tuple_of_them() -> None:
    container = {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
    first, second = (
        Process(container, {"metadata": {"name": f"pod-{i}"}, "spec": {}}, {}, Host())
        for i in range(2)
    )
    first.start()
    second.start()
    assert first.declared_ports == (80,) and first.declared_ports is second.declared_ports
    assert first.listening == second.listening
