"""The argv a container's runtime starts: command/args over the image's ENTRYPOINT/CMD."""

from __future__ import annotations

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
