"""The API server's authorizer: the `system:masters` superuser group, then RBAC.

kube-apiserver authorizes every request before admission (privileged groups first, then
--authorization-mode=Node,RBAC); a refused request never reaches admission. The refusal
is `responsewriters.forbiddenMessage` wrapped by apierrors.NewForbidden:
`pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the
namespace "default"` (no name on create, as a POST names no object), with
`: RBAC: <errors>` appended when a binding points at a missing role.

The same `can` answers PSP's `use` checks and the console's "may this user..." questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.kinds import resolve_resource
from engine.security.fielderr import aggregate
from engine.security.rbac.rules import (
    Attributes,
    api_group_matches,
    applies_to_user,
    resource_matches,
    rule_allows,
    verb_matches,
)

if TYPE_CHECKING:
    from engine.api.admission import AdmissionRequest, UserInfo
    from engine.store import Change, Store

PRIVILEGED_GROUP = "system:masters"
RBAC_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
DECISIONS_MEMO_LIMIT = 4096
"""Decisions remembered until an RBAC object changes; past this many the memo starts over
(requests that name objects, such as updates of single pods, would otherwise grow it)."""
_VERBS = {"CREATE": "create", "UPDATE": "update", "DELETE": "delete"}


@dataclass(frozen=True)
class Grant:
    """The binding, role and subject that allowed a request."""

    binding_kind: str
    binding_name: str
    binding_namespace: str
    role_kind: str
    role_name: str
    subject: str

    def describe(self) -> str:
        """rbac.go's describer text: `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`."""
        name = (
            f"{self.binding_namespace}/{self.binding_name}"
            if self.binding_namespace
            else self.binding_name
        )
        return (
            f'{self.binding_kind} "{name}" of {self.role_kind} "{self.role_name}" to {self.subject}'
        )


@dataclass(frozen=True)
class Decision:
    """An authorizer's answer; `reason` is what kube-apiserver appends to a refusal."""

    allowed: bool
    reason: str = ""
    grant: Grant | None = None
    superuser: bool = False

    def explain(self) -> str:
        if self.superuser:
            return f'allowed: member of group "{PRIVILEGED_GROUP}"'
        if self.allowed and self.grant is not None:
            return f"allowed by {self.grant.describe()}"
        return "no RBAC rule allows it" + (f" ({self.reason})" if self.reason else "")


@dataclass
class _Binding:
    kind: str
    name: str
    namespace: str
    role_kind: str
    role_name: str
    subjects: list[dict]


def _describe_subject(subject: dict) -> str:
    if subject.get("kind") == "ServiceAccount":
        return f'ServiceAccount "{subject.get("namespace", "")}/{subject.get("name", "")}"'
    return f'{subject.get("kind")} "{subject.get("name", "")}"'


def forbidden_message(attrs: Attributes) -> str:
    """responsewriters.forbiddenMessage for a resource request."""
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    who = f'User "{attrs.user}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}"'
    if attrs.namespace:
        return f'{who} in the namespace "{attrs.namespace}"'
    return f"{who} at the cluster scope"


def forbidden_error(attrs: Attributes, reason: str = "") -> errors.APIError:
    """apierrors.NewForbidden(groupResource, name, msg[: reason])."""
    detail = forbidden_message(attrs) + (f": {reason}" if reason else "")
    resource = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    if attrs.name:
        message = f'{resource} "{attrs.name}" is forbidden: {detail}'
    else:
        message = f"{resource} is forbidden: {detail}"
    return errors.APIError(403, "Forbidden", message)


