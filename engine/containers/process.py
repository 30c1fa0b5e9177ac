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
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from datetime import datetime
from http import HTTPStatus
from typing import Protocol

from engine.containers.behavior import Behavior, behavior_for
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


@dataclass(frozen=True)
class HTTPResult:
    """An HTTP GET against the container: a status, or the transport error's text."""

    status: int | None
    error: str | None = None


# -- command resolution ----------------------------------------------------------------------


def expand_kubernetes_vars(text: str, env: dict[str, str]) -> str:
    """Expand `$(VAR)` as the kubelet does: `$$` is `$`, unknown references stay as written.

    Follows third_party/forked/golang/expansion/expand.go.
    """
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch != "$" or index + 1 >= len(text):
            out.append(ch)
            index += 1
            continue
        nxt = text[index + 1]
        if nxt == "$":
            out.append("$")
            index += 2
        elif nxt == "(":
            close = text.find(")", index + 2)
            if close < 0:
                out.append("$(")
                index += 2
                continue
            name = text[index + 2 : close]
            out.append(env.get(name, f"$({name})"))
            index = close + 1
        else:
            out.append("$" + nxt)
            index += 2
    return "".join(out)


def resolve_command(container: dict, info: ImageInfo, env: dict[str, str]) -> list[str]:
    """The argv the runtime starts: command/args over the image's ENTRYPOINT/CMD."""
    command = [expand_kubernetes_vars(str(c), env) for c in container.get("command") or []]
    args = [expand_kubernetes_vars(str(a), env) for a in container.get("args") or []]
    if command:
        return command + args
    return list(info.entrypoint) + (args or list(info.cmd))


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
        self._servers: dict[int, _Running] = {}
        self._main_program: _Running | None = None
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
            pid1_output=self._emit,
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
            self._emit("stderr", rule.message + "\n")
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

    def _emit(self, stream: str, text: str) -> None:
        """Write process output; complete lines go to the log."""
        if self._exit is not None:
            return
        buffered = self._partial.get(stream, "") + text
        *lines, rest = buffered.split("\n")
        for line in lines:
            self.host.log(stream, line)
        self._partial[stream] = rest

    def _note(self, command: str) -> None:
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
        spec = spec or _interpreter_spec(argv, self.container) or _argument_spec(argv, self.flavor)
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
        ports = _parse_ports(argv, spec) or spec.ports
        if spec.declared_ports or (main and self._image_default):
            ports = tuple(dict.fromkeys((*ports, *self.declared_ports)))
        return spec, ports

    def _register(self, program: _Running) -> None:
        for port in program.ports:
            self._servers.setdefault(port, program)

    def _unregister(self, program: _Running) -> None:
        for port in [p for p, owner in self._servers.items() if owner is program]:
            del self._servers[port]


# -- running programs --------------------------------------------------------------------------


class _Running:
    """A program started by the shell: it listens, answers HTTP and handles SIGTERM."""

    def __init__(
        self, process: Process, spec: ProgramSpec, ports: tuple[int, ...], argv: list[str]
    ) -> None:
        self.process = process
        self.spec = spec
        self.ports = ports
        self.argv = argv
        self.healthy = True
        joined = " " + " ".join(argv[1:]) + " "
        if spec.daemon_unless is not None:
            self.daemonizes = not any(marker in joined for marker in spec.daemon_unless)
        else:
            self.daemonizes = any(
                f" {flag} " in joined for flag in _DAEMON_FLAGS.get(spec.name, ())
            )

    def run(self) -> Generator[float, None, int]:
        process = self.process
        if self.spec.assumed:
            process._note(self.spec.name)
        for stream, line in self.spec.output:
            process._emit(stream, line + "\n")
        if self.spec.exit_code is not None:
            return self.spec.exit_code
        process._register(self)
        try:
            if self.spec.http == "liveness":
                # agnhost liveness: healthy while `time.Since(started) <= 10s`.
                yield 10.0
                self.healthy = False
            yield math.inf
            return 0
        finally:
            process._unregister(self)

    def http(self, path: str) -> HTTPResult:
        mode = self.spec.http
        path = "/" + path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        if mode == "any":
            return HTTPResult(200)
        if mode.startswith("status:"):
            return HTTPResult(int(mode.split(":", 1)[1]))
        if mode == "liveness":
            if path == "/healthz":
                return HTTPResult(200 if self.healthy else 500)
            return HTTPResult(200 if path in {"/started", "/redirect"} else 404)
        if mode == "none":
            # unverified: a server that does not speak HTTP closes the connection.
            return HTTPResult(None, "EOF")
        kind, _, root = mode.partition(":")
        fs = self.process.fs
        target = posixpath.normpath(posixpath.join(root, path.lstrip("/")))
        if fs.is_file(target):
            return HTTPResult(200)
        if fs.is_dir(target):
            if fs.is_file(posixpath.join(target, "index.html")) or kind == "listing":
                return HTTPResult(200)
            return HTTPResult(403)
        return HTTPResult(404)


