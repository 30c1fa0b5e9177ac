"""The API server: decoding and validation, defaulting, admission, storage, deletion.

Every write of a user, a console action, a scenario step or a controller comes through
here, so they all meet the same validation and the same admission chain.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

import engine.api.core  # noqa: F401  (registers the core kinds)
from engine.api import errors
from engine.api.admission import ADMIN, AdmissionChain, AdmissionRequest, UserInfo
from engine.api.compact import copy_pod
from engine.api.copying import copy_object
from engine.api.core.admission_plugins import core_plugins, random_suffix
from engine.api.kinds import KindInfo, lookup
from engine.api.schema import decode_errors
from engine.clock import Clock
from engine.store import Store

TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass
class Result:
    """A successful write: the stored object and any warnings for the client."""

    obj: dict
    warnings: list[str] = field(default_factory=list)
    changed: bool = True


def field_problems(obj: dict, info: KindInfo) -> list[tuple[tuple[str | int, ...], str]]:
    """Decoding and validation problems of an object, as (path, message).

    As the API server does: strict decoding, then defaulting (on a copy here), then
    validation of the defaulted object.
    """
    problems = decode_problems(obj, info)
    if problems:
        return problems
    candidate = copy.deepcopy(obj)
    if info.default is not None:
        try:
            info.default(candidate)
        except (AttributeError, KeyError, TypeError, ValueError):
            candidate = obj  # defaults cannot apply to a malformed object; validate it as given
    return semantic_problems(candidate, info)


def semantic_problems(obj: dict, info: KindInfo) -> list[tuple[tuple[str | int, ...], str]]:
    """The kind's validation (the registry strategy's Validate)."""
    return info.validate(obj) if info.validate is not None else []


def decode_problems(obj: dict, info: KindInfo) -> list[tuple[tuple[str | int, ...], str]]:
    """Strict decoding: unknown fields and wrong types."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    definition = info.schema.get(str(obj.get("apiVersion", "")).split("/")[-1]) or next(
        iter(info.schema.values()), None
    )
    api_version = obj.get("apiVersion", "")
    if definition is not None:
        version = api_version.split("/")[-1]
        found = decode_errors(obj, definition)
        if found:
            prefix = f'{obj.get("kind")} in version "{version}" cannot be handled as a {obj.get("kind")}: '
            problems += [(path, prefix + message) for path, message in found]
    return problems


