"""The `exec` scenario step: `kubectl exec POD -c CONTAINER -- sh -c COMMAND`, the same
shell session as the console's `s` key (engine.actions.exec_in_container). Lessons need it
to play a reader who looks inside a container."""

from __future__ import annotations

from pathlib import Path

from engine.scenario import load_scenario
from engine.sim import load_inputs, simulate

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  volumes:
  - name: shared
    emptyDir: {}
  containers:
  - name: web
    image: nginx:1.27
    volumeMounts: [{name: shared, mountPath: /usr/share/nginx/html}]
  - name: side
    image: busybox:1.36
    command: ['sh', '-c', 'sleep infinity']
    volumeMounts: [{name: shared, mountPath: /data}]
"""


def test_an_exec_step_needs_a_pod_and_a_command(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("- at: 5s\n  exec: {container: web}\n")
    _, problems = load_scenario(str(scenario))
    assert [str(p) for p in problems] == [
        f"{scenario}:2: exec needs `pod`: `exec: {{pod: web, container: app, command: cat /etc/hostname}}`",
        f"{scenario}:2: exec needs `command`: `exec: {{pod: web, container: app, command: cat /etc/hostname}}`",
    ]


def test_an_exec_step_runs_a_line_in_the_container_and_prints_its_output(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "scenario.yaml").write_text(
        "- at: 10s\n"
        "  exec: {pod: two, container: side, command: 'echo hi > /data/note; cat /data/note'}\n"
        "- at: 12s\n"
        "  exec: {pod: two, container: web, command: 'cat /usr/share/nginx/html/note; exit 3'}\n"
    )
    lines: list[str] = []
    inputs = load_inputs([str(tmp_path / "pod.yaml")], str(tmp_path / "scenario.yaml"))
    assert not inputs.problems
    simulate(inputs, until=15, report=lines.append)
    # kubectl exec prints the command's output, and for a non-zero exit its own line.
    assert lines[-3:] == ["[10s] hi", "[12s] hi", "[12s] command terminated with exit code 3"]