_DAEMON_FLAGS = {
    "redis-server": ("--daemonize yes",),
    "mongod": ("--fork",),
    "memcached": ("-d",),
}


def _interpreter_spec(argv: list[str], container: dict) -> ProgramSpec | None:
    """python/node/java and friends: a server, a one-shot, or a REPL reading stdin."""
    base = posixpath.basename(argv[0])
    args = argv[1:]
    if re.fullmatch(r"python(\d+(\.\d+)?)?", base):
        if args[:2] == ["-m", "http.server"]:
            port = next((int(a) for a in args[2:] if a.isdigit()), 8000)
            sigterm = APP_PROGRAMS["python"].sigterm
            return ProgramSpec("http.server", (port,), http="listing:/", sigterm=sigterm)
        one_shot = {"-c", "-V", "--version", "-h", "--help"}
        if args and (args[0] in one_shot or args[:2] == ["-m", "pip"]):
            return _one_shot(base)
        return APP_PROGRAMS["python"] if args else _repl(base, container)
    if base in {"node", "nodejs"}:
        if args and args[0] in {"-e", "-p", "-v", "--version", "--eval", "--print"}:
            return _one_shot(base)
        return APP_PROGRAMS["node"] if args else _repl(base, container)
    if base == "java":
        if args and args[0] in {"-version", "--version"}:
            return _one_shot(base)
        return APP_PROGRAMS["java"]
    if base in {"npm", "yarn", "pnpm"}:
        serving = args[:1] in (["start"], ["run"], ["run-script"], ["dev"])
        return APP_PROGRAMS["npm"] if serving else _one_shot(base)
    if base == "flask":
        return APP_PROGRAMS["flask"] if args[:1] == ["run"] else _one_shot(base)
    if base == "dotnet":
        serving = any(a.endswith(".dll") for a in args)
        return APP_PROGRAMS["dotnet"] if serving else _one_shot(base)
    if base == "ping" and "-c" not in args:
        return APP_PROGRAMS["ping"]  # without -c, ping never ends
    return None


def _one_shot(name: str) -> ProgramSpec:
    """A command that runs once and exits; podtui cannot run it, so it assumes success."""
    return ProgramSpec(name, http="none", exit_code=0, assumed=True)


def _repl(name: str, container: dict) -> ProgramSpec:
    """An interpreter with no script reads stdin: end-of-file at once unless stdin is open."""
    if container.get("stdin"):
        return ProgramSpec(name, http="none", sigterm=APP_PROGRAMS["node"].sigterm)
    return ProgramSpec(name, http="none", exit_code=0)


def _argument_spec(argv: list[str], flavor: Flavor) -> ProgramSpec | None:
    """Programs whose role depends on arguments: `nc -l`, busybox `httpd`."""
    base = posixpath.basename(argv[0])
    args = argv[1:]
    if base == "nc":
        if not any(a.startswith("-") and "l" in a for a in args):
            return None
        port = _flag_value(args, ("-p",)) or next((a for a in reversed(args) if a.isdigit()), None)
        ports = (int(port),) if port and port.isdigit() else ()
        return replace(APP_PROGRAMS["nc"], ports=ports)
    if base == "httpd" and flavor.tools == "busybox":
        home = _flag_value(args, ("-h",)) or "/"
        return ProgramSpec(
            "httpd",
            (80,),
            ("-p",),
            http=f"static:{home}",
            sigterm=SigtermRule("default"),
            daemon_unless=("-f",),
        )
    return None


