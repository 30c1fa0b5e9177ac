"""Discovery: which group-versions and resources the server serves, from the kind registry.

Built from `engine.api.kinds` at each request, so a feature package that registers a kind
(Services, ...) is served without a change here. kubectl asks for aggregated discovery
(`apidiscovery.k8s.io/v2` APIGroupDiscoveryList, one reply for /api and one for /apis) and
falls back to the legacy documents (/api, /api/v1, /apis, /apis/G/V); both are answered
(k8s.io/apiserver/pkg/endpoints/discovery and .../discovery/aggregated).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field

from engine.api.kinds import KindInfo, all_kinds

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

# Group order of kube-apiserver's /apis (its group priorities): kubectl resolves a resource
# name found in several groups to the first (`deployments` -> apps, not extensions).
GROUP_ORDER = (
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "settings.k8s.io",
)

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# Kinds whose objects have a scale subresource (autoscaling/v1 Scale).
SCALABLE = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})


@dataclass(frozen=True)
class Subresource:
    name: str
    verbs: tuple[str, ...]
    group: str = ""
    version: str = ""
    kind: str = ""


@dataclass(frozen=True)
class ServedResource:
    """One resource at one group-version: `deployments` in `extensions/v1beta1`."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    info: KindInfo | None
    verbs: tuple[str, ...] = VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = field(default_factory=tuple)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """`pods`, `deployments.apps`: the name in Status messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int]:
    """Kubernetes' version order: GA before beta before alpha, higher numbers first
    (k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings). Smaller sorts first."""
    match = _VERSION.match(version)
    if match is None:
        return (3, 0, 0)
    major = int(match.group(1))
    stage = {"": 0, None: 0, "beta": 1, "alpha": 2}[match.group(2)]
    minor = int(match.group(3) or 0)
    return (stage, -major, -minor)


def _group_rank(group: str) -> tuple[int, str]:
    # extensions served only legacy kinds; kube-apiserver 1.15 listed it after the others.
    if group == "extensions":
        return (len(GROUP_ORDER) + 1, group)
    if group in GROUP_ORDER:
        return (GROUP_ORDER.index(group), group)
    return (len(GROUP_ORDER), group)


def _subresources(info: KindInfo, group: str, version: str) -> tuple[Subresource, ...]:
    subs: list[Subresource] = []
    if info.kind == "Pod":
        subs.append(Subresource("eviction", ("create",), "policy", "v1", "Eviction"))
        subs.append(Subresource("log", ("get",), "", "v1", "Pod"))
    if info.kind in SCALABLE:
        subs.append(Subresource("scale", ("get", "patch", "update"), "autoscaling", "v1", "Scale"))
    if info.has_status:
        subs.append(Subresource("status", ("get", "patch", "update"), group, version, info.kind))
    return tuple(sorted(subs, key=lambda s: s.name))


def _served_versions(info: KindInfo) -> list[str]:
    versions = list(info.api_versions)
    versions += [v for v in info.deprecated if v not in versions]
    return versions


def served_resources() -> list[ServedResource]:
    """Every resource at every group-version, the kinds' own and the server's virtual ones."""
    out: list[ServedResource] = []
    for info in all_kinds():
        preferred = info.preferred_api_version
        for api_version in _served_versions(info):
            group, _, version = api_version.rpartition("/")
            # A short name or category on two group-versions makes kubectl warn (short
            # names) or list the objects twice (`get all`): only the preferred one has them.
            own = api_version == preferred
            out.append(
                ServedResource(
                    group,
                    version,
                    info.plural,
                    info.kind,
                    info.namespaced,
                    info,
                    short_names=info.short_names if own else (),
                    categories=info.categories if own else (),
                    subresources=_subresources(info, group, version),
                )
            )
    # `kubectl auth can-i` creates a SelfSubjectAccessReview; nothing is stored.
    out.append(
        ServedResource(
            "authorization.k8s.io",
            "v1",
            "selfsubjectaccessreviews",
            "SelfSubjectAccessReview",
            False,
            None,
            verbs=("create",),
        )
    )
    return out


def find_resource(group: str, version: str, plural: str) -> ServedResource | None:
    for served in served_resources():
        if served.group == group and served.version == version and served.plural == plural:
            return served
    return None


def groups() -> list[tuple[str, list[str]]]:
    """(group, versions preferred first), in the server's group order."""
    by_group: dict[str, set[str]] = {}
    for served in served_resources():
        by_group.setdefault(served.group, set()).add(served.version)
    ordered = sorted(by_group, key=_group_rank)
    return [(g, sorted(by_group[g], key=version_priority)) for g in ordered]


