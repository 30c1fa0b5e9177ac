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
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from engine.containers.behavior import DEFAULT as DEFAULT_BEHAVIOR
from engine.containers.behavior import Behavior, behavior_for
from engine.containers.command import (
    expand_kubernetes_vars,
    resolve_command,
    start_problem,
    unwrap,
)
from engine.containers.images import (
    ImageInfo,
    ImageRef,
    InvalidImageError,
    ProgramSpec,
    SigtermRule,
    image_info,
    normalize_image,
)
from engine.containers.local_tools import LOCAL_TOOLS, run_tool
from engine.containers.programs import (
    HTTPResult,
    RunningProgram,
    missing_env_program,
    parse_ports,
    program_spec,
    stdin_never_ends,
)
from engine.shell.commands import SHELLS, WRAPPERS, command_name
from engine.shell.fs import Filesystem, Volume, normalize
from engine.shell.host import ExecResult, Flavor, ShellHost, ToolResult, Wait
from engine.shell.interpreter import Shell
from engine.shell.oneshot import run_exec
from engine.shell.registry import COMMANDS, SPECIAL_BUILTINS

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


# Read-only views of images' files, shared by every container of an image (see
# Process.fs_for_reading); keyed by the catalog entry's files mapping, which lives for the run.
_IMAGE_VIEWS: dict[int, tuple[object, Filesystem]] = {}


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
    """One run of one container: its filesystem, listening ports, logs and exit.

    Ten thousand of these must fit in a few tens of megabytes, so a process keeps little:
    its filesystem is made on first use from the image's shared layer, a program that is
    not a shell runs without a shell, and per-image decisions are cached.
    """

    __slots__ = (
        "_assumed",
        "_events",
        "_exit",
        "_fs",
        "_image_default",
        "_image_root",
        "_main_program",
        "_mounts",
        "_now",
        "_partial",
        "_pid1_now",
        "_program_wake",
        "_run",
        "_servers",
        "_shell",
        "_started_at",
        "_t",
        "behavior",
        "container",
        "declared_ports",
        "env",
        "flavor",
        "host",
        "hostname",
        "http_token",
        "info",
        "name",
        "pid1",
        "pod",
        "ref",
    )

    def __init__(
        self,
        container: dict,
        pod: dict,
        env: dict[str, str],
        host: ProcessHost,
        fs: Filesystem | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        mounts: Mapping[str, Volume] | None = None,
    ) -> None:
        self.container = container
        self.pod = pod
        self.host = host
        self.name = str(container.get("name", ""))
        self.ref = _parse_image(str(container.get("image", "")))
        self.info = image_info(self.ref) if self.ref else _NO_IMAGE
        self.flavor: Flavor = self.info.flavor
        self.behavior: Behavior = behavior_for(pod, self.name)
        self.hostname = _hostname(pod)
        self.env = _process_env(env, self.hostname)
        ports = container.get("ports")
        self.declared_ports = (
            _shared_ports(
                tuple(
                    int(p["containerPort"])
                    for p in ports
                    if p.get("containerPort") is not None and p.get("protocol", "TCP") == "TCP"
                )
            )
            if ports
            else ()
        )
        # With a shared PID namespace /pause is PID 1 and no container process is.
        self.pid1 = not (pod.get("spec") or {}).get("shareProcessNamespace", False)
        self._pid1_now = self.pid1
        self._now = now
        self._started_at: datetime | None = None
        self._t = 0.0
        self._image_root: str | None = None  # a root reads_image_only found true (mounts are fixed)
        self._exit: Exit | None = None
        self._events: list[tuple[float, str, int]] | None = None
        self._program_wake = math.inf
        self._servers: tuple[RunningProgram, ...] = ()
        # `_servers` while the process has not exited and has written no file, else None:
        # what `http_answer_is_fixed` depends on, in one read (see `http_unchanged`).
        self.http_token: tuple | None = () if fs is None else None
        self._main_program: RunningProgram | None = None
        self._assumed: set[str] | None = None
        self._partial: dict[str, str] | None = None
        self._shell: Shell | None = None
        self._run: Generator[Wait, float | None, int] | None = None
        self._image_default = not container.get("command") and not container.get("args")
        self._mounts = mounts
        self._fs = fs
        if fs is not None:
            self._add_image_files(fs)

    @property
    def fs(self) -> Filesystem:
        """The container's filesystem, made on first use from the image's shared layer.

        Each `volumeMounts` path is a mount: the volume given for it in `mounts` (the
        kubelet shares an emptyDir between a pod's containers that way), else an empty
        volume of this container's own.
        """
        fs = self._fs
        if fs is None:
            fs = self._fs = Filesystem(self.info.files)
            self.http_token = None
            mounts = self._mounts or {}
            for mount in self.container.get("volumeMounts") or ():
                path = str(mount.get("mountPath") or "")
                if path.startswith("/") and path not in mounts:
                    fs.mount(path, Volume(read_only=bool(mount.get("readOnly"))))
            for path, volume in mounts.items():
                fs.mount(path, volume)
        return fs

    def fs_for_reading(self, path: str) -> Filesystem:
        """A filesystem to read `path` from without making this container's own.

        Until the container has written anything (its filesystem not yet made) and when no
        volume is mounted over `path`, what it reads is the image's: one shared read-only
        view per image serves every container of it (a static server answering probes).
        """
        if self._fs is not None:
            return self._fs
        for mount in self.container.get("volumeMounts") or ():
            point = str(mount.get("mountPath") or "").rstrip("/")
            if point and (
                path == point
                or path.startswith(point + "/")
                or point.startswith(path.rstrip("/") + "/")
            ):
                return self.fs
        key = id(self.info.files)
        view = _IMAGE_VIEWS.get(key)
        if view is None or view[0] is not self.info.files:
            view = _IMAGE_VIEWS[key] = (self.info.files, Filesystem(self.info.files))
        return view[1]

    def reads_image_only(self, root: str) -> bool:
        """Whether files under `root` come straight from the image (nothing written, no mount)."""
        if self._fs is not None:
            return False
        if root == self._image_root:
            return True  # a container's mounts never change: the answer stands
        mounts = self.container.get("volumeMounts")
        if not mounts:
            return True
        asked = root
        root = root.rstrip("/")
        for mount in mounts:
            point = str(mount.get("mountPath") or "").rstrip("/")
            if point and (
                point == root or point.startswith(root + "/") or root.startswith(point + "/")
            ):
                return False
        self._image_root = asked
        return True

    def _get_fs(self) -> Filesystem:
        return self.fs

    def _add_image_files(self, fs: Filesystem) -> None:
        """A filesystem given from outside gets the image's files it does not have yet."""
        for path, text in self.info.files.items():
            if not fs.exists(path):
                fs.mkdir(posixpath.dirname(path), parents=True)
                fs.write(path, text)

    # -- what the kubelet reads --------------------------------------------------------------
    @property
    def listening(self) -> set[int]:
        """Ports accepting connections now."""
        if self._exit is not None or self._t < self.behavior.listen_delay:
            return set()
        return {port for program in self._servers for port in program.ports}

    @listening.setter
    def listening(self, ports: set[int]) -> None:
        # The runtime may mark an exited container as closed; only closing is meaningful.
        for program in self._servers:
            program.ports = tuple(p for p in program.ports if p in ports)
        self._servers = tuple(program for program in self._servers if program.ports)
        self._retoken()

    @property
    def exited(self) -> Exit | None:
        return self._exit

    def uptime(self) -> float:
        """Seconds since the start: by the clock when there is one, else at the last resume."""
        if self._now is not None and self._started_at is not None:
            return (self._now() - self._started_at).total_seconds()
        return self._t

    def pod_listener(self, port: int) -> Process | None:
        """The container of this pod listening on port now (this one first), if any: the
        pod's containers share its network namespace, localhost included."""
        if port in self.listening:
            return self
        find = getattr(self.host, "pod_listener", None)
        return find(port) if find is not None else None

    def http_get(self, port: int, path: str, body: bool = False) -> HTTPResult:
        """What an HTTP GET (an httpGet probe) to the container gets; `body`: read it too."""
        if port not in self.listening:
            return HTTPResult(None, "connect: connection refused")
        if self.behavior.http_status is not None:
            return HTTPResult(self.behavior.http_status)
        server = next(program for program in self._servers if port in program.ports)
        return server.http(path, body)

    def listens(self, port: int) -> bool:
        """Whether `port` accepts connections now (`port in listening`, without the set)."""
        if self._exit is not None or self._t < self.behavior.listen_delay:
            return False
        return any(port in program.ports for program in self._servers)

    def http_status(self, port: int, path: str) -> int | None:
        """The HTTP status a GET gets; None when the connection is refused."""
        behavior = self.behavior
        if self._exit is not None or self._t < behavior.listen_delay:
            return None
        # http_get's answer without building the listening set (a probe asks every period).
        for program in self._servers:
            if port in program.ports:
                status = behavior.http_status
                return status if status is not None else program.http(path).status
        return None

    def http_answer_is_fixed(self, port: int) -> bool:
        """Whether what a GET to `port` gets now stays the same for as long as the process
        keeps the same servers and writes no file (`http_unchanged`): not a server whose
        answer depends on time (agnhost liveness) or on a volume's files."""
        if self._fs is not None or self._exit is not None:
            return False
        if self.behavior.http_status is not None:
            return True
        for program in self._servers:
            if port in program.ports:
                return program.http_is_fixed()
        return False

    def http_unchanged(self, servers: tuple) -> bool:
        """Whether the process still serves with `servers` (the `_servers` it had), has not
        exited and has written no file: what `http_answer_is_fixed` depends on."""
        # Callers asking every period read `http_token` themselves (one attribute, no call).
        return self.http_token is servers

    @property
    def servers(self) -> tuple:
        """The programs serving now (a new tuple whenever one starts, stops or closes a port)."""
        return self._servers

    def grpc_status(self, port: int) -> str | None:
        """What the gRPC health service on port answers (`SERVING`, `NOT_SERVING`, ...).

        None when nothing listens there. podtui cannot tell whether a server implements
        grpc.health.v1, so any listening server is SERVING unless the `grpcStatus`
        annotation says otherwise, or `httpStatus` makes it fail (400 and above).
        """
        if port not in self.listening:
            return None
        behavior = self.behavior
        if behavior.grpc_status is not None:
            return behavior.grpc_status
        if behavior.http_status is not None and behavior.http_status >= 400:
            return "NOT_SERVING"
        return "SERVING"

    def grpc_serving(self, port: int) -> bool | None:
        """A gRPC health check (the kubelet's grpc probe): None when refused."""
        status = self.grpc_status(port)
        return None if status is None else status == "SERVING"

    def exec_host(self) -> ShellHost:
        """What a shell exec'd in this container talks to: its programs and tools (curl
        against the pod's ports, ...), never PID 1."""
        return _ExecHost(self)

    def main_argv(self) -> list[str]:
        """The argv the runtime started (command/args over the image's ENTRYPOINT/CMD)."""
        return resolve_command(self.container, self.info, self.env)

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
        if self._now is not None:
            self._started_at = self._now()
        argv = resolve_command(self.container, self.info, self.env)
        if not argv and not self.info.known and self.ref is not None:
            # An image podtui does not know runs its own server: name it after the image.
            argv = ["/" + self.ref.repository.rsplit("/", 1)[-1]]
        problem = start_problem(argv, self.info)
        if problem is not None:
            return self._finish(Exit(128, "StartError", problem))
        argv, self._pid1_now = unwrap(argv, self.info, self.pid1)
        behavior = self.behavior
        if behavior is not DEFAULT_BEHAVIOR:
            if behavior.listen_delay:
                self._schedule(behavior.listen_delay, "listen", 0)
            if behavior.exit_after is not None or behavior.exit_code is not None:
                self._schedule(behavior.exit_after or 0.0, "exit", behavior.exit_code or 0)
            if behavior.oom_after is not None:
                self._schedule(behavior.oom_after, "oom", 137)
        program = self._program_without_shell(argv)
        if program is not None and program.serves_forever:
            # nginx, redis, /app/server: listening until a signal, with nothing to drive.
            self._main_program = program
            if program.spec.assumed:
                self.note(program.spec.name)
            program.serve()
            return self._fire_events() or self._next()
        if program is not None:
            self._main_program = program
            self._run = _drive(program)
        else:
            self._shell = Shell(
                self._get_fs,
                self.env,
                _ShellHost(self),
                argv0=argv[0],
                flavor=self.flavor,
                pid1=self._pid1_now,
                stdin=None if stdin_never_ends(self.container) else "",
                hostname=self.hostname,
            )
            self._run = self._shell.run_argv(argv, main=True)
        status = self._advance(None, first=True)
        # What the annotation says happens at the start (`exitCode` alone) wins.
        fired = self._fire_events()
        if fired is not None:
            return fired
        if status is not None:
            return self._finish(Exit(status))
        return self._next()

    def resume(self) -> Wait | Exit:
        """The last Wait has elapsed."""
        if self._exit is not None:
            return self._exit
        self._t = self._next_time()
        fired = self._fire_events()
        if fired is not None:
            return fired
        if self._t >= self._program_wake:
            status = self._advance(None)
            if status is not None:
                return self._finish(Exit(status))
        return self._next()

    def sigterm(self, elapsed: float | None = None) -> Wait | Exit | None:
        """Deliver SIGTERM; `elapsed`: seconds since the last start/resume (the clock's if None)."""
        if self._exit is not None:
            return self._exit
        if elapsed is None and self._started_at is not None:
            elapsed = max(0.0, self.uptime() - self._t)
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
        status = self._advance(elapsed or 0.0)
        return self._finish(Exit(status)) if status is not None else self._next()

    def sigkill(self) -> Exit:
        """SIGKILL: the process dies at once with 137."""
        if self._exit is not None:
            return self._exit
        return self._finish(Exit(137))

    # -- what programs in the container call ---------------------------------------------------
    def emit(self, stream: str, text: str) -> None:
        """Write process output; complete lines go to the log."""
        if self._exit is not None:
            return
        partial = self._partial
        if partial is None:
            partial = self._partial = {}
        buffered = partial.get(stream, "") + text
        if "\n" in buffered:
            *lines, buffered = buffered.split("\n")
            for line in lines:
                self.host.log(stream, line)
        partial[stream] = buffered

    def note(self, command: str) -> None:
        """A command was assumed to succeed: tell the host once per command name."""
        if self._assumed is None:
            self._assumed = set()
        if command not in self._assumed:
            self._assumed.add(command)
            self.host.note_assumed(command)

    def register_server(self, program: RunningProgram) -> None:
        """program listens on its ports (a port already taken stays with its first owner)."""
        self._servers = (*self._servers, program)
        self._retoken()

    def unregister_server(self, program: RunningProgram) -> None:
        self._servers = tuple(p for p in self._servers if p is not program)
        self._retoken()

    def _retoken(self) -> None:
        self.http_token = self._servers if self._exit is None and self._fs is None else None

    # -- internals ---------------------------------------------------------------------------
    def _schedule(self, at: float, kind: str, code: int) -> None:
        if self._events is None:
            self._events = []
        self._events.append((at, kind, code))

    def _terminate(self, rule: SigtermRule) -> Wait | Exit | None:
        if rule.mode == "default":
            return None if self._pid1_now else self._finish(Exit(128 + _SIGTERM))
        if rule.mode == "go":
            return self._finish(Exit(2 if self._pid1_now else 128 + _SIGTERM))
        if rule.message:
            self.emit("stderr", rule.message + "\n")
        if rule.delay > 0:
            self._schedule(self._t + rule.delay, "exit", rule.code)
            return self._next()
        return self._finish(Exit(rule.code))

    def _advance(self, value: float | None, first: bool = False) -> int | None:
        """Run the process until it waits (None) or ends (its exit status)."""
        if self._run is None:
            return None  # a server in the foreground: nothing runs until a signal
        try:
            wait = next(self._run) if first else self._run.send(value)
        except StopIteration as stop:
            return int(stop.value or 0)
        self._program_wake = self._t + wait.seconds
        return None

    def _next_time(self) -> float:
        if not self._events:
            return self._program_wake
        return min(self._program_wake, *(t for t, _, _ in self._events))

    def _next(self) -> Wait | Exit:
        fired = self._fire_events()
        if fired is not None:
            return fired
        return Wait(self._next_time() - self._t)

    def _fire_events(self) -> Exit | None:
        if not self._events:
            return None
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
        self.http_token = None
        if self._run is not None:
            self._run.close()
        self._servers = ()
        for stream, text in (self._partial or {}).items():
            if text:
                self.host.log(stream, text)
        self._partial = None
        return result

    def _program_without_shell(self, argv: list[str]) -> RunningProgram | None:
        """argv's program when no shell is needed to run it (nginx, /app/server, redis-server).

        A shell, a builtin, a tool podtui models, a wrapper or a script file in the image
        needs the interpreter; anything else is a program the host resolves, exactly as
        the shell would resolve it, without the cost of a shell.
        """
        name = argv[0]
        base = command_name(name)
        if base is not None and (base in COMMANDS or base in SHELLS or base in WRAPPERS):
            return None
        if "/" not in name and name in SPECIAL_BUILTINS:
            return None
        if posixpath.basename(name) in LOCAL_TOOLS:
            return None
        if "/" in name and (self._fs is not None or normalize(name) in self.info.files):
            return None
        spec, ports = self._spec_for(argv, main=True)  # type: ignore[misc]
        return RunningProgram(self, spec, ports, argv)

    def _spec_for(self, argv: list[str], main: bool) -> tuple[ProgramSpec, tuple[int, ...]] | None:
        """The program argv starts and the ports it will listen on, if it is one."""
        spec = missing_env_program(argv, self.info, self.env, self._now) if main else None
        if spec is None:
            spec = program_spec(argv, main, self.ref, self.flavor, stdin_never_ends(self.container))
            if spec is None:
                return None
        ports = parse_ports(argv, spec) or spec.ports
        if spec.declared_ports or (main and self._image_default):
            ports = _shared_ports(tuple(dict.fromkeys((*ports, *self.declared_ports))))
        return spec, ports


