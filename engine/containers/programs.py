"""Programs a container runs that the shell does not interpret: servers, interpreters, one-shots.

`RunningProgram` is one started program: it listens on its ports, answers HTTP as its
`ProgramSpec` says and reports its exit. The functions here choose a spec from argv for
programs whose role depends on their arguments (`python -m http.server`, `nc -l`).
"""

from __future__ import annotations

import functools
import math
import posixpath
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from engine.containers.images import (
    APP_PROGRAMS,
    ONE_SHOT_TOOLS,
    ImageInfo,
    ImageRef,
    ProgramSpec,
    SigtermRule,
    program_for_image,
)
from engine.shell.host import Flavor

if TYPE_CHECKING:
    from engine.containers.process import Process
    from engine.shell.fs import Filesystem


@dataclass(frozen=True)
class HTTPResult:
    """An HTTP GET against the container: a status, or the transport error's text."""

    status: int | None
    error: str | None = None
    body: str = ""  # what a static server sends; "" when podtui does not know


class RunningProgram:
    """A program started in the container: it listens, answers HTTP and handles SIGTERM."""

    __slots__ = ("argv", "daemonizes", "ports", "process", "spec", "started")

    def __init__(
        self, process: Process, spec: ProgramSpec, ports: tuple[int, ...], argv: list[str]
    ) -> None:
        self.process = process
        self.spec = spec
        self.ports = ports
        self.argv = argv
        self.started = 0.0
        if spec.daemon_unless is not None or spec.name in _DAEMON_FLAGS:
            joined = " " + " ".join(argv[1:]) + " "
            if spec.daemon_unless is not None:
                self.daemonizes = not any(marker in joined for marker in spec.daemon_unless)
            else:
                self.daemonizes = any(f" {flag} " in joined for flag in _DAEMON_FLAGS[spec.name])
        else:
            self.daemonizes = False

    def run(self) -> Generator[float, None, int]:
        process = self.process
        spec = self.spec
        if spec.assumed:
            process.note(spec.name)
        if spec.exit_code is not None:
            if spec.run_seconds:
                yield spec.run_seconds
            for stream, line in spec.output:
                process.emit(stream, line + "\n")
            return spec.exit_code
        self.serve()
        try:
            yield math.inf
            return 0
        finally:
            process.unregister_server(self)

    @property
    def serves_forever(self) -> bool:
        """A server in the foreground: it runs until a signal, so nothing needs to drive it."""
        return self.spec.exit_code is None and not self.daemonizes

    def serve(self) -> None:
        """Print what the server prints at start and open its ports."""
        process = self.process
        for stream, line in self.spec.output:
            process.emit(stream, line + "\n")
        self.started = process.uptime()
        process.register_server(self)

    def http(self, path: str, body: bool = False) -> HTTPResult:
        """What GET path gets; `body`: also read the file a static server sends."""
        mode = self.spec.http
        normal = _NORMAL_PATHS.get(path)
        if normal is None:
            normal = "/" + path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
            if len(_NORMAL_PATHS) < 4096:
                _NORMAL_PATHS[path] = normal
        path = normal
        if mode == "any":
            return HTTPResult(200)
        if mode.startswith("status:"):
            return HTTPResult(int(mode.split(":", 1)[1]))
        if mode == "liveness":
            if path == "/healthz":
                # agnhost liveness: `if duration.Seconds() > 10 { 500 }`, so 200 at exactly 10 s.
                healthy = self.process.uptime() - self.started <= LIVENESS_HEALTHY_SECONDS
                return HTTPResult(200 if healthy else 500)
            return HTTPResult(200 if path in {"/started", "/redirect"} else 404)
        if mode == "none":
            # unverified: a server that does not speak HTTP closes the connection.
            return HTTPResult(None, "EOF")
        kind, _, root = mode.partition(":")
        if not body:
            # A probe of an untouched image's static files gets the same answer every time.
            cached = _STATIC_ANSWERS.get((mode, path))
            if cached is not None and self.process.reads_image_only(root):
                return cached
        target = posixpath.normpath(posixpath.join(root, path.lstrip("/")))
        fs = self.process.fs_for_reading(target)
        result = self._static(kind, path, target, fs, body)
        if not body and self.process.reads_image_only(root) and len(_STATIC_ANSWERS) < 4096:
            _STATIC_ANSWERS[(mode, path)] = result
        return result

    def http_is_fixed(self) -> bool:
        """Whether every GET gets the same answer from now on, while the process writes no
        file: a fixed status, or an untouched image's files (not agnhost liveness: time)."""
        mode = self.spec.http
        if mode in ("any", "none") or mode.startswith("status:"):
            return True
        kind, _, root = mode.partition(":")
        return kind in ("static", "listing") and self.process.reads_image_only(root)

    @staticmethod
    def _static(kind: str, path: str, target: str, fs: Filesystem, body: bool) -> HTTPResult:
        if fs.is_file(target):
            return HTTPResult(200, body=fs.read(target) if body else "")
        if fs.is_dir(target):
            index = posixpath.join(target, "index.html")
            if fs.is_file(index):
                return HTTPResult(200, body=fs.read(index) if body else "")
            if kind == "listing":
                return HTTPResult(200, body=_listing(path, fs.listdir(target)) if body else "")
            return HTTPResult(403)
        return HTTPResult(404)


