"""Programs a container runs that the shell does not interpret: servers, interpreters, one-shots.

`RunningProgram` is one started program: it listens on its ports, answers HTTP as its
`ProgramSpec` says and reports its exit. The functions here choose a spec from argv for
programs whose role depends on their arguments (`python -m http.server`, `nc -l`).
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from engine.containers.images import APP_PROGRAMS, ProgramSpec, SigtermRule
from engine.shell.host import Flavor

if TYPE_CHECKING:
    from engine.containers.process import Process


@dataclass(frozen=True)
class HTTPResult:
    """An HTTP GET against the container: a status, or the transport error's text."""

    status: int | None
    error: str | None = None


class RunningProgram:
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
            process.note(self.spec.name)
        for stream, line in self.spec.output:
            process.emit(stream, line + "\n")
        if self.spec.exit_code is not None:
            return self.spec.exit_code
        process.register_server(self)
        try:
            if self.spec.http == "liveness":
                # agnhost liveness: healthy while `time.Since(started) <= 10s`.
                yield 10.0
                self.healthy = False
            yield math.inf
            return 0
        finally:
            process.unregister_server(self)

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


def interpreter_spec(argv: list[str], container: dict) -> ProgramSpec | None:
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
            return one_shot(base)
        return APP_PROGRAMS["python"] if args else repl(base, container)
    if base in {"node", "nodejs"}:
        if args and args[0] in {"-e", "-p", "-v", "--version", "--eval", "--print"}:
            return one_shot(base)
        return APP_PROGRAMS["node"] if args else repl(base, container)
    if base == "java":
        if args and args[0] in {"-version", "--version"}:
            return one_shot(base)
        return APP_PROGRAMS["java"]
    if base in {"npm", "yarn", "pnpm"}:
        serving = args[:1] in (["start"], ["run"], ["run-script"], ["dev"])
        return APP_PROGRAMS["npm"] if serving else one_shot(base)
    if base == "flask":
        return APP_PROGRAMS["flask"] if args[:1] == ["run"] else one_shot(base)
    if base == "dotnet":
        serving = any(a.endswith(".dll") for a in args)
        return APP_PROGRAMS["dotnet"] if serving else one_shot(base)
    if base == "ping" and "-c" not in args:
        return APP_PROGRAMS["ping"]  # without -c, ping never ends
    return None


def one_shot(name: str) -> ProgramSpec:
    """A command that runs once and exits; podtui cannot run it, so it assumes success."""
    return ProgramSpec(name, http="none", exit_code=0, assumed=True)


def repl(name: str, container: dict) -> ProgramSpec:
    """An interpreter with no script reads stdin: end-of-file at once unless stdin is open."""
    if container.get("stdin"):
        return ProgramSpec(name, http="none", sigterm=APP_PROGRAMS["node"].sigterm)
    return ProgramSpec(name, http="none", exit_code=0)


def argument_spec(argv: list[str], flavor: Flavor) -> ProgramSpec | None:
    """Programs whose role depends on arguments: `nc -l`, busybox `httpd`."""
    base = posixpath.basename(argv[0])
    args = argv[1:]
    if base == "nc":
        if not any(a.startswith("-") and "l" in a for a in args):
            return None
        port = flag_value(args, ("-p",)) or next((a for a in reversed(args) if a.isdigit()), None)
        ports = (int(port),) if port and port.isdigit() else ()
        return replace(APP_PROGRAMS["nc"], ports=ports)
    if base == "httpd" and flavor.tools == "busybox":
        home = flag_value(args, ("-h",)) or "/"
        return ProgramSpec(
            "httpd",
            (80,),
            ("-p",),
            http=f"static:{home}",
            sigterm=SigtermRule("default"),
            daemon_unless=("-f",),
        )
    return None


def flag_value(args: list[str], flags: tuple[str, ...]) -> str | None:
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


def parse_ports(argv: list[str], spec: ProgramSpec) -> tuple[int, ...]:
    """The port a program was told to listen on (`--port 6380`, `-b 0.0.0.0:8000`)."""
    args = argv[1:]
    flags = spec.port_flags
    if spec.name == "gunicorn":
        flags = ("-b", "--bind")
    value = flag_value(args, flags) if flags else None
    if spec.name == "php" or (value is None and spec.name == "gunicorn"):
        value = flag_value(args, ("-S",))
    if value is None:
        return ()
    port = value.rsplit(":", 1)[-1]
    return (int(port),) if port.isdigit() else ()
