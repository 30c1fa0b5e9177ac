"""RBAC: rule matching (evaluation_helpers.go), subjects (appliesToUser), the authorizer,
the API server's Forbidden message and the validation of the RBAC kinds."""

from __future__ import annotations

import pytest

from engine.api.admission import ADMIN, UserInfo, controller_user
from engine.api.errors import APIError
from engine.security import authorizer_for, can
from engine.security.rbac.rules import Attributes, applies_to_user, rule_allows

from .helpers import JANE, binding, cluster, create, group, pod, service_account, user

POD_READER = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}


def attrs(verb="get", group="", resource="pods", sub="", name="", namespace="default"):
    return Attributes(
        "jane", ("system:authenticated",), verb, group, resource, sub, namespace, name
    )


class TestRuleAllows:
    @pytest.mark.parametrize(
        ("rule", "request_attrs", "allowed"),
        [
            (POD_READER, attrs(), True),
            (POD_READER, attrs(verb="delete"), False),
            ({**POD_READER, "verbs": ["*"]}, attrs(verb="delete"), True),
            (POD_READER, attrs(group="apps"), False),
            ({**POD_READER, "apiGroups": ["*"]}, attrs(group="apps"), True),
            (POD_READER, attrs(resource="secrets"), False),
            ({**POD_READER, "resources": ["*"]}, attrs(resource="secrets"), True),
            # a subresource must be named: `pods` does not cover `pods/log`
            (POD_READER, attrs(sub="log"), False),
            ({**POD_READER, "resources": ["pods/log"]}, attrs(sub="log"), True),
            ({**POD_READER, "resources": ["*/log"]}, attrs(sub="log"), True),
            ({**POD_READER, "resources": ["*/log"]}, attrs(sub="status"), False),
            ({**POD_READER, "resources": ["*"]}, attrs(sub="status"), True),
            # resourceNames: empty allows every name, else the name must be listed
            ({**POD_READER, "resourceNames": ["web"]}, attrs(name="web"), True),
            ({**POD_READER, "resourceNames": ["web"]}, attrs(name="db"), False),
            ({**POD_READER, "resourceNames": ["web"]}, attrs(name=""), False),
            # non-resource URL rules never match a resource request
            ({"nonResourceURLs": ["*"], "verbs": ["*"]}, attrs(), False),
        ],
    )
    def test_rule_allows_matches_verb_group_resource_and_name(self, rule, request_attrs, allowed):
        assert rule_allows(rule, request_attrs) is allowed


class TestAppliesToUser:
    @pytest.mark.parametrize(
        ("subject", "binding_namespace", "username", "groups", "applies"),
        [
            (user("jane"), "", "jane", (), True),
            (user("jane"), "", "bob", (), False),
            (group("devs"), "", "bob", ("devs",), True),
            (group("devs"), "", "bob", ("ops",), False),
            (service_account("app", "shop"), "", "system:serviceaccount:shop:app", (), True),
            (service_account("app", "shop"), "", "system:serviceaccount:other:app", (), False),
            # a ServiceAccount subject without a namespace means the RoleBinding's namespace
            (
                {"kind": "ServiceAccount", "name": "app"},
                "shop",
                "system:serviceaccount:shop:app",
                (),
                True,
            ),
            (
                {"kind": "ServiceAccount", "name": "app"},
                "",
                "system:serviceaccount:shop:app",
                (),
                False,
            ),
        ],
    )
    def test_subject_names_the_user(self, subject, binding_namespace, username, groups, applies):
        assert applies_to_user(username, groups, subject, binding_namespace) is applies


