"""Validation and defaults of rbac.authorization.k8s.io/v1 objects (pkg/apis/rbac/validation).

RBAC names are path segments, not DNS names: `psp:restricted` is a valid Role name.
"""

from __future__ import annotations

import copy

from engine.api.kinds import FieldErrors
from engine.api.validation import invalid, required, unsupported, validate_object_meta
from engine.security.fielderr import GoSlice, GoStruct
from engine.security.fielderr import invalid as go_invalid
from engine.security.rbac.rules import RBAC_GROUP

Path = tuple[str | int, ...]


def path_segment_name_errors(name: str) -> list[str]:
    """path.IsValidPathSegmentName."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    problems = []
    for bad in ("/", "%"):
        if bad in name:
            problems.append(f"may not contain '{bad}'")
    return problems


def _meta_errors(obj: dict, *, namespaced: bool) -> FieldErrors:
    copied = copy.deepcopy(obj)
    meta = copied.setdefault("metadata", {})
    name = meta.get("name")
    if name:
        meta["name"] = "x"  # checked below with RBAC's own name rule
    errors = validate_object_meta(copied, namespaced=namespaced)
    if name:
        for problem in path_segment_name_errors(name):
            errors.append(invalid(("metadata", "name"), name, problem))
    return errors


def validate_policy_rule(rule: dict, namespaced: bool, path: Path) -> FieldErrors:
    """ValidatePolicyRule."""
    errors: FieldErrors = []
    if not rule.get("verbs"):
        errors.append(required((*path, "verbs"), "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        if namespaced:
            errors.append(
                (
                    (*path, "nonResourceURLs"),
                    go_invalid(
                        (*path, "nonResourceURLs"),
                        GoSlice("string", list(urls)),
                        "namespaced rules cannot apply to non-resource URLs",
                    ),
                )
            )
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            errors.append(
                (
                    (*path, "nonResourceURLs"),
                    go_invalid(
                        (*path, "nonResourceURLs"),
                        GoSlice("string", list(urls)),
                        "rules cannot apply to both regular resources and non-resource URLs",
                    ),
                )
            )
        return errors
    if not rule.get("apiGroups"):
        errors.append(
            required((*path, "apiGroups"), "resource rules must supply at least one api group")
        )
    if not rule.get("resources"):
        errors.append(
            required((*path, "resources"), "resource rules must supply at least one resource")
        )
    return errors


def validate_role(obj: dict) -> FieldErrors:
    errors = _meta_errors(obj, namespaced=True)
    for index, rule in enumerate(obj.get("rules") or []):
        errors += validate_policy_rule(rule, True, ("rules", index))
    return errors


def validate_cluster_role(obj: dict) -> FieldErrors:
    errors = _meta_errors(obj, namespaced=False)
    for index, rule in enumerate(obj.get("rules") or []):
        errors += validate_policy_rule(rule, False, ("rules", index))
    return errors


def validate_role_binding(obj: dict) -> FieldErrors:
    return _validate_binding(obj, namespaced=True)


def validate_cluster_role_binding(obj: dict) -> FieldErrors:
    return _validate_binding(obj, namespaced=False)


def _validate_binding(obj: dict, *, namespaced: bool) -> FieldErrors:
    """ValidateRoleBinding / ValidateClusterRoleBinding (of the defaulted object, as the API
    server defaults on decode, before validation)."""
    obj = copy.deepcopy(obj)
    default_binding(obj)
    errors = _meta_errors(obj, namespaced=namespaced)
    ref = obj.get("roleRef") or {}
    if ref.get("apiGroup") != RBAC_GROUP:
        errors.append(unsupported(("roleRef", "apiGroup"), ref.get("apiGroup", ""), [RBAC_GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if ref.get("kind") not in kinds:
        errors.append(unsupported(("roleRef", "kind"), ref.get("kind", ""), kinds))
    if not ref.get("name"):
        errors.append(required(("roleRef", "name")))
    else:
        for problem in path_segment_name_errors(ref["name"]):
            errors.append(invalid(("roleRef", "name"), ref["name"], problem))
    for index, subject in enumerate(obj.get("subjects") or []):
        errors += validate_subject(subject, namespaced, ("subjects", index))
    return errors


def validate_subject(subject: dict, namespaced: bool, path: Path) -> FieldErrors:
    """ValidateRoleBindingSubject."""
    errors: FieldErrors = []
    name = subject.get("name", "")
    if not name:
        errors.append(required((*path, "name")))
    kind = subject.get("kind")
    group = subject.get("apiGroup", "")
    if kind == "ServiceAccount":
        if group:
            errors.append(unsupported((*path, "apiGroup"), group, [""]))
        if not namespaced and not subject.get("namespace"):
            errors.append(required((*path, "namespace")))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            errors.append(unsupported((*path, "apiGroup"), group, [RBAC_GROUP]))
    else:
        errors.append(unsupported((*path, "kind"), kind or "", ["ServiceAccount", "User", "Group"]))
    return errors


def default_binding(obj: dict) -> None:
    """SetDefaults_Subject and the roleRef apiGroup default (rbac/v1 defaults.go)."""
    ref = obj.get("roleRef")
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = RBAC_GROUP
    for subject in obj.get("subjects") or []:
        if not isinstance(subject, dict) or subject.get("apiGroup"):
            continue
        if subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = RBAC_GROUP


def validate_binding_update(live: dict, new: dict) -> FieldErrors:
    """ValidateRoleBindingUpdate: roleRef is immutable."""
    old_ref = live.get("roleRef") or {}
    new_ref = new.get("roleRef") or {}
    if old_ref == new_ref:
        return []
    value = GoStruct(
        "rbac.RoleRef",
        [
            ("APIGroup", new_ref.get("apiGroup", "")),
            ("Kind", new_ref.get("kind", "")),
            ("Name", new_ref.get("name", "")),
        ],
    )
    return [(("roleRef",), go_invalid(("roleRef",), value, "cannot change roleRef"))]
