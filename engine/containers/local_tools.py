"""Tools that talk to the container's own ports: curl, wget, redis-cli, pg_isready, mysqladmin,
grpc_health_probe and nc -z, as exec probes and scripts run them. curl, wget and nc also reach
other pods: through the pod's host (`connect`), a Service name or ClusterIP leads where cluster
DNS and kube-proxy send it (engine/network/proxy.py)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from engine.containers.programs import HTTPResult, flag_value
from engine.shell.fs import FsError, normalize
from engine.shell.host import ToolResult

if TYPE_CHECKING:
    from engine.containers.process import Process


class Route(Protocol):
    """Where the pod network sends a connection (engine.network.proxy.Route has this shape)."""

    process: Any
    port: int
    address: str
    error: str | None

    @property
    def refused(self) -> bool:
        """Nothing accepts the connection (no endpoint, or nothing listening there)."""
        ...


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})


def run_tool(process: Process, argv: list[str], cwd: str = "/") -> ToolResult | None:
    """curl/wget/redis-cli/pg_isready/... against this container; None for anything else.

    `cwd`: the directory relative output files (`wget -O page.html`) are written to.
    """
    base = posixpath.basename(argv[0])
    handler = _TOOLS.get(base)
    return handler(process, argv[1:], cwd) if handler is not None else None


def _target(process: Process, args: list[str]) -> tuple[str, int, str, Any] | None:
    """(host, port, path, server) of the first URL argument that points at this pod or, through
    cluster DNS and kube-proxy, at another one; `server` is this process or a Route."""
    pod_ip = _pod_ip(process)
    for arg in args:
        match = re.fullmatch(r"(?:(https?)://)?([^/:\s]+|\[[^\]]+\])(?::(\d+))?(/\S*)?", arg)
        if not match or arg.startswith("-"):
            continue
        scheme, host, port, path = match.groups()
        number = int(port) if port else (443 if scheme == "https" else 80)
        if host in _LOCAL_HOSTS or host == pod_ip:
            return host, number, path or "/", process
        route = _route(process, host, number)
        if route is not None:
            return host, number, path or "/", route
        if scheme or "." in host:
            return None
    return None


def _route(process: Process, host: str, port: int) -> Route | None:
    """Where the pod's network sends host:port (None: not a cluster name or address)."""
    connect = getattr(process.host, "connect", None)
    return None if connect is None else connect(host, port)


def _get(process: Process, server: Any, port: int, path: str) -> HTTPResult:
    """An HTTP GET to this process, or through a route to the process behind it."""
    if server is not process:
        if server.process is None:
            return HTTPResult(None, "connect: connection refused")
        return server.process.http_get(server.port, path, body=True)
    return _listener(server, port).http_get(port, path, body=True)


