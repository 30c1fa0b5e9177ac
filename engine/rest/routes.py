"""Resource paths: /api/v1/..., /apis/G/V/..., with or without a namespace, name and
subresource, and the legacy /watch/ prefix (k8s.io/apiserver/pkg/endpoints/request/
requestinfo.go `NewRequestInfo`)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.rest.discovery import ServedResource, find_resource


@dataclass(frozen=True)
class Route:
    group: str
    version: str
    resource: ServedResource
    namespace: str | None  # None: every namespace (or a cluster-scoped kind)
    name: str
    subresource: str
    watch_path: bool  # the deprecated /watch/ prefix

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def group_version_of(path: str) -> tuple[str, str, list[str]] | None:
    """(group, version, the rest of the path's parts) for /api/v1/... and /apis/G/V/..."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        return "", parts[1], parts[2:]
    if len(parts) >= 3 and parts[0] == "apis":
        return parts[1], parts[2], parts[3:]
    return None


def parse_route(path: str) -> Route | None:
    """The resource a path names, or None when it names none (404)."""
    found = group_version_of(path)
    if found is None:
        return None
    group, version, rest = found
    watch_path = False
    if rest and rest[0] == "watch":
        watch_path = True
        rest = rest[1:]
    if not rest:
        return None
    namespace: str | None = None
    # /namespaces/NS/RESOURCE... ; /namespaces and /namespaces/NAME[/status] name the
    # Namespace objects themselves.
    if rest[0] == "namespaces" and len(rest) >= 3:
        candidate = find_resource(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace = rest[1]
            rest = rest[2:]
    served = find_resource(group, version, rest[0])
    if served is None:
        return None
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if len(rest) > 3:
        return None
    if not served.namespaced:
        namespace = None
    return Route(group, version, served, namespace, name, subresource, watch_path)
