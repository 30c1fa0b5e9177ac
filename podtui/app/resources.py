"""Which kinds the console shows, and kubectl's names for them.

Kinds are looked up in the engine's registry at the moment they are needed, so a kind a
feature package registers later (Deployment, PodDisruptionBudget, PodSecurityPolicy...)
appears without a change here. For kinds the engine does not know yet, kubectl's names
still resolve, so `:psp` opens the PSP pane and says honestly that nothing simulates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.api.kinds import KindInfo, kind_info, resolve_resource
from engine.api.resources import RESOURCES, known_kind


@dataclass(frozen=True)
class KnownKind:
    """What kubectl calls a kind the console has a pane for, registered or not."""

    kind: str
    plural: str
    short_names: tuple[str, ...]
    group: str = ""
    namespaced: bool = True
    package: str = ""
    """The engine feature package that simulates it."""

    @property
    def title(self) -> str:
        return self.plural[:1].upper() + self.plural[1:]


KNOWN_KINDS: tuple[KnownKind, ...] = (
    KnownKind("Pod", "pods", ("po",)),
    KnownKind("Deployment", "deployments", ("deploy", "dp"), "apps", package="engine.workloads"),
    KnownKind("ReplicaSet", "replicasets", ("rs",), "apps", package="engine.workloads"),
    KnownKind("StatefulSet", "statefulsets", ("sts",), "apps", package="engine.workloads"),
    KnownKind("DaemonSet", "daemonsets", ("ds",), "apps", package="engine.workloads"),
    KnownKind("Job", "jobs", ("job",), "batch", package="engine.workloads"),
    KnownKind("Node", "nodes", ("no",), namespaced=False),
    KnownKind(
        "PodSecurityPolicy",
        "podsecuritypolicies",
        ("psp",),
        "policy",
        namespaced=False,
        package="engine.security",
    ),
    KnownKind(
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        ("pdb",),
        "policy",
        package="engine.disruption",
    ),
    KnownKind("Event", "events", ("ev",)),
)
_KNOWN_BY_KIND = {k.kind: k for k in KNOWN_KINDS}


@dataclass(frozen=True)
class Pane:
    """A top-level pane: a number key, a title and the kinds it switches between."""

    id: str
    title: str
    key: str
    kinds: tuple[str, ...]


PANES: tuple[Pane, ...] = (
    Pane("pods", "Pods", "1", ("Pod",)),
    Pane(
        "controllers",
        "Controllers",
        "2",
        ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"),
    ),
    Pane("nodes", "Nodes", "3", ("Node",)),
    Pane("psps", "PSPs", "4", ("PodSecurityPolicy",)),
    Pane("pdbs", "PDBs", "5", ("PodDisruptionBudget",)),
    Pane("events", "Events", "6", ("Event",)),
)
OTHER_PANE = Pane("other", "Other", "", ())
"""Kinds without a pane of their own (`:cm`, `:sa`, `:ns`...) show here."""


def pane_for_kind(kind: str) -> Pane:
    for pane in PANES:
        if kind in pane.kinds:
            return pane
    return OTHER_PANE


def resolve_kind(name: str) -> str | None:
    """A kubectl resource name (`po`, `pods`, `deploy`, `psp`, `deployments.apps`) → Kind."""
    info = resolve_resource(name)
    if info is not None:
        return info.kind
    wanted = name.strip().lower()
    group = None
    if "." in wanted:
        wanted, group = wanted.split(".", 1)
    for known in KNOWN_KINDS:
        if group is not None and known.group != group:
            continue
        if wanted in {known.plural, known.kind.lower(), *known.short_names}:
            return known.kind
    # kubectl's names for the kinds no engine package registers (yet): `:svc` opens the
    # Services pane, which says it is not simulated, rather than "unknown command".
    return known_kind(name)


def registered(kind: str) -> KindInfo | None:
    """The engine's registration of a kind (None while no package simulates it)."""
    return kind_info(kind)


def namespaced(kind: str) -> bool:
    info = kind_info(kind)
    if info is not None:
        return info.namespaced
    known = _KNOWN_BY_KIND.get(kind)
    return known.namespaced if known else True


def plural(kind: str) -> str:
    info = kind_info(kind)
    if info is not None:
        return info.plural
    known = _KNOWN_BY_KIND.get(kind)
    if known is not None:
        return known.plural
    return RESOURCES[kind][0] if kind in RESOURCES else kind.lower() + "s"


def title(kind: str) -> str:
    """`Pods`, `ReplicaSets`, `PodSecurityPolicies`: the kind, in the plural."""
    if kind == "Endpoints":  # the one kind whose name is already plural
        return kind
    if kind.endswith("y") and kind[-2:-1] not in "aeiou":
        return kind[:-1] + "ies"
    if kind.endswith(("s", "x", "ch", "sh")):
        return kind + "es"
    return kind + "s"


def short_name(kind: str) -> str:
    """kubectl's short name (`deploy`, `rs`), or the plural when there is none."""
    info = kind_info(kind)
    if info is not None and info.short_names:
        return info.short_names[0]
    known = _KNOWN_BY_KIND.get(kind)
    if known is not None and known.short_names:
        return known.short_names[0]
    return plural(kind)


def type_name(kind: str, api_version: str = "") -> str:
    """kubectl's `<type>` prefix: `pod`, `deployment.apps`; with the apiVersion a manifest
    was sent in, its group (`deployment.extensions`), as kubectl prints it."""
    info = kind_info(kind)
    if info is not None:
        return info.type_name(api_version)
    known = _KNOWN_BY_KIND.get(kind)
    if known is not None and known.group:
        return f"{kind.lower()}.{known.group}"
    return kind.lower()


def simulating_package(kind: str) -> str:
    known = _KNOWN_BY_KIND.get(kind)
    return known.package if known else ""


def alias_names() -> list[str]:
    """Every name `:` accepts for a kind (for completion and help)."""
    from engine.api.kinds import all_kinds

    names: set[str] = set()
    for info in all_kinds():
        names.update({info.plural, info.singular, *info.short_names})
    for known in KNOWN_KINDS:
        names.update({known.plural, known.kind.lower(), *known.short_names})
    for kind, (plural_name, shorts) in RESOURCES.items():
        names.update({plural_name, kind.lower(), *shorts})
    return sorted(names)
