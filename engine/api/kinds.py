"""The registry of kinds the cluster knows; later kinds plug in with `register_kind`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

FieldErrors = list[tuple[tuple[str | int, ...], str]]
"""(path, message) pairs: `path` locates the field for FILE:LINE reporting."""


@dataclass
class KindInfo:
    """What the API server knows about one kind."""

    kind: str
    group: str
    versions: tuple[str, ...]
    """Served versions, preferred first (the storage version)."""
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    schema: dict[str, str] = field(default_factory=dict)
    """apiVersion -> definition name in engine/schema/*.json used for strict decoding."""
    deprecated: dict[str, str] = field(default_factory=dict)
    """apiVersion -> the API server's deprecation warning for it."""
    validate: Callable[[dict], FieldErrors] | None = None
    """Semantic validation (the registry strategy's Validate), after decoding."""
    default: Callable[[dict], None] | None = None
    """Defaulting as the API server applies it on decode (SetDefaults_*)."""
    validate_update: Callable[[dict, dict], FieldErrors] | None = None
    """Update validation (immutable fields): called with (live, new)."""
    prepare_for_update: Callable[[dict, dict], None] | None = None
    """The strategy's PrepareForUpdate, before validation: called with (live, new) and may
    change new."""
    default_propagation: str = "Background"
    """The deletion propagation policy when the request names none."""
    version_propagation: dict[str, str] = field(default_factory=dict)
    """apiVersion -> the policy when a request addressed through it names none (the
    legacy apps groups orphan: DefaultGarbageCollectionPolicy reads the request's
    group/version)."""
    categories: tuple[str, ...] = ()
    has_status: bool = True

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def api_versions(self) -> tuple[str, ...]:
        return tuple(f"{self.group}/{v}" if self.group else v for v in self.versions)

    @property
    def preferred_api_version(self) -> str:
        return self.api_versions[0]

    @property
    def resource(self) -> str:
        """`pods`, `deployments.apps`: the name kubectl prints in `<resource> "<name>"`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def propagation_for(self, api_version: str = "") -> str:
        """The policy a DELETE addressed through `api_version` gets when it names none."""
        return self.version_propagation.get(api_version, self.default_propagation)

    def type_name(self, api_version: str = "") -> str:
        """`pod`, `deployment.apps`: kubectl's `<type>/<name>` prefix.

        kubectl names the group the object was sent in, so a manifest in a legacy
        apiVersion prints its own group: `deployment.extensions/web created`.
        """
        group = api_version.rpartition("/")[0] if "/" in api_version else self.group
        return f"{self.singular}.{group}" if group else self.singular


_KINDS: dict[str, KindInfo] = {}
_API_VERSIONS: dict[tuple[str, str], KindInfo] = {}


def register_kind(info: KindInfo) -> KindInfo:
    _KINDS[info.kind] = info
    for api_version in info.api_versions:
        _API_VERSIONS[(api_version, info.kind)] = info
    for extra in info.deprecated:
        _API_VERSIONS[(extra, info.kind)] = info
    return info


def kind_info(kind: str) -> KindInfo | None:
    return _KINDS.get(kind)


def all_kinds() -> list[KindInfo]:
    return sorted(_KINDS.values(), key=lambda k: k.kind)


def lookup(api_version: str, kind: str) -> KindInfo | None:
    """The kind served at apiVersion, or None."""
    return _API_VERSIONS.get((api_version, kind))


def kinds_named(kind: str) -> KindInfo | None:
    """A registered kind by its Kind name, case-sensitive."""
    return _KINDS.get(kind)


def resolve_resource(name: str) -> KindInfo | None:
    """kubectl's resource names: `pods`, `pod`, `po`, `Pod`, `deployments.apps`, `deploy`..."""
    wanted = name.strip().lower()
    group = None
    if "." in wanted:
        wanted, group = wanted.split(".", 1)
    for info in _KINDS.values():
        if group is not None and info.group != group:
            continue
        names = {info.plural, info.singular, info.kind.lower(), *info.short_names}
        if wanted in names:
            return info
    return None


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""