LIVENESS_HEALTHY_SECONDS = 10.0
# (http mode, path) -> answer, for servers reading only their image's files: the image's
# files never change, so every container of it answers a path the same way.
_STATIC_ANSWERS: dict[tuple[str, str], HTTPResult] = {}
# A requested path -> the path a server looks up (a probe asks for the same few each period).
_NORMAL_PATHS: dict[str, str] = {}


def _listing(path: str, names: list[str]) -> str:
    """A directory listing page, as python's http.server writes it."""
    items = "".join(f'<li><a href="{name}">{name}</a></li>\n' for name in names)
    return (
        f"<!DOCTYPE HTML>\n<html>\n<head><title>Directory listing for {path}</title></head>\n"
        f"<body>\n<h1>Directory listing for {path}</h1>\n<hr>\n<ul>\n{items}</ul>\n<hr>\n"
        "</body>\n</html>\n"
    )


_DAEMON_FLAGS = {
    "redis-server": ("--daemonize yes",),
    "mongod": ("--fork",),
    "memcached": ("-d",),
}


_PYTHON = re.compile(r"python(\d+(\.\d+)?)?")
_PERL = re.compile(r"perl(5[\d.]*)?")


def interpreter_spec(argv: list[str], stdin_open: bool) -> ProgramSpec | None:
    """python/node/java and friends: a server, a one-shot, or a REPL reading stdin."""
    base = posixpath.basename(argv[0])
    args = argv[1:]
    if _PYTHON.fullmatch(base):
        if args[:2] == ["-m", "http.server"]:
            port = next((int(a) for a in args[2:] if a.isdigit()), 8000)
            sigterm = APP_PROGRAMS["python"].sigterm
            return ProgramSpec("http.server", (port,), http="listing:/", sigterm=sigterm)
        once = {"-c", "-V", "--version", "-h", "--help"}
        if args and (args[0] in once or args[:2] == ["-m", "pip"]):
            return one_shot(base)
        return APP_PROGRAMS["python"] if args else repl(base, stdin_open)
    if base in {"node", "nodejs"}:
        if args and args[0] in {"-e", "-p", "-v", "--version", "--eval", "--print"}:
            return one_shot(base)
        return APP_PROGRAMS["node"] if args else repl(base, stdin_open)
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
    if _PERL.fullmatch(base):
        return perl_spec(base, args, stdin_open)
    return None


def perl_spec(name: str, args: list[str], stdin_open: bool) -> ProgramSpec:
    """perl: `-e CODE` runs once; a script is an app; with neither it reads stdin (`-de0` too).

    The one program podtui runs for real is the docs' Job example,
    `perl -Mbignum=bpi -wle 'print bpi(2000)'`: it prints pi to that many digits.
    """
    code: str | None = None
    modules: list[str] = []
    rest = list(args)
    while rest and rest[0].startswith("-") and rest[0] != "-":
        arg = rest.pop(0)
        if arg == "--":
            break
        if arg[1:2] in {"M", "m"}:
            modules.append(arg[2:] or (rest.pop(0) if rest else ""))
            continue
        letters = arg[1:]
        for index, letter in enumerate(letters):
            if letter in {"e", "E"}:
                inline = letters[index + 1 :]
                code = (code + "\n" if code else "") + (inline or (rest.pop(0) if rest else ""))
                break
            elif letter in {"d", "I", "x", "0", "i"}:
                break  # the rest of the word is this switch's argument (-de0, -I/lib)
    if code is None:
        return APP_PROGRAMS["perl"] if rest else repl(name, stdin_open)
    match = _PRINT_BPI.fullmatch(code)
    if match and any("bpi" in module for module in modules):
        # With or without -l the log holds one line: a last partial line is flushed at exit.
        output = (("stdout", pi_digits(int(match.group(1)))),)
        return ProgramSpec(
            name, http="none", output=output, exit_code=0, run_seconds=PERL_BPI_SECONDS
        )
    return one_shot(name)