class TestAuthorizer:
    def test_system_masters_may_do_anything_without_any_binding(self):
        c = cluster()
        assert can(c, "root", ["system:masters"], "delete", "nodes", "", "node-1")

    def test_an_unbound_user_may_do_nothing(self):
        c = cluster()
        assert not can(c, "jane", ["system:authenticated"], "get", "pods", "default")

    def test_a_role_binding_to_a_cluster_role_grants_only_in_its_namespace(self):
        c = cluster()
        create(c, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        create(c, binding("jane-edit", "edit", [user("jane")], namespace="shop"))
        assert can(c, "jane", [], "create", "pods", "shop")
        assert not can(c, "jane", [], "create", "pods", "default")

    def test_a_cluster_role_binding_grants_in_every_namespace(self):
        c = cluster()
        create(c, binding("jane-view", "view", [user("jane")]))
        assert can(c, "jane", [], "list", "pods", "default")
        assert can(c, "jane", [], "list", "pods", "kube-system")
        assert not can(c, "jane", [], "delete", "pods", "default")

    def test_bootstrap_controller_roles_let_the_replicaset_controller_create_pods(self):
        c = cluster()
        rs = controller_user("replicaset-controller")
        assert can(c, rs.name, rs.groups, "create", "pods", "default")
        assert not can(c, rs.name, rs.groups, "use", "podsecuritypolicies.policy", "default", "x")

    def test_a_stored_cluster_role_replaces_the_built_in_one_of_that_name(self):
        c = cluster()
        create(c, binding("jane-edit", "edit", [user("jane")]))
        assert can(c, "jane", [], "create", "pods", "default")
        create(
            c,
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": "edit"},
                "rules": [POD_READER],
            },
        )
        assert not can(c, "jane", [], "create", "pods", "default")
        assert can(c, "jane", [], "get", "pods", "default")

    def test_deleting_a_binding_revokes_what_it_granted_at_once(self):
        # rbac.go answers from the informers' current objects: a decision remembered for a
        # controller's thousands of creates must not outlive the binding that allowed it.
        c = cluster()
        create(c, binding("jane-view", "view", [user("jane")]))
        assert can(c, "jane", [], "list", "pods", "default")
        c.api.delete("ClusterRoleBinding", "", "jane-view")
        assert not can(c, "jane", [], "list", "pods", "default")

    def test_a_role_losing_a_rule_revokes_it_at_once(self):
        c = cluster()
        role = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "reader", "namespace": "default"},
            "rules": [POD_READER],
        }
        create(c, role)
        create(c, binding("jane-read", "reader", [user("jane")], "default", role_kind="Role"))
        assert can(c, "jane", [], "get", "pods", "default")
        stored = c.store.get("Role", "default", "reader")
        c.api.update({**stored, "rules": [{**POD_READER, "resources": ["secrets"]}]})
        assert not can(c, "jane", [], "get", "pods", "default")
        assert can(c, "jane", [], "get", "secrets", "default")

    def test_resource_names_restrict_a_rule_to_the_named_objects(self):
        # evaluation_helpers.go ResourceNameMatches: with decisions remembered by request,
        # a name a rule lists and one it does not must still get different answers.
        c = cluster()
        role = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "web-only", "namespace": "default"},
            "rules": [{**POD_READER, "verbs": ["get", "delete"], "resourceNames": ["web"]}],
        }
        create(c, role)
        create(c, binding("jane-web", "web-only", [user("jane")], "default", role_kind="Role"))
        for _ in range(2):
            assert can(c, "jane", [], "delete", "pods", "default", "web")
            assert not can(c, "jane", [], "delete", "pods", "default", "db")
            assert not can(c, "jane", [], "delete", "pods", "default", "")

    def test_requests_for_differently_named_objects_share_a_decision_when_no_rule_names_any(
        self,
    ):
        c = cluster()
        rs = controller_user("replicaset-controller")
        authorizer = authorizer_for(c)
        first = authorizer.decide(rs.name, rs.groups, "delete", "pods", "default", "web-1")
        second = authorizer.decide(rs.name, rs.groups, "delete", "pods", "default", "web-2")
        assert first.allowed and second is first

    def test_a_binding_to_a_missing_role_is_the_denial_reason(self):
        c = cluster()
        create(c, binding("jane-x", "nope", [user("jane")]))
        decision = authorizer_for(c).decide("jane", [], "get", "pods", "default")
        assert not decision.allowed
        assert decision.reason == 'RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found'

    def test_allow_reason_names_the_binding_role_and_subject(self):
        c = cluster()
        decision = authorizer_for(c).decide(
            "system:serviceaccount:kube-system:replicaset-controller",
            [],
            "create",
            "pods",
            "default",
        )
        assert decision.reason == (
            'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of '
            'ClusterRole "system:controller:replicaset-controller" to ServiceAccount '
            '"kube-system/replicaset-controller"'
        )


