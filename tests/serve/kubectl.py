"""Run `podtui serve` and the real kubectl against it (end-to-end test helpers)."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl")


@dataclass
class Served:
    """A `podtui serve` process, its kubeconfig and the environment kubectl runs in."""

    process: subprocess.Popen
    kubeconfig: Path
    home: Path
    workdir: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        # A private HOME: kubectl caches discovery under $HOME/.kube/cache.
        env.update(HOME=str(self.home), KUBECONFIG=str(self.kubeconfig), NO_COLOR="1")
        env.pop("EDITOR", None)
        env.pop("KUBE_EDITOR", None)
        return env

    def kubectl(
        self, *args: str, env: dict | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [KUBECTL or "kubectl", *args],
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [KUBECTL or "kubectl", *args],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve(paths: list[str], tmp: Path, *, speed: float = 10.0, timeout: float = 60.0) -> Served:
    """Start `podtui serve` on a free loopback port; wait until its kubeconfig exists."""
    kubeconfig = tmp / "kubeconfig"
    home = tmp / "home"
    home.mkdir()
    workdir = tmp / "work"
    workdir.mkdir()
    command = [
        sys.executable,
        "-c",
        "import sys; from podtui.cli import main; sys.exit(main())",
        "serve",
        *paths,
        "--kubeconfig",
        str(kubeconfig),
        "--speed",
        str(speed),
    ]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        if "Kubeconfig written" in line:
            break
        if not line or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(
                f"podtui serve did not start: {process.stderr.read() if process.stderr else ''}"
            )
    return Served(process, kubeconfig, home, workdir)


class Lines:
    """A child's output read on a thread, so a test can wait for a line with a deadline."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.queue.put(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching line in {self.seen}")
            try:
                line = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(line)
            if predicate(line):
                return line

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