class RBACAuthorizer:
    """Authorizes requests against the RBAC objects in the store (cached until one changes)."""

    def __init__(self, store: Store, builtin: Sequence[dict] = ()) -> None:
        self.store = store
        self.builtin = {(obj["kind"], obj["metadata"]["name"]): obj for obj in builtin}
        """Built-in ClusterRoles and ClusterRoleBindings; a stored object of the same name wins."""
        self._cluster_bindings: list[_Binding] | None = None
        self._role_bindings: dict[str, list[_Binding]] | None = None
        self._decisions: dict[Attributes, Decision] = {}
        self._name_matters: dict[tuple[str, str, str, str], bool] = {}
        store.watch(self._on_change, RBAC_KINDS)

    def _on_change(self, change: Change) -> None:
        self._cluster_bindings = None
        self._role_bindings = None
        self._decisions.clear()
        self._name_matters.clear()

    # -- the rule index ---------------------------------------------------------------
    def _index(self) -> tuple[list[_Binding], dict[str, list[_Binding]]]:
        if self._cluster_bindings is None or self._role_bindings is None:
            stored = {obj["metadata"]["name"]: obj for obj in self.store.list("ClusterRoleBinding")}
            for (kind, name), obj in self.builtin.items():
                if kind == "ClusterRoleBinding":
                    stored.setdefault(name, obj)
            cluster = [_binding(stored[name], "") for name in sorted(stored)]
            by_namespace: dict[str, list[_Binding]] = {}
            for obj in self.store.list("RoleBinding"):
                namespace = obj["metadata"].get("namespace", "")
                by_namespace.setdefault(namespace, []).append(_binding(obj, namespace))
            self._cluster_bindings = cluster
            self._role_bindings = by_namespace
        return self._cluster_bindings, self._role_bindings

    def _rules(self, binding: _Binding) -> tuple[list[dict], str]:
        """The role's rules, or the error GetRole/GetClusterRole would report."""
        if binding.role_kind == "ClusterRole":
            role = self.store.get("ClusterRole", "", binding.role_name) or self.builtin.get(
                ("ClusterRole", binding.role_name)
            )
            if role is None:
                return [], f'clusterrole.rbac.authorization.k8s.io "{binding.role_name}" not found'
        else:
            role = self.store.get("Role", binding.namespace, binding.role_name)
            if role is None:
                return [], f'role.rbac.authorization.k8s.io "{binding.role_name}" not found'
        return list(role.get("rules") or []), ""

    # -- decisions ----------------------------------------------------------------------
    def authorize(self, attrs: Attributes) -> Decision:
        """Privileged group first, then every ClusterRoleBinding, then the namespace's RoleBindings.

        A decision depends only on the attributes and the RBAC objects, so it is remembered
        until one of those changes: a controller creating thousands of pods walks the
        bindings once, not once per pod.
        """
        if PRIVILEGED_GROUP in attrs.groups:
            return Decision(True, superuser=True)
        key = self._memo_key(attrs)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) >= DECISIONS_MEMO_LIMIT:
                self._decisions.clear()
            decision = self._decisions[key] = self._authorize(key)
        return decision

    def _memo_key(self, attrs: Attributes) -> Attributes:
        """The attributes without the object's name when no rule could read it.

        A name only matters to a rule with resourceNames that matches the request's verb,
        group and resource; every other rule allows any name. So when no role holds such a
        rule, the request for one pod is decided as the request for any other (a controller
        deleting thousands of pods is one decision, not one per pod name).
        """
        if not attrs.name:
            return attrs
        shape = (attrs.verb, attrs.api_group, attrs.resource, attrs.subresource)
        matters = self._name_matters.get(shape)
        if matters is None:
            matters = self._name_matters[shape] = any(
                verb_matches(rule, attrs.verb)
                and api_group_matches(rule, attrs.api_group)
                and resource_matches(rule, attrs.resource, attrs.subresource)
                for rule in self._named_rules()
            )
        if matters:
            return attrs
        return Attributes(
            attrs.user,
            attrs.groups,
            attrs.verb,
            attrs.api_group,
            attrs.resource,
            attrs.subresource,
            attrs.namespace,
        )

    def _named_rules(self) -> list[dict]:
        """Every rule with resourceNames, of every Role and ClusterRole (built-in included)."""
        roles = [*self.store.list("Role"), *self.store.list("ClusterRole")]
        roles += [obj for (kind, _), obj in self.builtin.items() if kind == "ClusterRole"]
        return [
            rule
            for role in roles
            for rule in role.get("rules") or []
            if rule.get("resourceNames")
        ]

    def _authorize(self, attrs: Attributes) -> Decision:
        cluster_bindings, role_bindings = self._index()
        problems: list[str] = []
        candidates = list(cluster_bindings)
        if attrs.namespace:
            candidates += role_bindings.get(attrs.namespace, [])
        for binding in candidates:
            subject = next(
                (
                    s
                    for s in binding.subjects
                    if applies_to_user(attrs.user, attrs.groups, s, binding.namespace)
                ),
                None,
            )
            if subject is None:
                continue
            rules, problem = self._rules(binding)
            if problem:
                problems.append(problem)
                continue
            if any(rule_allows(rule, attrs) for rule in rules):
                grant = Grant(
                    binding.kind,
                    binding.name,
                    binding.namespace,
                    binding.role_kind,
                    binding.role_name,
                    _describe_subject(subject),
                )
                return Decision(True, f"RBAC: allowed by {grant.describe()}", grant)
        reason = f"RBAC: {aggregate(problems)}" if problems else ""
        return Decision(False, reason)

    def can(
        self,
        user: str,
        groups: Sequence[str],
        verb: str,
        resource: str,
        namespace: str = "",
        name: str = "",
        *,
        api_group: str | None = None,
        subresource: str = "",
    ) -> bool:
        """May `user` in `groups` do `verb` on `resource` (`pods`, `pods/log`, `deployments.apps`,
        `podsecuritypolicies.policy`)? `api_group` defaults to the resource's own group."""
        return self.decide(
            user,
            groups,
            verb,
            resource,
            namespace,
            name,
            api_group=api_group,
            subresource=subresource,
        ).allowed

    def decide(
        self,
        user: str,
        groups: Sequence[str],
        verb: str,
        resource: str,
        namespace: str = "",
        name: str = "",
        *,
        api_group: str | None = None,
        subresource: str = "",
    ) -> Decision:
        """`can`, with the reason (which binding allowed it, or why nothing did)."""
        plural, group, sub = split_resource(resource)
        attrs = Attributes(
            user,
            tuple(groups),
            verb,
            group if api_group is None else api_group,
            plural,
            subresource or sub,
            namespace,
            name,
        )
        return self.authorize(attrs)

    def check_request(self, request: AdmissionRequest) -> None:
        """Refuse the request (403) unless its user may do it; the API server's WithAuthorization."""
        attrs = request_attributes(request)
        decision = self.authorize(attrs)
        if not decision.allowed:
            raise forbidden_error(attrs, decision.reason)


def split_resource(resource: str) -> tuple[str, str, str]:
    """`deployments.apps/scale` -> ("deployments", "apps", "scale"); a bare plural's group
    comes from the kind registry (`pods` -> core)."""
    resource, _, subresource = resource.partition("/")
    plural, _, group = resource.partition(".")
    if not group:
        info = resolve_resource(plural)
        group = info.group if info is not None and info.plural == plural else ""
    return plural, group, subresource


def request_attributes(request: AdmissionRequest) -> Attributes:
    """The authorization attributes kube-apiserver derives from an API request."""
    info = request.kind
    user: UserInfo = request.user
    name = "" if request.operation == "CREATE" else request.name
    namespace = request.namespace if info.namespaced else ""
    return Attributes(
        user.name,
        tuple(user.groups),
        _VERBS.get(request.operation, request.operation.lower()),
        info.group,
        info.plural,
        request.subresource,
        namespace,
        name,
    )


def _binding(obj: dict, namespace: str) -> _Binding:
    ref = obj.get("roleRef") or {}
    return _Binding(
        obj["kind"],
        obj["metadata"]["name"],
        namespace,
        ref.get("kind", ""),
        ref.get("name", ""),
        list(obj.get("subjects") or []),
    )
