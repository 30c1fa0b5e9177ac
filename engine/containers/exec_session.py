"""`kubectl exec -it POD [-c CONTAINER] -- sh`: an interactive shell in a running container.

The shell is the interpreter the container's own commands run in (engine.shell), over the
container's filesystem: files its command wrote, the image's files, and volumes it shares
with the pod's other containers (an emptyDir mounted in two containers is one volume).
`curl`/`wget localhost:PORT` reach whichever container of the pod listens there (one
network namespace per pod). `ps` lists the container's processes (with
`shareProcessNamespace`, every container's, under /pause); it is built into podtui's shell,
whether or not the image ships one. Time does not pass while a line runs: a `sleep` returns
at once, and a line still blocked after `LINE_TIMEOUT` simulated seconds is stopped, as
ctrl-c would. The console's `s` key and a headless caller use the same `exec_in_container`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from engine.actions import ActionResult
from engine.api import errors
from engine.shell.host import ShellHost, ToolResult
from engine.shell.interpreter import Shell
from engine.shell.variables import exported_names

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.containers.process import Process
    from engine.kubelet.worker import PodWorker

LINE_TIMEOUT = 60.0
"""Simulated seconds a line may block (a `tail -f`, `sleep infinity`) before it is stopped."""
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


@dataclass
class LineOutput:
    """What one typed line printed (stdout and stderr interleaved), its status, and
    whether the shell has exited (`exit`)."""

    text: str
    status: int
    exited: bool = False


@dataclass
class ShellSession:
    """An interactive `sh` in one container; `run(line)` for each line typed."""

    pod: str
    namespace: str
    container: str
    process: Process
    worker: PodWorker
    shell_name: str = "sh"
    cwd: str = "/"
    variables: dict[str, str] = field(default_factory=dict)
    exported: frozenset[str] = frozenset()
    functions: dict = field(default_factory=dict)
    exited: bool = False

    def __post_init__(self) -> None:
        if not self.variables:
            self.variables = dict(self.process.env)
            self.exported = exported_names(self.variables)

    @property
    def prompt(self) -> str:
        """busybox ash's `/ # ` (the working folder, `~` at HOME); dash's `# `."""
        if self.process.flavor.shell == "dash":
            return "# "
        home = self.variables.get("HOME", "/root")
        where = "~" + self.cwd[len(home) :] if (self.cwd + "/").startswith(home + "/") else self.cwd
        return f"{where} # "

    def run(self, line: str) -> LineOutput:
        """Run one line in the container, as typed at the prompt."""
        if self.exited:
            return LineOutput("", 0, True)
        host = _SessionHost(self.process.exec_host(), self)
        shell = Shell(
            self.process.fs,
            dict(self.variables),
            host,
            flavor=self.process.flavor,
            hostname=self.process.hostname,
            pid1_output=self.process.emit,
        )
        shell.cwd = self.cwd
        shell.exported = self.exported
        shell.funcs = dict(self.functions)
        left: list[int] = []
        run = shell.run_interactive(line, left.append)
        status = _drive(run, host)
        self.cwd, self.variables = shell.cwd, dict(shell.vars)
        self.exported, self.functions = shell.exported, dict(shell.funcs)
        if left:
            self.exited = True
        return LineOutput(host.text(), status, self.exited)


def _drive(run, host: _SessionHost) -> int:
    elapsed = 0.0
    try:
        wait = next(run)
        while True:
            if elapsed + wait.seconds > LINE_TIMEOUT:
                run.close()
                host.output("stderr", "^C\n")
                return 130
            elapsed += wait.seconds
            wait = run.send(None)
    except StopIteration as stop:
        return int(stop.value or 0)


class _SessionHost:
    """Collects a line's output; tools go to the container (and `ps` is answered here)."""

    def __init__(self, inner: ShellHost, session: ShellSession) -> None:
        self.inner = inner
        self.session = session
        self.parts: list[str] = []

    def output(self, stream: str, text: str) -> None:
        self.parts.append(text)

    def note_assumed(self, command: str) -> None:
        self.parts.append(f"[podtui] {command}: not simulated; assumed to succeed (exit 0)\n")

    def tool(self, argv: list[str], cwd: str = "/") -> ToolResult | None:
        if posixpath.basename(argv[0]) == "ps":
            return ToolResult(0, ps_listing(self.session))
        return self.inner.tool(argv, cwd)

    def resolve(self, argv: list[str], main: bool):
        return self.inner.resolve(argv, main)

    def exec_program(self, program) -> None:
        pass

    def now(self) -> datetime | None:
        return self.inner.now()

    def text(self) -> str:
        return "".join(self.parts)