class TestForbiddenMessages:
    """responsewriters.forbiddenMessage + apierrors.NewForbidden, as kubectl prints them."""

    def test_create_names_no_object(self):
        c = cluster()
        with pytest.raises(APIError) as err:
            c.api.create(pod(), user=JANE)
        assert err.value.reason == "Forbidden"
        assert err.value.message == (
            'pods is forbidden: User "jane" cannot create resource "pods" in API group "" '
            'in the namespace "default"'
        )

    def test_delete_names_the_object(self):
        c = cluster()
        create(c, pod())
        with pytest.raises(APIError) as err:
            c.api.delete("Pod", "default", "web", user=JANE)
        assert err.value.message == (
            'pods "web" is forbidden: User "jane" cannot delete resource "pods" in API group "" '
            'in the namespace "default"'
        )

    def test_cluster_scoped_resources_are_refused_at_the_cluster_scope(self):
        c = cluster()
        with pytest.raises(APIError) as err:
            c.api.create(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}, user=JANE
            )
        assert err.value.message == (
            'namespaces is forbidden: User "jane" cannot create resource "namespaces" in API '
            'group "" at the cluster scope'
        )

    def test_grouped_resources_carry_their_group(self):
        c = cluster()
        with pytest.raises(APIError) as err:
            c.api.create(
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "Role",
                    "metadata": {"name": "r", "namespace": "default"},
                    "rules": [],
                },
                user=JANE,
            )
        assert err.value.message.startswith(
            'roles.rbac.authorization.k8s.io is forbidden: User "jane" cannot create resource '
            '"roles" in API group "rbac.authorization.k8s.io" in the namespace "default"'
        )

    def test_admin_is_never_refused(self):
        c = cluster()
        assert create(c, pod(), ADMIN)["metadata"]["name"] == "web"

    def test_impersonated_group_grants_what_its_bindings_grant(self):
        c = cluster()
        create(c, binding("devs-edit", "edit", [group("devs")], namespace="default"))
        dev = UserInfo("bob", ("devs", "system:authenticated"))
        assert create(c, pod(), dev)["metadata"]["name"] == "web"


class TestRBACValidation:
    def test_role_ref_cannot_change(self):
        c = cluster()
        create(c, binding("b", "view", [user("jane")], namespace="default"))
        changed = binding("b", "edit", [user("jane")], namespace="default")
        with pytest.raises(APIError) as err:
            c.api.update(changed)
        assert err.value.message == (
            'The RoleBinding "b" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:'
            '"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef'
        )

    def test_role_names_may_hold_colons_but_not_slashes(self):
        c = cluster()
        ok = binding("psp:restricted", "view", [user("jane")], namespace="default")
        assert create(c, ok)["metadata"]["name"] == "psp:restricted"
        with pytest.raises(APIError) as err:
            create(c, binding("a/b", "view", [user("jane")], namespace="default"))
        assert "metadata.name: Invalid value: \"a/b\": may not contain '/'" in err.value.message

    @pytest.mark.parametrize(
        ("rule", "message"),
        [
            (
                {"apiGroups": [""], "resources": ["pods"]},
                "rules[0].verbs: Required value: verbs must contain at least one value",
            ),
            (
                {"resources": ["pods"], "verbs": ["get"]},
                "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
            ),
            (
                {"apiGroups": [""], "verbs": ["get"]},
                "rules[0].resources: Required value: resource rules must supply at least one resource",
            ),
        ],
    )
    def test_policy_rule_validation(self, rule, message):
        c = cluster()
        role = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "r", "namespace": "default"},
            "rules": [rule],
        }
        with pytest.raises(APIError) as err:
            create(c, role)
        assert err.value.message == f'The Role "r" is invalid: {message}'

    def test_cluster_role_binding_service_account_needs_a_namespace(self):
        c = cluster()
        bad = binding("b", "view", [{"kind": "ServiceAccount", "name": "x"}])
        with pytest.raises(APIError) as err:
            create(c, bad)
        assert err.value.message == (
            'The ClusterRoleBinding "b" is invalid: subjects[0].namespace: Required value'
        )

    def test_user_and_group_subjects_default_their_api_group(self):
        c = cluster()
        obj = binding("b", "view", [{"kind": "User", "name": "jane"}], namespace="default")
        del obj["roleRef"]["apiGroup"]
        stored = create(c, obj)
        assert stored["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io"
        assert stored["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