class APIServer:
    """Writes to the store as kube-apiserver would make them."""

    def __init__(self, store: Store, clock: Clock, rng: random.Random) -> None:
        self.store = store
        self.clock = clock
        self.rng = rng
        self.admission = AdmissionChain()
        for plugin in core_plugins():
            self.admission.register(plugin)

    # -- helpers ------------------------------------------------------------------------
    def kind_for(self, obj: dict) -> KindInfo:
        api_version = str(obj.get("apiVersion", ""))
        kind = str(obj.get("kind", ""))
        info = lookup(api_version, kind)
        if info is None:
            raise errors.bad_request(f'no matches for kind "{kind}" in version "{api_version}"')
        return info

    def prepare(self, obj: dict, info: KindInfo) -> None:
        """Namespace defaulting and the API server's defaults (SetDefaults_*)."""
        meta = obj.setdefault("metadata", {})
        if info.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        if info.default is not None:
            info.default(obj)

    def decode(self, obj: dict, info: KindInfo) -> None:
        """Refuse what strict decoding refuses (400 BadRequest)."""
        problems = decode_problems(obj, info)
        if problems:
            raise errors.bad_request(problems[0][1])

    def validate(self, obj: dict, info: KindInfo) -> None:
        """Refuse what validation refuses (422 Invalid); decoding was checked before."""
        problems = semantic_problems(obj, info)
        if problems:
            messages = [message for _, message in problems]
            decoding = [m for m in messages if "cannot be handled as a" in m]
            if decoding:
                raise errors.bad_request(decoding[0])
            name = obj.get("metadata", {}).get("name") or ""
            raise errors.invalid(info.kind, name, messages, info.group)

    # -- create -------------------------------------------------------------------------
    def create(self, obj: dict, *, user: UserInfo = ADMIN, dry_run: bool = False) -> Result:
        """POST: validate, default, admit and store a new object."""
        # Pods are most of a large cluster's objects: their dicts share key tables.
        obj = copy_pod(obj) if obj.get("kind") == "Pod" else copy_object(obj)
        info = self.kind_for(obj)
        warnings: list[str] = []
        requested_version = obj.get("apiVersion", "")
        if requested_version in info.deprecated:
            warnings.append(info.deprecated[requested_version])
        self.decode(obj, info)
        meta = obj["metadata"]
        for server_field in (
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp",
            "generation",
        ):
            meta.pop(server_field, None)
        self.prepare(obj, info)
        self.validate(obj, info)
        obj["apiVersion"] = info.preferred_api_version
        namespace = meta.get("namespace", "")
        if meta.get("name") and self.store.get(info.kind, namespace, meta["name"]) is not None:
            raise errors.already_exists(info.resource, meta["name"])
        request = AdmissionRequest("CREATE", info, obj, None, user, self, dry_run=dry_run)
        self.admission.run(request)
        warnings += request.warnings
        obj = request.obj  # a mutating plugin (PodSecurityPolicy) may hand back a copy
        meta = obj["metadata"]
        # The name is generated in the storage's BeforeCreate, after admission: a refusal
        # names the prefix (`pods "web-7d9-" is forbidden`), as a real API server's does.
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + random_suffix(self.rng)
            while self.store.get(info.kind, namespace, meta["name"]) is not None:
                meta["name"] = meta["generateName"] + random_suffix(self.rng)
        if dry_run:
            return Result(obj, warnings)
        if info.kind == "Pod":
            obj.setdefault("status", {}).setdefault("phase", "Pending")
        self.store.add(obj)
        return Result(obj, warnings)

    # -- update -------------------------------------------------------------------------
    def update(
        self, obj: dict, *, user: UserInfo = ADMIN, subresource: str = "", dry_run: bool = False
    ) -> Result:
        """PUT: replace an object's spec and metadata (status is kept unless subresource=status)."""
        obj = copy_pod(obj) if obj.get("kind") == "Pod" else copy.deepcopy(obj)
        info = self.kind_for(obj)
        meta = obj.setdefault("metadata", {})
        namespace = meta.get("namespace") or ("default" if info.namespaced else "")
        live = self.store.get(info.kind, namespace if info.namespaced else "", meta.get("name", ""))
        if live is None:
            raise errors.not_found(info.resource, meta.get("name", ""))
        warnings: list[str] = []
        requested_version = obj.get("apiVersion", "")
        if requested_version in info.deprecated:
            warnings.append(info.deprecated[requested_version])
        self.decode(obj, info)
        self.prepare(obj, info)
        if info.prepare_for_update is not None and subresource != "status":
            info.prepare_for_update(live, obj)
        self.validate(obj, info)
        obj["apiVersion"] = info.preferred_api_version
        live_meta = live["metadata"]
        for server_field in (
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ):
            if server_field in live_meta:
                meta[server_field] = live_meta[server_field]
            else:
                meta.pop(server_field, None)
        if subresource != "status" and "status" in live:
            obj["status"] = copy.deepcopy(live["status"])
        if info.validate_update is not None and subresource != "status":
            problems = info.validate_update(live, obj)
            if problems:
                raise errors.invalid(info.kind, meta["name"], [m for _, m in problems], info.group)
        request = AdmissionRequest("UPDATE", info, obj, live, user, self, subresource, dry_run)
        self.admission.run(request)
        warnings += request.warnings
        changed = _without_rv(obj) != _without_rv(live)
        if dry_run or not changed:
            return Result(live if not changed else obj, warnings, changed)
        spec_changed = {k: v for k, v in obj.items() if k not in ("metadata", "status")} != {
            k: v for k, v in live.items() if k not in ("metadata", "status")
        }
        self.store.replace(obj, spec_changed=spec_changed)
        return Result(obj, warnings, True)

    # -- delete -------------------------------------------------------------------------
    def delete(
        self,
        kind: str | KindInfo,
        namespace: str,
        name: str,
        *,
        grace_period: int | None = None,
        propagation: str | None = None,
        user: UserInfo = ADMIN,
        uid: str | None = None,
        dry_run: bool = False,
        api_version: str = "",
    ) -> dict | None:
        """DELETE: graceful for pods, finalizers honoured; returns the object (or None if gone).

        `api_version` is the group/version the request is addressed through (the URL's;
        kubectl's `delete -f FILE` uses the file's apiVersion): with no `propagation`, it
        picks the default policy, as the registry strategies' DefaultGarbageCollectionPolicy
        reads the request's group/version.
        """
        from engine.api.kinds import kind_info

        info = kind if isinstance(kind, KindInfo) else kind_info(kind)
        if info is None:
            raise errors.bad_request(f'the server doesn\'t have a resource type "{kind}"')
        namespace = namespace if info.namespaced else ""
        obj = self.store.get(info.kind, namespace, name)
        if obj is None:
            raise errors.not_found(info.resource, name)
        if uid is not None and obj["metadata"].get("uid") != uid:
            raise errors.conflict(
                f'Operation cannot be fulfilled on {info.resource} "{name}": Precondition failed: UID in precondition: {uid}, UID in object meta: {obj["metadata"].get("uid")}'
            )
        request = AdmissionRequest("DELETE", info, obj, obj, user, self, dry_run=dry_run)
        self.admission.run(request)
        if dry_run:
            return obj
        meta = obj["metadata"]
        if info.kind == "Pod":
            return self._delete_pod(obj, grace_period)
        policy = propagation or info.propagation_for(api_version)
        finalizers = list(meta.get("finalizers") or [])
        if policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        elif policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        if finalizers:
            if not meta.get("deletionTimestamp"):
                meta["finalizers"] = finalizers
                meta["deletionTimestamp"] = self.clock.timestamp()
                meta["deletionGracePeriodSeconds"] = 0
                self.store.modified(obj)
            return obj
        self.store.remove(info.kind, namespace, name)
        return None

    def _delete_pod(self, pod: dict, grace_period: int | None) -> dict | None:
        """CheckGracefulDelete and BeforeDelete for pods."""
        meta = pod["metadata"]
        spec = pod.get("spec") or {}
        grace = (
            grace_period
            if grace_period is not None
            else spec.get("terminationGracePeriodSeconds", 30)
        )
        if grace < 0:
            grace = 1
        phase = (pod.get("status") or {}).get("phase")
        if not spec.get("nodeName") or phase in TERMINAL_PHASES:
            grace = 0
        if meta.get("deletionTimestamp"):
            current = meta.get("deletionGracePeriodSeconds", 0)
            if grace >= current and grace != 0:
                return pod
        if grace == 0 and not meta.get("finalizers"):
            self.store.remove("Pod", meta.get("namespace", ""), meta["name"])
            return None
        meta["deletionTimestamp"] = self.clock.timestamp(self.clock.now + grace)
        meta["deletionGracePeriodSeconds"] = grace
        self.store.modified(pod)
        return pod

    def finish_pod_deletion(self, pod: dict) -> None:
        """The kubelet's final DELETE (grace 0, UID precondition) once the pod has stopped."""
        meta = pod["metadata"]
        live = self.store.get("Pod", meta.get("namespace", ""), meta["name"])
        if live is None or live["metadata"].get("uid") != meta.get("uid"):
            return
        if live["metadata"].get("finalizers"):
            live["metadata"]["deletionGracePeriodSeconds"] = 0
            self.store.modified(live)
            return
        self.store.remove("Pod", meta.get("namespace", ""), meta["name"])

    def remove_finalizer(self, obj: dict, finalizer: str) -> None:
        """A controller is done with its finalizer; the object goes once none is left."""
        meta = obj["metadata"]
        finalizers = [f for f in meta.get("finalizers") or [] if f != finalizer]
        if finalizers:
            meta["finalizers"] = finalizers
            self.store.modified(obj)
            return
        meta.pop("finalizers", None)
        if meta.get("deletionTimestamp") and (
            obj["kind"] != "Pod" or meta.get("deletionGracePeriodSeconds", 0) == 0
        ):
            self.store.remove(obj["kind"], meta.get("namespace", ""), meta["name"])
        else:
            self.store.modified(obj)


def _without_rv(obj: dict) -> dict:
    copied = dict(obj)
    meta = dict(copied.get("metadata") or {})
    meta.pop("resourceVersion", None)
    copied["metadata"] = meta
    return copied