def ps_listing(session: ShellSession) -> str:
    """The container's processes as busybox `ps` (or procps `ps -ef` on GNU images) shows
    them: PID 1 is the container's command, or /pause with shareProcessNamespace, where
    every container's command is listed too; then this shell and ps."""
    process = session.process
    spec = session.worker.pod.get("spec") or {}
    commands: list[str] = []
    if spec.get("shareProcessNamespace"):
        commands.append("/pause")
        for instances in session.worker.instances.values():
            if instances and instances[-1].running and instances[-1].process is not None:
                commands.append(" ".join(instances[-1].process.main_argv()))
    else:
        commands.append(" ".join(process.main_argv()))
    commands += [session.shell_name, "ps"]
    pids = [1 + 6 * index for index in range(len(commands))]
    if process.flavor.tools == "gnu":
        lines = ["UID          PID    PPID  C STIME TTY          TIME CMD"]
        shell_pid = pids[-2]
        for pid, command in zip(pids, commands, strict=True):
            parent = shell_pid if command == "ps" else 0
            tty = "pts/0" if command in ("ps", session.shell_name) else "?"
            lines.append(f"root     {pid:>7} {parent:>7}  0 00:00 {tty:<8} 00:00:00 {command}")
        return "\n".join(lines) + "\n"
    lines = ["PID   USER     TIME  COMMAND"]
    lines += [
        f"{pid:>5} root      0:00 {command}" for pid, command in zip(pids, commands, strict=True)
    ]
    return "\n".join(lines) + "\n"


def exec_in_container(
    cluster: Cluster, namespace: str, pod: str, container: str | None = None, shell: str = "sh"
) -> tuple[ShellSession | None, ActionResult]:
    """`kubectl exec -it POD [-c CONTAINER] -- sh`: a shell session, or kubectl's error.
    Without -c, the default-container annotation or the first container, and kubectl's
    `Defaulted container ...` line when the pod has several."""
    obj = cluster.store.get("Pod", namespace, pod)
    if obj is None:
        return None, ActionResult(errors=[errors.not_found("pods", pod).kubectl()])
    spec = obj.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    result = ActionResult()
    if container is None:
        annotations = (obj["metadata"].get("annotations")) or {}
        container = annotations.get(DEFAULT_CONTAINER_ANNOTATION) or (names[0] if names else "")
        # kubectl's podcmd.FindOrDefaultContainerByName says so when there is a choice.
        inits = [c["name"] for c in spec.get("initContainers") or []]
        if len(names) > 1 or inits:
            every = ", ".join([*names, *(f"{n} (init)" for n in inits)])
            result.lines.append(f'Defaulted container "{container}" out of: {every}')
    phase = (obj.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        result.errors.append(
            f"error: cannot exec into a container in a completed pod; current phase is {phase}"
        )
        return None, result
    all_names = names + [c["name"] for c in spec.get("initContainers") or []]
    if container not in all_names:
        result.errors.append(
            f"error: unable to upgrade connection: container {container} not found in pod {pod}"
        )
        return None, result
    kubelet = cluster.kubelets.get(spec.get("nodeName") or "")
    worker = kubelet.workers.get(obj["metadata"]["uid"]) if kubelet is not None else None
    instance = worker.newest_instance(container) if worker is not None else None
    process = getattr(instance, "process", None)
    if worker is None or instance is None or not instance.running or process is None:
        result.errors.append(
            f'error: unable to upgrade connection: container not found ("{container}")'
        )
        return None, result
    binaries = process.info.binaries
    if binaries is not None and shell not in binaries and f"/bin/{shell}" not in binaries:
        result.errors.append(
            "error: Internal error occurred: error executing command in container: failed to "
            "exec in container: failed to start exec: OCI runtime exec failed: exec failed: "
            f'unable to start container process: exec: "{shell}": executable file not found '
            "in $PATH: unknown"
        )
        return None, result
    session = ShellSession(pod, namespace, container, process, worker, shell_name=shell)
    return session, result