_PRINT_BPI = re.compile(r"\s*print\s*\(?\s*bpi\s*\(\s*(\d{1,5})\s*\)\s*\)?\s*;?\s*")
# The docs: "It computes π to 2000 places and prints it out. It takes around 10s to complete."
PERL_BPI_SECONDS = 10.0


@functools.lru_cache(maxsize=8)
def pi_digits(count: int) -> str:
    """pi to `count` significant digits, rounded half-to-even as Math::BigFloat's bpi does."""
    count = max(count, 1)
    guard = 10
    scale = 10 ** (count + guard)

    def arctan_inverse(x: int) -> int:
        # arctan(1/x) * scale by its Taylor series, in integers.
        total = term = scale // x
        x_squared = x * x
        n = 1
        while term:
            term //= x_squared
            n += 2
            total += -(term // n) if n % 4 == 3 else term // n
        return total

    pi = 4 * (4 * arctan_inverse(5) - arctan_inverse(239))  # Machin's formula
    kept, dropped = divmod(pi, 10 ** (guard + 1))
    half = 5 * 10**guard
    if dropped > half or (dropped == half and kept % 2):
        kept += 1
    text = str(kept)
    return text if count == 1 else f"{text[0]}.{text[1:]}"


_SPECS: dict[tuple, ProgramSpec | None] = {}
_SPECS_KEPT = 4096


def program_spec(
    argv: list[str], main: bool, ref: ImageRef | None, flavor: Flavor, stdin_open: bool
) -> ProgramSpec | None:
    """The program argv runs in this image; None for a command the shell should assume.

    `main`: argv is the container's process (or `exec`'d), so anything unknown is a server.
    Decisions are cached: ten thousand pods of one template ask the same question.
    """
    key = (tuple(argv), main, ref, flavor, stdin_open)
    if key in _SPECS:
        return _SPECS[key]
    spec = interpreter_spec(argv, stdin_open) or argument_spec(argv, flavor)
    if spec is None and ref is not None:
        spec = program_for_image(argv, ref)
    if spec is None and main:
        base = posixpath.basename(argv[0])
        if base in ONE_SHOT_TOOLS:
            spec = ProgramSpec(base, http="none", exit_code=0, assumed=True)
        else:
            spec = APP_PROGRAMS["app"]
    if len(_SPECS) < _SPECS_KEPT:
        _SPECS[key] = spec
    return spec


def one_shot(name: str) -> ProgramSpec:
    """A command that runs once and exits; podtui cannot run it, so it assumes success."""
    return ProgramSpec(name, http="none", exit_code=0, assumed=True)


def stdin_never_ends(container: dict) -> bool:
    """Whether reading stdin blocks forever instead of seeing end-of-file at once.

    With `stdin: true` the runtime keeps stdin open. With `tty: true` (even without stdin)
    the process's stdin is the terminal, whose other end the runtime's shim holds open: a
    shell or REPL waits on it, as `docker run -t` and compose's `tty: true` keep an ubuntu
    container running. Otherwise stdin is /dev/null.
    """
    return bool(container.get("stdin") or container.get("tty"))


def repl(name: str, stdin_open: bool) -> ProgramSpec:
    """An interpreter with no script reads stdin: end-of-file at once unless it never ends."""
    if stdin_open:
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


def missing_env_program(
    argv: list[str], info: ImageInfo, env: dict[str, str], now: Callable[[], datetime] | None
) -> ProgramSpec | None:
    """The official image's entrypoint refusing to start without a password."""
    if not info.required_env or posixpath.basename(argv[0]) != info.wrapper_default:
        return None
    for requirement in info.required_env:
        name, eq, wanted = requirement.partition("=")
        value = env.get(name, "")
        if value and (not eq or value == wanted):
            return None
    lines = list(info.missing_env_lines)
    if lines and lines[0].startswith("[ERROR]") and now is not None:
        lines[0] = now().strftime("%Y-%m-%d %H:%M:%S+00:00 ") + lines[0]
    output = tuple(("stderr", line) for line in lines)
    return ProgramSpec(
        info.wrapper_default or "entrypoint", http="none", output=output, exit_code=1
    )
