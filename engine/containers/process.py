"""A container's main process, as the kubelet's runtime drives it in simulated time.

`start()`, `resume()` and `sigterm()` return what happens next: `Wait(seconds)` (call
`resume()` once that much simulated time has passed; a Wait returned later replaces an
earlier one) or `Exit(code, reason)`. `sigterm()` returns None when the process does not
react now (PID 1 without a handler ignores SIGTERM; a shell trap waits for the foreground
command to finish): keep the previous timer. Nothing here reads the wall clock.

What runs is decided as the container runtime decides it: `command` replaces the image's
ENTRYPOINT and `args` its CMD, `$(VAR)` is expanded from the container's environment,
the image's entrypoint script hands over to its server, and then the shell interpreter
runs argv (see engine.shell) with this module resolving the programs it cannot interpret.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from engine.containers.behavior import Behavior, behavior_for
from engine.containers.command import expand_kubernetes_vars, resolve_command
from engine.containers.images import (
    APP_PROGRAMS,
    ONE_SHOT_TOOLS,
    ImageInfo,
    ImageRef,
    InvalidImageError,
    ProgramSpec,
    SigtermRule,
    image_info,
    normalize_image,
    program_for_image,
)
from engine.containers.local_tools import run_tool
from engine.containers.programs import (
    HTTPResult,
    RunningProgram,
    argument_spec,
    interpreter_spec,
    parse_ports,
)
from engine.shell.fs import Filesystem
from engine.shell.interpreter import (
    ExecResult,
    Flavor,
    Shell,
    ToolResult,
    Wait,
    run_exec,
)

__all__ = [
    "Exit",
    "HTTPResult",
    "Process",
    "ProcessHost",
    "Wait",
    "expand_kubernetes_vars",
    "resolve_command",
]

_SIGTERM = 15
_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ProcessHost(Protocol):
    def log(self, stream: str, line: str) -> None:
        """One line of the container's log ("stdout"/"stderr"); the host timestamps it."""
        ...

    def note_assumed(self, command: str) -> None:
        """A command podtui does not model was assumed to succeed (once per command name)."""
        ...


@dataclass(frozen=True)
class Exit:
    """The process ended. reason: "OOMKilled", "StartError" (code 128) or None."""

    code: int
    reason: str | None = None
    message: str | None = None


# -- the process -------------------------------------------------------------------------------


