"""`kubectl apply` semantics: create what is new, patch what changed, say which; and
`kubectl apply --prune` over an inventory of what each file applied.

The live object keeps the `kubectl.kubernetes.io/last-applied-configuration` annotation, as
kubectl writes it. Applying again is a three-way merge of the live object, the manifest and
the last applied configuration, with the strategic-merge rules of the Kubernetes types:
a field that was in the last applied configuration but is no longer in the manifest is
removed; lists of named things (containers, volumes, env, volumeMounts, ports...) merge item
by item on their merge key, so what the server or a controller added (the service-account
token volume, default tolerations) is kept; other lists are replaced.

Pruning follows kubectl's ApplySet: each source (a file) is a set of the objects it applied;
an object that its source no longer contains is deleted (Background propagation) and
printed as `<type>/<name> pruned`. Only objects the set applied, with the same uid, are
pruned; nothing is pruned for a source whose apply had an error (kubectl runs its prune only
after every object applied).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.api.admission import ADMIN, UserInfo
from engine.api.errors import APIError

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.manifests.loader import Manifest

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

NO_LAST_APPLIED_WARNING = (
    "Warning: resource {resource}/{name} is missing the " + LAST_APPLIED + " annotation which "
    "is required by kubectl apply. kubectl apply should only be used on resources created "
    "declaratively by either kubectl create --save-config or kubectl apply. The missing "
    "annotation will be patched automatically."
)
"""kubectl's warning (apply.go `warningNoLastAppliedConfigAnnotation`)."""

DELETING_WARNING = "Warning: Detected changes to resource {name} which is currently being deleted."
"""kubectl's warning (apply.go `warningChangesOnDeletingResource`)."""

ObjectRef = tuple[str, str, str]
"""(kind, namespace, name); namespace "" for cluster-scoped kinds."""


@dataclass
class ApplyOutcome:
    """One object's result, in kubectl's words: `pod/web created`, `... configured`, ..."""

    type_name: str
    name: str
    action: str  # created, configured, unchanged, pruned, or "" on error
    namespace: str = ""
    error: APIError | None = None
    warnings: tuple[str, ...] = ()
    kind: str = ""
    source: str = ""
    """The file the object came from ("" when applied from a bare dict)."""
    line_number: int = 0
    """The line of its document in that file."""
    verb: str = ""
    """What failed, in kubectl's words: `creating` or `applying`."""
    replaced: tuple[str, ...] = ()
    """Fields whose live value (someone's edit since the last apply) this apply replaced."""

    @property
    def ref(self) -> ObjectRef:
        return (self.kind, self.namespace, self.name)

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        return f"{self.type_name}/{self.name} {self.action}"

    def error_line(self) -> str:
        """The refusal as kubectl prints it (`The Pod "x" is invalid: ...`, `Error from server...`)."""
        if self.error is None:
            return ""
        return self.error.kubectl(self.verb or "applying", self.source or None)

    def replaced_notice(self) -> str:
        """`deployment.apps/web: live edit of spec.replicas replaced by web.yaml`."""
        if not self.replaced:
            return ""
        fields = ", ".join(self.replaced)
        by = f" by {self.source}" if self.source else ""
        plural = "s" if len(self.replaced) > 1 else ""
        return f"{self.type_name}/{self.name}: live edit{plural} of {fields} replaced{by}"


