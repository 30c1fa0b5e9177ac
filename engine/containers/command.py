"""The argv a container's runtime starts: command/args over the image's ENTRYPOINT/CMD,
whether it can start at all, and the program an entrypoint script or init hands over to."""

from __future__ import annotations

import posixpath

from engine.containers.images import ImageInfo


def expand_kubernetes_vars(text: str, env: dict[str, str]) -> str:
    """Expand `$(VAR)` as the kubelet does: `$$` is `$`, unknown references stay as written.

    Follows third_party/forked/golang/expansion/expand.go.
    """
    if "$" not in text:
        return text
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
    command = [expand_kubernetes_vars(str(c), env) for c in container.get("command") or ()]
    args = [expand_kubernetes_vars(str(a), env) for a in container.get("args") or ()]
    if command:
        command += args
        return command
    return [*info.entrypoint, *(args or info.cmd)]


def start_problem(argv: list[str], info: ImageInfo) -> str | None:
    """containerd's error when the process cannot be started at all (unverified text)."""
    if not argv:
        return "failed to generate container spec: no command specified"
    binaries = info.binaries
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


def unwrap(argv: list[str], info: ImageInfo, pid1: bool) -> tuple[list[str], bool]:
    """Hand over from the image's entrypoint script or init (tini) to the real program."""
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