class Process:
    """One run of one container: its filesystem, listening ports, logs and exit."""

    def __init__(
        self,
        container: dict,
        pod: dict,
        env: dict[str, str],
        host: ProcessHost,
        fs: Filesystem | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.container = container
        self.pod = pod
        self.host = host
        self.name = str(container.get("name", ""))
        self.fs = fs if fs is not None else Filesystem()
        self.ref = _parse_image(str(container.get("image", "")))
        self.info = image_info(self.ref) if self.ref else ImageInfo(known=False)
        self.flavor: Flavor = self.info.flavor
        self.behavior: Behavior = behavior_for(pod, self.name)
        spec = pod.get("spec") or {}
        self.hostname = _hostname(pod)
        self.env = _process_env(env, self.hostname)
        self.declared_ports = tuple(
            int(p["containerPort"])
            for p in container.get("ports") or []
            if p.get("containerPort") is not None and p.get("protocol", "TCP") == "TCP"
        )
        # With a shared PID namespace /pause is PID 1 and no container process is.
        self.pid1 = not spec.get("shareProcessNamespace", False)
        self._now = now
        self._t = 0.0
        self._exit: Exit | None = None
        self._events: list[tuple[float, str, int]] = []
        self._program_wake = math.inf
        self._servers: dict[int, RunningProgram] = {}
        self._main_program: RunningProgram | None = None
        self._assumed: set[str] = set()
        self._partial = {"stdout": "", "stderr": ""}
        self._shell: Shell | None = None
        self._run: Generator[Wait, float | None, int] | None = None
        self._image_default = not container.get("command") and not container.get("args")
        for path, text in self.info.files.items():
            if not self.fs.exists(path):
                self.fs.mkdir(posixpath.dirname(path), parents=True)
                self.fs.write(path, text)

    # -- what the kubelet reads --------------------------------------------------------------
    @property
    def listening(self) -> set[int]:
        """Ports accepting connections now."""
        if self._exit is not None or self._t < self.behavior.listen_delay:
            return set()
        return set(self._servers)

    @listening.setter
    def listening(self, ports: set[int]) -> None:
        # The runtime may mark an exited container as closed; only closing is meaningful.
        for port in [p for p in self._servers if p not in ports]:
            del self._servers[port]

    @property
    def exited(self) -> Exit | None:
        return self._exit

    def http_get(self, port: int, path: str) -> HTTPResult:
        """What an HTTP GET (an httpGet probe) to the container gets."""
        if port not in self.listening:
            return HTTPResult(None, "connect: connection refused")
        if self.behavior.http_status is not None:
            return HTTPResult(self.behavior.http_status)
        return self._servers[port].http(path)

    def http_status(self, port: int, path: str) -> int | None:
        """The HTTP status a GET gets; None when the connection is refused."""
        return self.http_get(port, path).status

    def exec(self, argv: list[str], timeout: float) -> ExecResult:
        """Run an exec probe (or `kubectl exec`) in this container."""
        return run_exec(
            argv,
            self.fs,
            self.env,
            timeout,
            flavor=self.flavor,
            host=_ExecHost(self),
            hostname=self.hostname,
            pid1_output=self.emit,
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Wait | Exit:
        """Start the process and run it until it first waits or exits."""
        argv = resolve_command(self.container, self.info, self.env)
        if not argv and not self.info.known and self.ref is not None:
            # An image podtui does not know runs its own server: name it after the image.
            argv = ["/" + self.ref.repository.rsplit("/", 1)[-1]]
        problem = self._start_problem(argv)
        if problem is not None:
            return self._finish(Exit(128, "StartError", problem))
        argv, pid1 = self._unwrap(argv)
        behavior = self.behavior
        if behavior.listen_delay:
            self._events.append((behavior.listen_delay, "listen", 0))
        if behavior.exit_after is not None or behavior.exit_code is not None:
            self._events.append((behavior.exit_after or 0.0, "exit", behavior.exit_code or 0))
        if behavior.oom_after is not None:
            self._events.append((behavior.oom_after, "oom", 137))
        self._shell = Shell(
            self.fs,
            self.env,
            _ShellHost(self),
            argv0=argv[0],
            flavor=self.flavor,
            pid1=pid1,
            stdin=None if self.container.get("stdin") else "",
            hostname=self.hostname,
        )
        self._shell_pid1 = pid1
        self._run = self._shell.run_argv(argv, main=True)
        return self._step(None, first=True) or self._next()

    def resume(self) -> Wait | Exit:
        """The last Wait has elapsed."""
        if self._exit is not None:
            return self._exit
        self._t = self._next_time()
        fired = self._fire_events()
        if fired is not None:
            return fired
        if self._t >= self._program_wake:
            ended = self._step(None)
            if ended is not None:
                return ended
        return self._next()

    def sigterm(self, elapsed: float | None = None) -> Wait | Exit | None:
        """Deliver SIGTERM; `elapsed`: seconds since the last start/resume, if known."""
        if self._exit is not None:
            return self._exit
        if elapsed:
            self._t = min(self._t + elapsed, self._next_time())
        behavior = self.behavior
        if behavior.ignore_sigterm:
            return None
        if behavior.handles_sigterm:
            code = behavior.sigterm_exit_code
            if code is None:
                rule = self._main_program.spec.sigterm if self._main_program else None
                code = rule.code if rule is not None and rule.mode == "exit" else 0
            return self._terminate(SigtermRule("exit", code, behavior.sigterm_delay or 0.0))
        program = self._main_program
        if program is not None:
            return self._terminate(program.spec.sigterm)
        assert self._shell is not None
        outcome = self._shell.deliver_term()
        if outcome in {"ignored", "deferred"}:
            return None
        if outcome == "killed":
            return self._finish(Exit(128 + _SIGTERM))
        return self._step(elapsed or 0.0) or self._next()

    def sigkill(self) -> Exit:
        """SIGKILL: the process dies at once with 137."""
        if self._exit is not None:
            return self._exit
        return self._finish(Exit(137))

    # -- internals ---------------------------------------------------------------------------
    def _terminate(self, rule: SigtermRule) -> Wait | Exit | None:
        if rule.mode == "default":
            return None if self._pid1_now() else self._finish(Exit(128 + _SIGTERM))
        if rule.mode == "go":
            return self._finish(Exit(2 if self._pid1_now() else 128 + _SIGTERM))
        if rule.message:
            self.emit("stderr", rule.message + "\n")
        if rule.delay > 0:
            self._events.append((self._t + rule.delay, "exit", rule.code))
            return self._next()
        return self._finish(Exit(rule.code))

    def _pid1_now(self) -> bool:
        return self._shell_pid1

    def _step(self, value: float | None, first: bool = False) -> Exit | None:
        assert self._run is not None
        try:
            wait = next(self._run) if first else self._run.send(value)
        except StopIteration as stop:
            return self._finish(Exit(int(stop.value or 0)))
        self._program_wake = self._t + wait.seconds
        return None

    def _next_time(self) -> float:
        times = [self._program_wake, *(t for t, _, _ in self._events)]
        return min(times)

    def _next(self) -> Wait | Exit:
        fired = self._fire_events()
        if fired is not None:
            return fired
        return Wait(self._next_time() - self._t)

    def _fire_events(self) -> Exit | None:
        due = sorted(e for e in self._events if e[0] <= self._t)
        self._events = [e for e in self._events if e[0] > self._t]
        for _, kind, code in due:
            if kind == "oom":
                return self._finish(Exit(code, "OOMKilled"))
            if kind == "exit":
                return self._finish(Exit(code))
        return None

    def _finish(self, result: Exit) -> Exit:
        if self._exit is not None:
            return self._exit
        self._exit = result
        if self._run is not None:
            self._run.close()
        self._servers.clear()
        for stream, text in self._partial.items():
            if text:
                self.host.log(stream, text)
        self._partial = {"stdout": "", "stderr": ""}
        return result

    def emit(self, stream: str, text: str) -> None:
        """Write process output; complete lines go to the log."""
        if self._exit is not None:
            return
        buffered = self._partial.get(stream, "") + text
        *lines, rest = buffered.split("\n")
        for line in lines:
            self.host.log(stream, line)
        self._partial[stream] = rest

    def note(self, command: str) -> None:
        if command not in self._assumed:
            self._assumed.add(command)
            self.host.note_assumed(command)

    def _start_problem(self, argv: list[str]) -> str | None:
        """containerd's error when the process cannot be started at all (unverified text)."""
        if not argv:
            return "failed to generate container spec: no command specified"
        binaries = self.info.binaries
        if binaries is None or argv[0] in binaries:
            return None
        name = argv[0]
        if "/" in name:
            detail = f'exec: "{name}": stat {name}: no such file or directory'
        else:
            detail = f'exec: "{name}": executable file not found in $PATH'
        return (
            "failed to create containerd task: failed to create shim task: OCI runtime create "
            "failed: runc create failed: unable to start container process: error during "
            f"container init: {detail}: unknown"
        )

    def _unwrap(self, argv: list[str]) -> tuple[list[str], bool]:
        """Hand over from the image's entrypoint script or init (tini) to the real program."""
        pid1 = self.pid1
        info = self.info
        if info.wrapper and argv[0] == info.wrapper:
            rest = argv[1:]
            default = info.wrapper_default
            if default and (not rest or rest[0].startswith("-")):
                rest = [default, *rest]
            argv = rest or argv
        base = posixpath.basename(argv[0])
        if base in {"tini", "dumb-init"} and len(argv) > 1:
            # An init forwards signals to its child, which is not PID 1.
            rest = argv[1:]
            while rest and rest[0].startswith("-"):
                if rest.pop(0) == "--":
                    break
            argv, pid1 = rest or argv, False
        return argv, pid1

    def _missing_env_program(self, argv: list[str]) -> ProgramSpec | None:
        """The official image's entrypoint refusing to start without a password."""
        info = self.info
        if not info.required_env or posixpath.basename(argv[0]) != info.wrapper_default:
            return None
        for requirement in info.required_env:
            name, eq, wanted = requirement.partition("=")
            value = self.env.get(name, "")
            if value and (not eq or value == wanted):
                return None
        lines = list(info.missing_env_lines)
        if lines and lines[0].startswith("[ERROR]") and self._now is not None:
            lines[0] = self._now().strftime("%Y-%m-%d %H:%M:%S+00:00 ") + lines[0]
        output = tuple(("stderr", line) for line in lines)
        return ProgramSpec(
            info.wrapper_default or "entrypoint", http="none", output=output, exit_code=1
        )

    def _spec_for(self, argv: list[str], main: bool) -> tuple[ProgramSpec, tuple[int, ...]] | None:
        """The program argv starts and the ports it will listen on, if it is one."""
        spec = self._missing_env_program(argv) if main else None
        spec = spec or interpreter_spec(argv, self.container) or argument_spec(argv, self.flavor)
        if spec is None and self.ref is not None:
            spec = program_for_image(argv, self.ref)
        if spec is None:
            if not main:
                return None
            base = posixpath.basename(argv[0])
            if base in ONE_SHOT_TOOLS:
                spec = ProgramSpec(base, http="none", exit_code=0, assumed=True)
            else:
                spec = APP_PROGRAMS["app"]
        ports = parse_ports(argv, spec) or spec.ports
        if spec.declared_ports or (main and self._image_default):
            ports = tuple(dict.fromkeys((*ports, *self.declared_ports)))
        return spec, ports

    def register_server(self, program: RunningProgram) -> None:
        for port in program.ports:
            self._servers.setdefault(port, program)

    def unregister_server(self, program: RunningProgram) -> None:
        for port in [p for p, owner in self._servers.items() if owner is program]:
            del self._servers[port]


def _parse_image(image: str) -> ImageRef | None:
    try:
        return normalize_image(image)
    except InvalidImageError:
        return None


def _hostname(pod: dict) -> str:
    spec = pod.get("spec") or {}
    name = spec.get("hostname") or (pod.get("metadata") or {}).get("name") or "localhost"
    return str(name)[:63]


def _process_env(env: dict[str, str], hostname: str) -> dict[str, str]:
    """The environment the runtime gives the process: PATH, HOSTNAME, HOME, then the pod's."""
    return {"PATH": _DEFAULT_PATH, "HOSTNAME": hostname, "HOME": "/root", **env}


# -- the shell's view of the process -----------------------------------------------------------


class _ShellHost:
    def __init__(self, process: Process) -> None:
        self.process = process

    def output(self, stream: str, text: str) -> None:
        self.process.emit(stream, text)

    def note_assumed(self, command: str) -> None:
        self.process.note(command)

    def tool(self, argv: list[str]) -> ToolResult | None:
        return run_tool(self.process, argv)

    def resolve(self, argv: list[str], main: bool) -> RunningProgram | None:
        found = self.process._spec_for(argv, main)
        if found is None:
            return None
        spec, ports = found
        return RunningProgram(self.process, spec, ports, argv)

    def exec_program(self, program: RunningProgram) -> None:  # type: ignore[override]
        self.process._main_program = program

    def now(self) -> datetime | None:
        return self.process._now() if self.process._now is not None else None


class _ExecHost(_ShellHost):
    """An exec in the container: same programs and tools, but it is never PID 1."""

    def exec_program(self, program: RunningProgram) -> None:  # type: ignore[override]
        pass