@dataclass
class ApplyReport:
    """What one apply printed, object by object, in order (prunes last)."""

    outcomes: list[ApplyOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def lines(self) -> list[str]:
        """kubectl's stdout and warnings: `Warning: ...`, then `<type>/<name> <action>`."""
        out: list[str] = []
        for outcome in self.outcomes:
            out.extend(outcome.warnings)
            if outcome.ok:
                out.append(outcome.line())
        return out

    def errors(self) -> list[str]:
        return [o.error_line() for o in self.outcomes if not o.ok]

    def replaced(self) -> list[ApplyOutcome]:
        """The outcomes that replaced live edits."""
        return [o for o in self.outcomes if o.replaced]


# -- the last applied configuration ---------------------------------------------------------
def last_applied(obj: dict) -> str:
    """The annotation's value as kubectl writes it (pkg/util/apply.go GetModifiedConfiguration):
    the manifest as JSON without the annotation itself. kubectl sets the annotation map before
    encoding, so a manifest without annotations records `"annotations":{}`."""
    copied = copy.deepcopy(obj)
    meta = copied.get("metadata")
    if not isinstance(meta, dict):
        meta = copied["metadata"] = {}
    annotations = meta.get("annotations") or {}
    annotations.pop(LAST_APPLIED, None)
    meta["annotations"] = annotations
    return json.dumps(copied, separators=(",", ":"), sort_keys=True) + "\n"


def in_namespace(obj: dict, namespace: str) -> dict:
    """The object as kubectl's resource builder hands it on: a namespaced object without a
    namespace gets the command's (cli-runtime resource/visitor.go SetNamespace), so the
    request body and the last-applied annotation carry it."""
    meta = obj.get("metadata")
    if not namespace or not isinstance(meta, dict) or meta.get("namespace"):
        return obj
    return {**obj, "metadata": {**meta, "namespace": namespace}}


def previous_configuration(live: dict) -> dict | None:
    """The live object's last applied configuration, or None if it has none."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED) or ""
    try:
        previous = json.loads(text) if text else None
    except (ValueError, RecursionError):
        # The annotation is the user's to write: not JSON, a 5000-digit number, or nested
        # past Python's json recursion all mean there is no usable previous configuration.
        return None
    return previous if isinstance(previous, dict) else None


# -- the three-way strategic merge ------------------------------------------------------------
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "volumes": ("name",),
    "env": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "conditions": ("type",),
    "ownerReferences": ("uid",),
    "topologySpreadConstraints": ("topologyKey",),
    "resourceClaims": ("name",),
    "schedulingGates": ("name",),
    "taints": ("key",),
    # A container's ports merge on containerPort, a Service's on port.
    "ports": ("containerPort", "port"),
}
"""patchMergeKey of the list fields whose patchStrategy is `merge` (k8s.io/api types)."""

MERGE_PRIMITIVE_LISTS = frozenset({"finalizers"})
"""Lists of strings whose patchStrategy is `merge` (items are kept unless removed)."""

RETAIN_KEYS = frozenset({"strategy", "updateStrategy"})
"""Fields with patchStrategy `retainKeys`: keys the manifest does not name are cleared
(switching a Deployment to Recreate drops `rollingUpdate`). Volumes' items do the same."""


def three_way_merge(live: dict, desired: dict, previous: dict | None) -> dict:
    """Set what the manifest says, drop what it no longer says, keep everything else."""
    merged = copy.deepcopy(live)
    _merge_map(merged, desired, previous or {}, retain=False)
    return merged


def _merge_map(target: dict, desired: dict, previous: dict, *, retain: bool) -> None:
    for key, value in desired.items():
        before = previous.get(key)
        current = target.get(key)
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            _merge_map(
                current,
                value,
                before if isinstance(before, dict) else {},
                retain=key in RETAIN_KEYS,
            )
        elif isinstance(value, list) and isinstance(current, list):
            target[key] = _merge_list(
                key, current, value, before if isinstance(before, list) else []
            )
        else:
            target[key] = copy.deepcopy(value)
    for key in previous:
        if key not in desired:
            target.pop(key, None)
    if retain:
        for key in [k for k in target if k not in desired]:
            del target[key]


def _merge_key(field_name: str, items: Iterable[object]) -> str | None:
    """The merge key all the items carry, if the field merges item by item."""
    items = list(items)
    for key in MERGE_KEYS.get(field_name, ()):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def _merge_list(field_name: str, live: list, desired: list, previous: list) -> list:
    if field_name in MERGE_PRIMITIVE_LISTS and all(not isinstance(i, dict | list) for i in desired):
        removed = [i for i in previous if i not in desired]
        kept = [i for i in live if i not in removed and i not in desired]
        return [*desired, *kept]
    key = _merge_key(field_name, desired)
    if key is None or not all(isinstance(i, dict) and key in i for i in live):
        return copy.deepcopy(desired)
    live_by = {i[key]: i for i in live}
    before = {i[key]: i for i in previous if isinstance(i, dict) and key in i}
    wanted = {i[key] for i in desired}
    merged: dict[object, dict] = {}
    for item in desired:
        current = copy.deepcopy(live_by.get(item[key], {}))
        _merge_map(current, item, before.get(item[key], {}), retain=field_name == "volumes")
        merged[item[key]] = current
    # Items the server or a controller added stay, after the item they followed.
    out = [merged[i[key]] for i in desired]
    anchor = -1
    for item in live:
        name = item[key]
        if name in wanted:
            anchor = next(n for n, o in enumerate(out) if o is merged[name])
        elif name not in before:
            anchor += 1
            out.insert(anchor, copy.deepcopy(item))
    return out


# -- live edits -------------------------------------------------------------------------------
_MISSING = object()


def live_edits(live: dict, desired: dict, previous: dict | None) -> list[str]:
    """Fields the manifest manages whose live value was changed since the last apply (by a
    console edit, `kubectl scale`, ...) and that this apply sets back or removes."""
    if not previous:
        return []
    found: list[str] = []
    _edits(live, desired, previous, "", found)
    return found


def _edits(live: object, desired: object, previous: object, path: str, found: list[str]) -> None:
    if isinstance(previous, dict):
        for key, before in previous.items():
            if not path and key in ("apiVersion", "kind", "status"):
                continue
            now = live.get(key, _MISSING) if isinstance(live, dict) else _MISSING
            wanted = desired.get(key, _MISSING) if isinstance(desired, dict) else _MISSING
            _edits(now, wanted, before, f"{path}.{key}" if path else key, found)
        return
    if isinstance(previous, list) and isinstance(live, list):
        name = path.rsplit(".", 1)[-1]
        key = _merge_key(name, previous)
        if key is not None and all(isinstance(i, dict) and key in i for i in live):
            live_by = {i[key]: i for i in live}
            wanted_list = desired if isinstance(desired, list) else []
            desired_by = {
                i.get(key): (n, i) for n, i in enumerate(wanted_list) if isinstance(i, dict)
            }
            for n, item in enumerate(previous):
                index, wanted_item = desired_by.get(item[key], (n, _MISSING))
                _edits(
                    live_by.get(item[key], _MISSING), wanted_item, item, f"{path}[{index}]", found
                )
            return
        if all(isinstance(i, dict) for i in previous) and len(live) >= len(previous):
            # Admission appends to some lists (default tolerations): compare what was applied.
            wanted_list = desired if isinstance(desired, list) else []
            for n, item in enumerate(previous):
                wanted_item = wanted_list[n] if n < len(wanted_list) else _MISSING
                _edits(live[n], wanted_item, item, f"{path}[{n}]", found)
            return
    if live is _MISSING and desired is _MISSING:
        return
    if live != previous and live != desired:
        found.append(path)


# -- apply one object -------------------------------------------------------------------------
def apply_object(
    cluster: Cluster,
    obj: dict,
    *,
    user: UserInfo = ADMIN,
    source: str = "",
    line_number: int = 0,
) -> ApplyOutcome:
    """Apply one object as `kubectl apply -f` would."""
    from engine.api.kinds import lookup

    info = lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    name = str((obj.get("metadata") or {}).get("name", ""))
    kind = info.kind if info else str(obj.get("kind", ""))
    type_name = info.type_name(str(obj.get("apiVersion", ""))) if info else kind.lower()
    namespace = (
        ((obj.get("metadata") or {}).get("namespace") or "default")
        if info and info.namespaced
        else ""
    )
    obj = in_namespace(obj, namespace)
    desired = copy.deepcopy(obj)
    desired.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = last_applied(
        obj
    )
    outcome = ApplyOutcome(
        type_name, name, "", namespace, kind=kind, source=source, line_number=line_number
    )
    live = cluster.store.get(info.kind, namespace, name) if info else None
    warnings: list[str] = []
    try:
        if live is None:
            outcome.verb = "creating"
            result = cluster.api.create(desired, user=user)
            outcome.action = "created"
            outcome.warnings = tuple(f"Warning: {w}" for w in result.warnings)
            return outcome
        outcome.verb = "applying"
        previous = previous_configuration(live)
        if previous is None and info is not None:
            warnings.append(NO_LAST_APPLIED_WARNING.format(resource=info.plural, name=name))
        edits = live_edits(live, desired, previous)
        merged = three_way_merge(live, desired, previous)
        merged["apiVersion"] = desired.get("apiVersion", live.get("apiVersion"))
        result = cluster.api.update(merged, user=user)
        warnings.extend(f"Warning: {w}" for w in result.warnings)
        if live["metadata"].get("deletionTimestamp"):
            warnings.append(DELETING_WARNING.format(name=name))
        outcome.action = "configured" if result.changed else "unchanged"
        outcome.replaced = tuple(edits) if result.changed else ()
    except APIError as err:
        outcome.error = err
    outcome.warnings = tuple(warnings)
    return outcome


# -- the inventory and prune ------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """An object a source applied: what it is and which incarnation (uid)."""

    ref: ObjectRef
    type_name: str
    uid: str


class Inventory:
    """Which source applied which objects: one ApplySet per file, as `kubectl apply --prune
    --applyset` records for a folder. An object belongs to the last source that applied it."""

    def __init__(self) -> None:
        self._members: dict[str, dict[ObjectRef, Member]] = {}
        self._owner: dict[ObjectRef, str] = {}

    def sources(self) -> list[str]:
        return [s for s, members in self._members.items() if members]

    def members(self, source: str) -> list[Member]:
        """What a source applied, in the order it first applied them."""
        return list(self._members.get(source, {}).values())

    def owner(self, ref: ObjectRef) -> str | None:
        return self._owner.get(ref)

    def record(self, source: str, member: Member) -> None:
        previous = self._owner.get(member.ref)
        if previous is not None and previous != source:
            self._members.get(previous, {}).pop(member.ref, None)
        self._owner[member.ref] = source
        self._members.setdefault(source, {})[member.ref] = member

    def forget(self, source: str, ref: ObjectRef) -> None:
        self._members.get(source, {}).pop(ref, None)
        if self._owner.get(ref) == source:
            del self._owner[ref]

    def __len__(self) -> int:
        return len(self._owner)


def apply(
    cluster: Cluster,
    manifests: Sequence[Manifest],
    *,
    inventory: Inventory | None = None,
    prune: Iterable[str] = (),
    user: UserInfo = ADMIN,
) -> ApplyReport:
    """`kubectl apply -f` over loaded manifests, in order; one engine function for the
    scenario's `apply` step, the console's `apply -f` and the hot reload.

    With an inventory, each applied object is recorded under its manifest's file; for every
    file named in `prune` (files whose whole new content is in `manifests`, or that were
    deleted), what the file applied before and no longer contains is pruned.
    """
    report = ApplyReport()
    visited: set[ObjectRef] = set()
    failed_sources: set[str] = set()
    for manifest in manifests:
        outcome = apply_object(
            cluster, manifest.obj, user=user, source=manifest.file, line_number=manifest.line
        )
        report.outcomes.append(outcome)
        visited.add(outcome.ref)
        if not outcome.ok:
            failed_sources.add(manifest.file)
            continue
        if inventory is not None:
            live = cluster.store.get(outcome.kind, outcome.namespace, outcome.name)
            if live is not None:
                uid = live["metadata"].get("uid", "")
                inventory.record(manifest.file, Member(outcome.ref, outcome.type_name, uid))
    if inventory is not None:
        for source in prune:
            if source not in failed_sources:
                report.outcomes.extend(
                    prune_source(cluster, inventory, source, keep=visited, user=user)
                )
    return report


def prune_source(
    cluster: Cluster,
    inventory: Inventory,
    source: str,
    *,
    keep: set[ObjectRef] = frozenset(),  # type: ignore[assignment]
    user: UserInfo = ADMIN,
) -> list[ApplyOutcome]:
    """Delete what `source` applied and does not contain any more (newest first)."""
    outcomes: list[ApplyOutcome] = []
    for member in reversed(inventory.members(source)):
        if member.ref in keep:
            continue
        inventory.forget(source, member.ref)
        kind, namespace, name = member.ref
        live = cluster.store.get(kind, namespace, name)
        if live is None or live["metadata"].get("uid") != member.uid:
            continue  # gone already, or someone else's object of the same name now
        outcome = ApplyOutcome(
            member.type_name, name, "pruned", namespace, kind=kind, source=source, verb="deleting"
        )
        try:
            cluster.api.delete(kind, namespace, name, propagation="Background", user=user)
        except APIError as err:
            outcome.action = ""
            outcome.error = err
        outcomes.append(outcome)
    return outcomes