def _curl(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    operands = _curl_operands(args)
    output = flag_value(args, ("-o", "--output"))
    if output is None and ("-O" in args or "--remote-name" in args) and operands:
        output = _default_name(operands[0])
    target = _target(process, operands)
    if target is None:
        if output is None or not operands:
            return None  # the shell assumes it succeeded and says so
        process.note("curl")
        return _save(process, "curl", cwd, output, _stand_in(operands[0]))
    host, port, path, server = target
    flags = "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))
    fail = "f" in flags or "--fail" in args
    silent = "s" in flags and "S" not in flags
    if server is not process and server.error:
        # unverified: curl 8.x wording.
        msg = f"curl: (6) Could not resolve host: {host}"
        return ToolResult(6, "", "" if silent else msg + "\n")
    result = _get(process, server, port, path)
    write_out = flag_value(args, ("-w", "--write-out"))
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
    if output is not None and output != "-":
        saved = _save(process, "curl", cwd, output, result.body)
        return ToolResult(saved.exit_code, stdout, saved.stderr)
    return ToolResult(0, result.body + stdout)


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


def _wget_args(args: list[str]) -> tuple[list[str], str | None]:
    """wget's URLs and its -O file (`-O-`: standard output)."""
    operands: list[str] = []
    output = None
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name == "--output-document":
                if not eq and index < len(args):
                    value, index = args[index], index + 1
                output = value
            elif name in {"--header", "--user-agent", "--timeout"} and not eq:
                index += 1
        elif arg.startswith("-") and arg != "-":
            # Short options bundle (`-qO-`); one that takes a value takes the rest.
            for position, letter in enumerate(arg[1:], start=2):
                if letter in "OTUPYe":
                    value = arg[position:]
                    if not value and index < len(args):
                        value, index = args[index], index + 1
                    if letter == "O":
                        output = value
                    break
        else:
            operands.append(arg)
    return operands, output


def _wget(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    operands, output = _wget_args(args)
    if not operands:
        return None
    # Without -O, wget saves to the last part of the URL's path (index.html for "/").
    output = output or _default_name(operands[0])
    target = _target(process, operands)
    if target is None:
        process.note("wget")
        if output == "-":
            return ToolResult(0)
        return _save(process, "wget", cwd, output, _stand_in(operands[0]))
    host, port, path, server = target
    busybox = process.flavor.tools == "busybox"
    if server is not process and server.error:
        if busybox:
            return ToolResult(1, "", f"wget: bad address '{host}'\n")
        # unverified: GNU wget's wording; exit status 4 (network failure).
        return ToolResult(4, "", f"wget: unable to resolve host address '{host}'\n")
    result = _get(process, server, port, path)
    if result.status is None:
        if busybox:
            address = server.address if server is not process and server.address else "127.0.0.1"
            return ToolResult(
                1, "", f"wget: can't connect to remote host ({address}): Connection refused\n"
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
    if output == "-":
        return ToolResult(0, result.body)
    return _save(process, "wget", cwd, output, result.body)


def _default_name(url: str) -> str:
    path = url.split("://", 1)[-1].partition("/")[2].split("?", 1)[0].split("#", 1)[0]
    return posixpath.basename(path) or "index.html"


def _stand_in(url: str) -> str:
    """The body saved for a URL outside the pod: podtui cannot fetch it, and says so."""
    return f"<!-- podtui: {url} was not fetched; this file stands in for its body -->\n"


def _save(process: Process, tool: str, cwd: str, name: str, body: str) -> ToolResult:
    """Write a download to the container's filesystem, failing as the tool does."""
    try:
        process.fs.write(normalize(name, cwd), body)
    except FsError as err:
        if tool == "curl":
            # unverified: curl 8.x wording.
            return ToolResult(23, "", "curl: (23) Failure writing output to destination\n")
        if process.flavor.tools == "busybox":
            return ToolResult(1, "", f"wget: can't open '{name}': {err.strerror}\n")
        # unverified: GNU wget's wording; exit status 3 is its file I/O error.
        return ToolResult(3, "", f"{name}: {err.strerror}\n")
    return ToolResult(0)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _listener(process: Process, port: int) -> Process:
    """Who answers on localhost:port: a pod's containers share one network namespace, so
    another container of the pod listening there answers as well as this one would."""
    return process.pod_listener(port) or process


def _pod_ip(process: Process) -> str | None:
    return ((process.pod.get("status") or {}).get("podIP")) or None


def _port_arg(args: list[str], flags: tuple[str, ...], default: int) -> int:
    value = flag_value(args, flags)
    return int(value) if value and value.isdigit() else default


def _is_remote(args: list[str], process: Process) -> bool:
    host = flag_value(args, ("-h", "--host"))
    return host is not None and host not in _LOCAL_HOSTS and host != _pod_ip(process)


def _redis_cli(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    if _is_remote(args, process):
        return None
    port = _port_arg(args, ("-p",), 6379)
    if port not in _listener(process, port).listening:
        return ToolResult(
            1, "", f"Could not connect to Redis at 127.0.0.1:{port}: Connection refused\n"
        )
    operands = [
        a
        for i, a in enumerate(args)
        if not a.startswith("-") and (i == 0 or not args[i - 1].startswith("-"))
    ]
    return ToolResult(0, "PONG\n" if [o.lower() for o in operands[:1]] == ["ping"] else "")


def _pg_isready(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    if _is_remote(args, process):
        return None
    port = _port_arg(args, ("-p", "--port"), 5432)
    where = f"/var/run/postgresql:{port}"
    if port in _listener(process, port).listening:
        return ToolResult(0, f"{where} - accepting connections\n")
    return ToolResult(2, f"{where} - no response\n")


def _mysqladmin(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    if _is_remote(args, process) or "ping" not in args:
        return None
    port = _port_arg(args, ("-P", "--port"), 3306)
    if port in _listener(process, port).listening:
        return ToolResult(0, "mysqld is alive\n")
    # unverified: mysqladmin's exact wording.
    return ToolResult(1, "", "mysqladmin: connect to server at 'localhost' failed\n")


def _grpc_health_probe(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    address = flag_value(args, ("-addr", "--addr")) or ""
    port = address.rsplit(":", 1)[-1]
    if not port.isdigit():
        return None
    status = _listener(process, int(port)).grpc_status(int(port))
    if status == "SERVING":
        return ToolResult(0, "status: SERVING\n")
    if status is not None:
        # grpc-health-probe: exit 4 (StatusUnhealthy), logged without a timestamp.
        return ToolResult(4, "", f'service unhealthy (responded with "{status}")\n')
    # unverified: grpc_health_probe's wording.
    return ToolResult(2, "", f'timeout: failed to connect service "{address}" within 1s\n')


def _nc(process: Process, args: list[str], cwd: str) -> ToolResult | None:
    flags = "".join(a[1:] for a in args if a.startswith("-"))
    operands = [a for a in args if not a.startswith("-")]
    if "z" not in flags or len(operands) < 2 or not operands[-1].isdigit():
        return None
    port = int(operands[-1])
    if operands[0] not in _LOCAL_HOSTS and operands[0] != _pod_ip(process):
        route = _route(process, operands[0], port)
        if route is None:
            return None
        return ToolResult(1 if route.error or route.refused else 0)
    return ToolResult(0 if port in _listener(process, port).listening else 1)


_TOOLS: dict[str, Callable[[Process, list[str], str], ToolResult | None]] = {
    "curl": _curl,
    "wget": _wget,
    "redis-cli": _redis_cli,
    "pg_isready": _pg_isready,
    "mysqladmin": _mysqladmin,
    "grpc_health_probe": _grpc_health_probe,
    "nc": _nc,
}
LOCAL_TOOLS = frozenset(_TOOLS)