_NO_IMAGE = ImageInfo(known=False)

_PORTS: dict[tuple[int, ...], tuple[int, ...]] = {}
PORTS_CACHE_LIMIT = 4096


def _shared_ports(ports: tuple[int, ...]) -> tuple[int, ...]:
    """One tuple per set of ports, not two per container (tuples are immutable: sharing
    them changes nothing); the table starts over past its limit."""
    found = _PORTS.get(ports)
    if found is None:
        if len(_PORTS) >= PORTS_CACHE_LIMIT:
            _PORTS.clear()
        found = _PORTS[ports] = ports
    return found


def _drive(program: RunningProgram) -> Generator[Wait, float | None, int]:
    """Run a program as the container's process itself, turning its sleeps into Waits."""
    run = program.run()
    try:
        seconds = next(run)
        if program.daemonizes:
            return 0  # it forked into the background: PID 1 exits, and the container with it
        while True:
            yield Wait(seconds)
            seconds = run.send(None)
    except StopIteration as stop:
        return int(stop.value or 0)
    finally:
        run.close()


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
    __slots__ = ("process",)

    def __init__(self, process: Process) -> None:
        self.process = process

    def output(self, stream: str, text: str) -> None:
        self.process.emit(stream, text)

    def note_assumed(self, command: str) -> None:
        self.process.note(command)

    def tool(self, argv: list[str], cwd: str = "/") -> ToolResult | None:
        return run_tool(self.process, argv, cwd)

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

    __slots__ = ()

    def exec_program(self, program: RunningProgram) -> None:  # type: ignore[override]
        pass
