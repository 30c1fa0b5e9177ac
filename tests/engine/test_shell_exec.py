"""run_exec: one-shot commands as exec probes run them, against a container's filesystem."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from engine.shell.fs import Filesystem
from engine.shell.interpreter import DEBIAN, BaseHost, Shell, Wait, run_exec

LIVENESS_EXEC_SCRIPT = "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"
CAT_FAILS = "cat: can't open '/tmp/healthy': No such file or directory\n"


class Container:
    """A container running a script; `advance` moves simulated time forward."""

    def __init__(self, script: str) -> None:
        self.fs = Filesystem()
        self.shell = Shell(self.fs, {}, BaseHost(), pid1=True)
        self.gen: Generator[Wait, float | None, int] = self.shell.run_argv(["sh", "-c", script])
        self.now = 0.0
        self.wake = next(self.gen).seconds

    def advance(self, seconds: float) -> None:
        target = self.now + seconds
        while self.wake <= target:
            self.now = self.wake
            self.wake = self.now + self.gen.send(None).seconds
        self.now = target


@pytest.mark.parametrize(
    ("elapsed", "exit_code", "output"),
    [
        (0.0, 0, ""),
        (10.0, 0, ""),
        (29.0, 0, ""),
        (30.0, 1, CAT_FAILS),
        (35.0, 1, CAT_FAILS),
        (300.0, 1, CAT_FAILS),
    ],
)
def test_exec_liveness_example_cat_succeeds_for_30_seconds_then_fails(
    elapsed: float, exit_code: int, output: str
) -> None:
    """The docs' exec liveness probe: `cat /tmp/healthy` against the container's script."""
    container = Container(LIVENESS_EXEC_SCRIPT)
    container.advance(elapsed)
    result = run_exec(["cat", "/tmp/healthy"], container.fs, {}, timeout=1)
    assert (result.exit_code, result.output, result.timed_out) == (exit_code, output, False)


def test_exec_runs_sh_dash_c_with_the_container_environment() -> None:
    result = run_exec(["sh", "-c", 'echo "$MODE"; exit 3'], Filesystem(), {"MODE": "ready"}, 1)
    assert (result.exit_code, result.output) == (3, "ready\n")


def test_output_interleaves_stdout_and_stderr_like_combined_output() -> None:
    result = run_exec(["sh", "-c", "echo one; cat /none; echo two"], Filesystem(), {}, 1)
    assert result.output == f"one\n{CAT_FAILS.replace('/tmp/healthy', '/none')}two\n"


@pytest.mark.parametrize(
    ("command", "timeout", "timed_out", "elapsed"),
    [
        ("sleep 0.5; echo done", 1, False, 0.5),
        ("sleep 5; echo done", 1, True, 1.0),
        ("sleep 1", 1, True, 1.0),
        ("sleep 2; sleep 2", 5, False, 4.0),
        ("sleep infinity", 10, True, 10.0),
    ],
)
def test_sleeps_count_against_the_timeout_in_simulated_time(
    command: str, timeout: float, timed_out: bool, elapsed: float
) -> None:
    result = run_exec(["sh", "-c", command], Filesystem(), {}, timeout)
    assert (result.timed_out, result.elapsed) == (timed_out, elapsed)
    if timed_out:
        assert result.exit_code == -1


def test_exec_sees_files_the_container_wrote() -> None:
    fs = Filesystem()
    fs.write("/tmp/ready", "")
    assert run_exec(["test", "-f", "/tmp/ready"], fs, {}, 1).exit_code == 0
    assert run_exec(["test", "-f", "/tmp/other"], fs, {}, 1).exit_code == 1


def test_exec_uses_the_images_tool_messages() -> None:
    result = run_exec(["cat", "/tmp/healthy"], Filesystem(), {}, 1, flavor=DEBIAN)
    assert result.output == "cat: /tmp/healthy: No such file or directory\n"


def test_unknown_exec_commands_are_assumed_to_succeed() -> None:
    notes: list[str] = []

    class Host(BaseHost):
        def note_assumed(self, command: str) -> None:
            notes.append(command)

    result = run_exec(["/bin/grpc_health_probe", "-addr=:5000"], Filesystem(), {}, 1, host=Host())
    assert (result.exit_code, notes) == (0, ["grpc_health_probe"])


def test_writes_to_proc_1_fd_1_reach_the_container_log_not_the_probe_output() -> None:
    log: list[tuple[str, str]] = []
    result = run_exec(
        ["sh", "-c", "echo hello > /proc/1/fd/1; echo probe"],
        Filesystem(),
        {},
        1,
        pid1_output=lambda stream, text: log.append((stream, text)),
    )
    assert (result.output, log) == ("probe\n", [("stdout", "hello\n")])
