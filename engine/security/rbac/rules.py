"""RBAC's matching rules: does a PolicyRule allow a request, does a subject name a user.

From k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches,
APIGroupMatches, ResourceMatches, ResourceNameMatches) and
plugin/pkg/auth/authorizer/rbac/rbac.go (appliesToUser, RuleAllows). Rules only add;
there is no deny.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RBAC_GROUP = "rbac.authorization.k8s.io"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class Attributes:
    """authorizer.AttributesRecord for a resource request."""

    user: str
    groups: tuple[str, ...]
    verb: str
    api_group: str
    resource: str
    subresource: str = ""
    namespace: str = ""
    name: str = ""


def verb_matches(rule: dict, verb: str) -> bool:
    verbs = rule.get("verbs") or []
    return "*" in verbs or verb in verbs


def api_group_matches(rule: dict, group: str) -> bool:
    groups = rule.get("apiGroups") or []
    return "*" in groups or group in groups


def resource_matches(rule: dict, resource: str, subresource: str) -> bool:
    """`*` matches everything; `pods/log` the subresource; `*/scale` one subresource of any resource."""
    combined = f"{resource}/{subresource}" if subresource else resource
    for rule_resource in rule.get("resources") or []:
        if rule_resource in ("*", combined):
            return True
        if not subresource:
            continue
        if (
            len(rule_resource) == len(subresource) + 2
            and rule_resource.startswith("*/")
            and rule_resource.endswith(subresource)
        ):
            return True
    return False


def resource_name_matches(rule: dict, name: str) -> bool:
    """An empty resourceNames list allows every name; otherwise the name must be listed."""
    names = rule.get("resourceNames") or []
    return not names or name in names


def rule_allows(rule: dict, attrs: Attributes) -> bool:
    """RuleAllows for a resource request (nonResourceURLs rules never match one)."""
    if rule.get("nonResourceURLs") and not rule.get("resources"):
        return False
    return (
        verb_matches(rule, attrs.verb)
        and api_group_matches(rule, attrs.api_group)
        and resource_matches(rule, attrs.resource, attrs.subresource)
        and resource_name_matches(rule, attrs.name)
    )


def service_account_username(namespace: str, name: str) -> str:
    return f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}"


def service_account_groups(namespace: str) -> tuple[str, str]:
    """serviceaccount.MakeGroupNames: every SA, and every SA of its namespace."""
    return ("system:serviceaccounts", f"system:serviceaccounts:{namespace}")


def applies_to_user(user: str, groups: Sequence[str], subject: dict, namespace: str) -> bool:
    """appliesToUser: a binding's subject names this user (namespace: the RoleBinding's, "" for cluster)."""
    kind = subject.get("kind")
    if kind == "User":
        return user == subject.get("name")
    if kind == "Group":
        return subject.get("name") in groups
    if kind == "ServiceAccount":
        # A subject without a namespace means the RoleBinding's own namespace.
        sa_namespace = subject.get("namespace") or namespace
        if not sa_namespace:
            return False
        return user == service_account_username(sa_namespace, subject.get("name", ""))
    return False


def subjects_strings(subjects: Sequence[dict]) -> tuple[list[str], list[str], list[str]]:
    """rbac.SubjectsStrings: users, groups and `namespace/name` service accounts (for printers)."""
    users: list[str] = []
    groups: list[str] = []
    service_accounts: list[str] = []
    for subject in subjects:
        kind = subject.get("kind")
        if kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
        elif kind == "ServiceAccount":
            service_accounts.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
    return users, groups, service_accounts
