"""What every Pod Security Standards check shares: results, versions, upstream's wording helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

Version = tuple[int, int]
CLUSTER_VERSION: Version = (1, 32)


@dataclass(frozen=True)
class CheckResult:
    allowed: bool
    reason: str = ""
    detail: str = ""


ALLOWED = CheckResult(True)
CheckFn = Callable[[dict, dict], CheckResult]


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def join_quote(items: list[str]) -> str:
    return '"' + '", "'.join(items) + '"' if items else ""


def visit_containers(spec: dict) -> Iterator[dict]:
    for group in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(group) or []


def sc_of(container: dict) -> dict:
    return container.get("securityContext") or {}


def pod_sc_of(spec: dict) -> dict:
    return spec.get("securityContext") or {}


def containers_detail(names: list[str]) -> str:
    return f"{pluralize('container', 'containers', len(names))} {join_quote(names)}"


def is_windows(spec: dict) -> bool:
    return (spec.get("os") or {}).get("name") == "windows"
