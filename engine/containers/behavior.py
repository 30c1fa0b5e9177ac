"""Per-container behaviour that commands cannot express, set by a pod annotation.

`behavior.podtui.io/<container-name>: "listenDelay=20s oomAfter=45s"` — a space-separated
list of `key=value` settings and bare flags. docs/behavior-annotations.md documents each.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from engine.timeutil import DurationError, parse_duration

ANNOTATION_PREFIX = "behavior.podtui.io/"


class BehaviorError(ValueError):
    """A behaviour annotation podtui cannot parse; str() is the validator's message."""


@dataclass(frozen=True)
class Behavior:
    listen_delay: float = 0.0  # seconds after start before the ports accept connections
    exit_after: float | None = None  # the process exits this long after start...
    exit_code: int | None = None  # ...with this code (0 when only exitAfter is given)
    oom_after: float | None = None  # memory reaches the limit: exit 137, reason OOMKilled
    http_status: int | None = None  # every HTTP request gets this status
    grpc_status: str | None = None  # what the gRPC health service answers (SERVING, ...)
    ignore_sigterm: bool = False
    sigterm_exit_code: int | None = None
    sigterm_delay: float | None = None  # seconds from SIGTERM to exit
    pull_time: float | None = None  # image pull duration, for the kubelet

    @property
    def handles_sigterm(self) -> bool:
        return self.sigterm_exit_code is not None or self.sigterm_delay is not None


def _duration(key: str, value: str) -> float:
    try:
        return parse_duration(value)
    except DurationError as err:
        raise BehaviorError(f"{key}: {err}") from None


def _integer(low: int, high: int) -> Callable[[str, str], int]:
    def parse(key: str, value: str) -> int:
        # ASCII digits only, and few of them: str.isdigit() takes "²", and int() refuses
        # thousands of digits.
        if not re.fullmatch(r"-?[0-9]{1,18}", value) or not low <= int(value) <= high:
            shown = value if len(value) <= 40 else value[:20] + "..."
            raise BehaviorError(f'{key}: "{shown}" is not a whole number from {low} to {high}')
        return int(value)

    return parse


# grpc.health.v1.HealthCheckResponse.ServingStatus.
GRPC_STATUSES = ("UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN")


def _choice(values: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(key: str, value: str) -> str:
        if value not in values:
            raise BehaviorError(f'{key}: "{value}" is not one of {", ".join(values)}')
        return value

    return parse


# annotation key → (Behavior field, parser); a parser of None marks a bare flag.
_SETTINGS: dict[str, tuple[str, Callable[[str, str], object] | None]] = {
    "listenDelay": ("listen_delay", _duration),
    "exitAfter": ("exit_after", _duration),
    "exitCode": ("exit_code", _integer(0, 255)),
    "oomAfter": ("oom_after", _duration),
    "httpStatus": ("http_status", _integer(100, 599)),
    "grpcStatus": ("grpc_status", _choice(GRPC_STATUSES)),
    "ignoreSigterm": ("ignore_sigterm", None),
    "sigtermExitCode": ("sigterm_exit_code", _integer(0, 255)),
    "sigtermDelay": ("sigterm_delay", _duration),
    "pullTime": ("pull_time", _duration),
}
KNOWN_KEYS = tuple(_SETTINGS)


DEFAULT = Behavior()


@functools.lru_cache(maxsize=1024)
def parse_behavior(text: str) -> Behavior:
    """Parse an annotation value; raises BehaviorError naming the first problem."""
    values: dict[str, object] = {}
    seen: set[str] = set()
    for token in text.split():
        key, eq, value = token.partition("=")
        if key not in _SETTINGS:
            known = ", ".join(KNOWN_KEYS)
            raise BehaviorError(f'unknown behavior "{key}" (known: {known})')
        if key in seen:
            raise BehaviorError(f'"{key}" is given more than once')
        seen.add(key)
        field_name, parser = _SETTINGS[key]
        if parser is None:
            if eq and value not in {"true", "false"}:
                raise BehaviorError(f'{key} is a flag: write "{key}" or "{key}=true"')
            values[field_name] = value != "false"
            continue
        if not eq or not value:
            raise BehaviorError(f'{key} needs a value: "{key}=..."')
        values[field_name] = parser(key, value)
    behavior = replace(Behavior(), **values)  # type: ignore[arg-type]
    if behavior.ignore_sigterm and behavior.handles_sigterm:
        raise BehaviorError("ignoreSigterm cannot be combined with sigtermExitCode or sigtermDelay")
    return behavior


def annotation_key(container_name: str) -> str:
    return ANNOTATION_PREFIX + container_name


def behavior_for(pod: dict, container_name: str) -> Behavior:
    """The container's behaviour; an unparsable annotation counts as none (validation reports it)."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(annotation_key(container_name))
    if not isinstance(text, str):
        return DEFAULT
    try:
        return parse_behavior(text)
    except BehaviorError:
        return DEFAULT


def behavior_problems(pod: dict) -> list[str]:
    """Messages for every behaviour annotation on a pod (template) that is wrong."""
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    names = {
        c.get("name")
        for group in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(group) or []
    }
    problems = []
    for key, value in sorted((metadata.get("annotations") or {}).items()):
        if not key.startswith(ANNOTATION_PREFIX):
            continue
        where = f"metadata.annotations[{key}]"
        name = key[len(ANNOTATION_PREFIX) :]
        if name not in names:
            problems.append(f'{where}: the pod has no container named "{name}"')
            continue
        try:
            parse_behavior(str(value))
        except BehaviorError as err:
            problems.append(f"{where}: {err}")
    return problems