# -- legacy documents ---------------------------------------------------------------------
def api_versions(server_address: str) -> dict:
    """GET /api."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _group_version(group: str, version: str) -> dict:
    return {"groupVersion": f"{group}/{version}", "version": version}


def api_group(group: str, versions: list[str]) -> dict:
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [_group_version(group, v) for v in versions],
        "preferredVersion": _group_version(group, versions[0]),
    }


def api_group_list() -> dict:
    """GET /apis."""
    items = []
    for group, versions in groups():
        if not group:
            continue
        entry = api_group(group, versions)
        del entry["kind"], entry["apiVersion"]
        items.append(entry)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": items}


def _storage_hash(served: ServedResource) -> str:
    digest = hashlib.sha256(f"{served.group}/{served.version}/{served.kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def api_resource_list(group: str, version: str) -> dict | None:
    """GET /api/v1 or /apis/G/V (None when the group-version is not served)."""
    served = [s for s in served_resources() if s.group == group and s.version == version]
    if not served:
        return None
    resources: list[dict] = []
    for s in sorted(served, key=lambda s: s.plural):
        entry: dict = {
            "name": s.plural,
            "singularName": s.kind.lower(),
            "namespaced": s.namespaced,
            "kind": s.kind,
            "verbs": list(s.verbs),
        }
        if s.short_names:
            entry["shortNames"] = list(s.short_names)
        if s.categories:
            entry["categories"] = list(s.categories)
        if s.info is not None:
            entry["storageVersionHash"] = _storage_hash(s)
        resources.append(entry)
        for sub in s.subresources:
            sub_entry: dict = {
                "name": f"{s.plural}/{sub.name}",
                "singularName": "",
                "namespaced": s.namespaced,
                "kind": sub.kind,
                "verbs": list(sub.verbs),
            }
            if sub.group != group or sub.version != version:
                sub_entry["group"] = sub.group
                sub_entry["version"] = sub.version
            resources.append(sub_entry)
    gv = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": resources,
    }


# -- aggregated discovery -----------------------------------------------------------------
def _aggregated_resource(s: ServedResource) -> dict:
    entry: dict = {
        "resource": s.plural,
        "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
        "scope": "Namespaced" if s.namespaced else "Cluster",
        "singularResource": s.kind.lower(),
        "verbs": list(s.verbs),
    }
    if s.short_names:
        entry["shortNames"] = list(s.short_names)
    if s.categories:
        entry["categories"] = list(s.categories)
    if s.subresources:
        entry["subresources"] = [
            {
                "subresource": sub.name,
                "responseKind": {"group": sub.group, "version": sub.version, "kind": sub.kind},
                "verbs": list(sub.verbs),
            }
            for sub in s.subresources
        ]
    return entry


def aggregated(legacy: bool) -> dict:
    """The APIGroupDiscoveryList for /api (legacy=True: the core group) or /apis."""
    served = served_resources()
    items = []
    for group, versions in groups():
        if bool(group) == legacy:
            continue
        version_entries = []
        for version in versions:
            resources = sorted(
                (s for s in served if s.group == group and s.version == version),
                key=lambda s: s.plural,
            )
            version_entries.append(
                {
                    "version": version,
                    "resources": [_aggregated_resource(s) for s in resources],
                    "freshness": "Current",
                }
            )
        items.append(
            {"metadata": {"name": group, "creationTimestamp": None}, "versions": version_entries}
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def wants_aggregated(accept: str) -> bool:
    """Whether the Accept header's first choice we can serve is aggregated discovery v2."""
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")}
        if "as=APIGroupDiscoveryList" in params and "v=v2" in params:
            return True
    return False