def _flag_value(args: list[str], flags: tuple[str, ...]) -> str | None:
    for index, arg in enumerate(args):
        for flag in flags:
            if arg == flag and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(flag + "=") and flag.startswith("--"):
                return arg[len(flag) + 1 :]
            if (
                flag.startswith("-")
                and not flag.startswith("--")
                and arg.startswith(flag)
                and len(arg) > len(flag)
            ):
                return arg[len(flag) :]
    return None


def _parse_ports(argv: list[str], spec: ProgramSpec) -> tuple[int, ...]:
    """The port a program was told to listen on (`--port 6380`, `-b 0.0.0.0:8000`)."""
    args = argv[1:]
    flags = spec.port_flags
    if spec.name == "gunicorn":
        flags = ("-b", "--bind")
    value = _flag_value(args, flags) if flags else None
    if spec.name == "php" or (value is None and spec.name == "gunicorn"):
        value = _flag_value(args, ("-S",))
    if value is None:
        return ()
    port = value.rsplit(":", 1)[-1]
    return (int(port),) if port.isdigit() else ()


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
        self.process._emit(stream, text)

    def note_assumed(self, command: str) -> None:
        self.process._note(command)

    def tool(self, argv: list[str]) -> ToolResult | None:
        return _run_tool(self.process, argv)

    def resolve(self, argv: list[str], main: bool) -> _Running | None:
        found = self.process._spec_for(argv, main)
        if found is None:
            return None
        spec, ports = found
        return _Running(self.process, spec, ports, argv)

    def exec_program(self, program: _Running) -> None:  # type: ignore[override]
        self.process._main_program = program

    def now(self) -> datetime | None:
        return self.process._now() if self.process._now is not None else None


class _ExecHost(_ShellHost):
    """An exec in the container: same programs and tools, but it is never PID 1."""

    def exec_program(self, program: _Running) -> None:  # type: ignore[override]
        pass


# -- tools that talk to the container's own ports (probe commands) ----------------------------

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})


def _run_tool(process: Process, argv: list[str]) -> ToolResult | None:
    """curl/wget/redis-cli/pg_isready/... against this container; None for anything else."""
    base = posixpath.basename(argv[0])
    handler = _TOOLS.get(base)
    return handler(process, argv[1:]) if handler is not None else None


def _local_url(args: list[str], pod_ip: str | None) -> tuple[str, int, str] | None:
    """(host, port, path) of the first URL argument when it points at this pod."""
    for arg in args:
        match = re.fullmatch(r"(?:(https?)://)?([^/:\s]+|\[[^\]]+\])(?::(\d+))?(/\S*)?", arg)
        if not match or arg.startswith("-"):
            continue
        scheme, host, port, path = match.groups()
        if host not in _LOCAL_HOSTS and host != pod_ip:
            if scheme or "." in host:
                return None
            continue
        default = 443 if scheme == "https" else 80
        return host, int(port) if port else default, path or "/"
    return None


def _curl(process: Process, args: list[str]) -> ToolResult | None:
    target = _local_url(_curl_operands(args), _pod_ip(process))
    if target is None:
        return None
    host, port, path = target
    flags = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))
    fail = "f" in flags or "--fail" in args
    silent = "s" in flags and "S" not in flags
    result = process.http_get(port, path)
    write_out = _flag_value(args, ("-w", "--write-out"))
    code = result.status or 0
    stdout = write_out.replace("%{http_code}", f"{code:03d}") if write_out else ""
    if result.status is None:
        if result.error and "refused" in result.error:
            # unverified: curl 8.x wording.
            msg = f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
            return ToolResult(7, stdout, "" if silent else msg + "\n")
        return ToolResult(52, stdout, "" if silent else "curl: (52) Empty reply from server\n")
    if fail and result.status >= 400:
        msg = f"curl: (22) The requested URL returned error: {result.status}"
        return ToolResult(22, stdout, "" if silent else msg + "\n")
    return ToolResult(0, stdout)


def _curl_operands(args: list[str]) -> list[str]:
    with_value = {"-o", "-w", "-H", "-X", "-d", "-m", "-u", "-A", "-e", "-b", "-c", "--max-time"}
    with_value |= {"--connect-timeout", "--retry", "--output", "--write-out", "--header"}
    operands = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in with_value:
            skip = True
            continue
        if not arg.startswith("-"):
            operands.append(arg)
    return operands


