"""kubectl drain's closing words when pods are left (drain.go RunDrain and
deleteOrEvictPodsSimple), shared by the simulator's drain and the drain over the network."""

from __future__ import annotations

import json


def aggregate(messages: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]`."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def pending_lines(node: str, message: str, pods: list[dict], errors: list[str]) -> list[str]:
    """deleteOrEvictPodsSimple's ending: the pods still on the node, and why they could not
    be listed (stderr lines)."""
    lines: list[str] = []
    if pods:
        lines.append(
            f"There are pending pods in node {json.dumps(node)} when an error occurred: {message}"
        )
        lines += [f"pod/{pod['metadata']['name']}" for pod in pods]
    if errors:
        lines.append("Following errors occurred while getting the list of pods to delete:")
        lines.append(aggregate(errors))
    return lines


def failure_lines(node: str, errs: list[str], final_lines: list[str] | None = None) -> list[str]:
    """RunDrain's failure path, then cmdutil.CheckErr's printing of the error: an aggregate
    prints one message a line as it is; deletePods' plain error gets the `error: ` prefix
    (or, from the API, `Error from server (...)`) (stderr lines)."""
    return [
        f"error: unable to drain node {json.dumps(node)} due to error: "
        f"{aggregate(errs)}, continuing command...",
        "There are pending nodes to be drained:",
        f" {node}",
        *(final_lines or errs),
    ]
