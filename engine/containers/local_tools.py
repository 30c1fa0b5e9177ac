"""Tools that talk to the container's own ports: curl, wget, redis-cli, pg_isready, mysqladmin,
grpc_health_probe and nc -z, as exec probes and scripts run them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING

from engine.containers.programs import flag_value
from engine.shell.host import ToolResult

if TYPE_CHECKING:
    from engine.containers.process import Process

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})


def run_tool(process: Process, argv: list[str]) -> ToolResult | None:
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
    value = flag_value(args, flags)
    return int(value) if value and value.isdigit() else default


def _is_remote(args: list[str], process: Process) -> bool:
    host = flag_value(args, ("-h", "--host"))
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
    address = flag_value(args, ("-addr", "--addr")) or ""
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