def _wget(process: Process, args: list[str]) -> ToolResult | None:
    operands = [
        a
        for i, a in enumerate(args)
        if not a.startswith("-") and (i == 0 or args[i - 1] not in {"-O", "-T", "-U", "--header"})
    ]
    target = _local_url(operands, _pod_ip(process))
    if target is None:
        return None
    _, port, path = target
    result = process.http_get(port, path)
    busybox = process.flavor.tools == "busybox"
    if result.status is None:
        if busybox:
            return ToolResult(
                1, "", "wget: can't connect to remote host (127.0.0.1): Connection refused\n"
            )
        # unverified: GNU wget's wording and exit status 4 (network failure).
        return ToolResult(4, "", "failed: Connection refused.\n")
    if result.status >= 400:
        phrase = _phrase(result.status)
        if busybox:
            return ToolResult(
                1, "", f"wget: server returned error: HTTP/1.1 {result.status} {phrase}\n"
            )
        return ToolResult(8, "", f"ERROR {result.status}: {phrase}.\n")
    return ToolResult(0)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _pod_ip(process: Process) -> str | None:
    return ((process.pod.get("status") or {}).get("podIP")) or None


def _port_arg(args: list[str], flags: tuple[str, ...], default: int) -> int:
    value = _flag_value(args, flags)
    return int(value) if value and value.isdigit() else default


def _is_remote(args: list[str], process: Process) -> bool:
    host = _flag_value(args, ("-h", "--host"))
    return host is not None and host not in _LOCAL_HOSTS and host != _pod_ip(process)


def _redis_cli(process: Process, args: list[str]) -> ToolResult | None:
    if _is_remote(args, process):
        return None
    port = _port_arg(args, ("-p",), 6379)
    if port not in process.listening:
        return ToolResult(
            1, "", f"Could not connect to Redis at 127.0.0.1:{port}: Connection refused\n"
        )
    operands = [
        a
        for i, a in enumerate(args)
        if not a.startswith("-") and (i == 0 or not args[i - 1].startswith("-"))
    ]
    return ToolResult(0, "PONG\n" if [o.lower() for o in operands[:1]] == ["ping"] else "")


def _pg_isready(process: Process, args: list[str]) -> ToolResult | None:
    if _is_remote(args, process):
        return None
    port = _port_arg(args, ("-p", "--port"), 5432)
    where = f"/var/run/postgresql:{port}"
    if port in process.listening:
        return ToolResult(0, f"{where} - accepting connections\n")
    return ToolResult(2, f"{where} - no response\n")


def _mysqladmin(process: Process, args: list[str]) -> ToolResult | None:
    if _is_remote(args, process) or "ping" not in args:
        return None
    port = _port_arg(args, ("-P", "--port"), 3306)
    if port in process.listening:
        return ToolResult(0, "mysqld is alive\n")
    # unverified: mysqladmin's exact wording.
    return ToolResult(1, "", "mysqladmin: connect to server at 'localhost' failed\n")


def _grpc_health_probe(process: Process, args: list[str]) -> ToolResult | None:
    address = _flag_value(args, ("-addr", "--addr")) or ""
    port = address.rsplit(":", 1)[-1]
    if not port.isdigit():
        return None
    if int(port) in process.listening:
        return ToolResult(0, "status: SERVING\n")
    # unverified: grpc_health_probe's wording.
    return ToolResult(2, "", f'timeout: failed to connect service "{address}" within 1s\n')


def _nc(process: Process, args: list[str]) -> ToolResult | None:
    flags = "".join(a[1:] for a in args if a.startswith("-"))
    operands = [a for a in args if not a.startswith("-")]
    if "z" not in flags or len(operands) < 2 or not operands[-1].isdigit():
        return None
    if operands[0] not in _LOCAL_HOSTS and operands[0] != _pod_ip(process):
        return None
    return ToolResult(0 if int(operands[-1]) in process.listening else 1)


_TOOLS: dict[str, Callable[[Process, list[str]], ToolResult | None]] = {
    "curl": _curl,
    "wget": _wget,
    "redis-cli": _redis_cli,
    "pg_isready": _pg_isready,
    "mysqladmin": _mysqladmin,
    "grpc_health_probe": _grpc_health_probe,
    "nc": _nc,
}
