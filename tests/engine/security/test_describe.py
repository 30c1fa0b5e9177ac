"""`kubectl describe` for PodSecurityPolicy, the RBAC kinds, ServiceAccounts and PodPresets.

Upstream: kubernetes/kubectl pkg/describe/describe.go (describePodSecurityPolicy as of
1.24, the last kubectl with it; RoleDescriber, ClusterRoleDescriber, RoleBindingDescriber,
ClusterRoleBindingDescriber, describeServiceAccount) and pkg/util/rbac/rbac.go
(BreakdownRule, CompactRules, SortableRuleSlice). PodPreset had no kubectl describer: its
text is podtui's own, in the same style.
"""

from __future__ import annotations

from engine.describe import describe, describer_for
from engine.describe.generic import describe_generic
from engine.security.describe import (
    breakdown_rule,
    compact_rules,
    describe_pod_security_policy,
    policy_rule_string,
)

from .helpers import cluster, psp

RBAC = "rbac.authorization.k8s.io/v1"


def described(obj: dict) -> str:
    c = cluster()
    created = c.api.create(obj).obj
    return describe(c, created)


class TestRegistered:
    def test_each_kind_has_its_own_describer_not_the_generic_one(self) -> None:
        for kind in (
            "PodSecurityPolicy",
            "Role",
            "ClusterRole",
            "RoleBinding",
            "ClusterRoleBinding",
            "ServiceAccount",
            "PodPreset",
        ):
            assert describer_for(kind) is not describe_generic, kind


class TestRoles:
    def test_role_rules_are_broken_down_compacted_and_sorted_as_kubectl_does(self) -> None:
        # RoleDescriber: BreakdownRule each rule, CompactRules, sort.Stable by
        # PolicyRule.String() (which starts with the verbs); no Namespace line, no events.
        role = {
            "apiVersion": RBAC,
            "kind": "Role",
            "metadata": {"name": "pod-reader", "namespace": "default", "labels": {"team": "a"}},
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "watch", "list"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["get"]},
                {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update", "patch"]},
            ],
        }
        assert described(role) == (
            "Name:         pod-reader\n"
            "Labels:       team=a\n"
            "Annotations:  <none>\n"
            "PolicyRule:\n"
            "  Resources               Non-Resource URLs  Resource Names  Verbs\n"
            "  ---------               -----------------  --------------  -----\n"
            "  pods/log                []                 []              [get watch list]\n"
            "  pods                    []                 []              [get watch list]\n"
            "  deployments.apps        []                 [web]           [get]\n"
            "  deployments.apps/scale  []                 []              [update patch]\n"
        )

    def test_cluster_role_non_resource_urls_stay_one_row_per_url_and_verb(self) -> None:
        role = {
            "apiVersion": RBAC,
            "kind": "ClusterRole",
            "metadata": {"name": "health"},
            "rules": [
                {"nonResourceURLs": ["/healthz", "/version"], "verbs": ["get"]},
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["list"]},
            ],
        }
        assert described(role) == (
            "Name:         health\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "PolicyRule:\n"
            "  Resources  Non-Resource URLs  Resource Names  Verbs\n"
            "  ---------  -----------------  --------------  -----\n"
            "             [/healthz]         []              [get]\n"
            "             [/version]         []              [get]\n"
            "  *.*        []                 []              [list]\n"
        )

    def test_compact_rules_merges_verbs_of_one_resource_in_order_of_first_appearance(self) -> None:
        rules = breakdown_rule({"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]})
        rules += breakdown_rule({"apiGroups": [""], "resources": ["pods"], "verbs": ["watch", "get"]})
        assert compact_rules(rules) == [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}
        ]

    def test_rules_sort_by_the_generated_string_of_the_policy_rule(self) -> None:
        assert policy_rule_string({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}) == (
            "&PolicyRule{Verbs:[get],APIGroups:[],Resources:[pods],ResourceNames:[],NonResourceURLs:[],}"
        )


class TestBindings:
    def test_a_role_binding_lists_its_role_and_subjects(self) -> None:
        binding = {
            "apiVersion": RBAC,
            "kind": "RoleBinding",
            "metadata": {"name": "read-pods", "namespace": "default"},
            "subjects": [
                {"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "ServiceAccount", "name": "builder", "namespace": "default"},
            ],
            "roleRef": {"kind": "Role", "name": "pod-reader", "apiGroup": "rbac.authorization.k8s.io"},
        }
        assert described(binding) == (
            "Name:         read-pods\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "Role:\n"
            "  Kind:  Role\n"
            "  Name:  pod-reader\n"
            "Subjects:\n"
            "  Kind            Name     Namespace\n"
            "  ----            ----     ---------\n"
            "  User            jane     \n"
            "  ServiceAccount  builder  default\n"
        )

    def test_a_cluster_role_binding_reads_the_same(self) -> None:
        binding = {
            "apiVersion": RBAC,
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "admins"},
            "subjects": [{"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}],
            "roleRef": {"kind": "ClusterRole", "name": "cluster-admin", "apiGroup": "rbac.authorization.k8s.io"},
        }
        assert described(binding).splitlines()[3:] == [
            "Role:",
            "  Kind:  ClusterRole",
            "  Name:  cluster-admin",
            "Subjects:",
            "  Kind   Name  Namespace",
            "  ----   ----  ---------",
            "  Group  ops   ",
        ]


class TestPodSecurityPolicy:
    def test_the_1_24_describer_prints_the_settings_and_strategies(self) -> None:
        policy = psp(
            "restricted",
            privileged=False,
            allowPrivilegeEscalation=False,
            requiredDropCapabilities=["ALL"],
            volumes=["configMap", "emptyDir", "secret"],
            hostPorts=[{"min": 8000, "max": 8080}],
            runAsUser={"rule": "MustRunAsNonRoot"},
            supplementalGroups={"rule": "MustRunAs", "ranges": [{"min": 1, "max": 65535}]},
            fsGroup={"rule": "MustRunAs", "ranges": [{"min": 1, "max": 65535}]},
            forbiddenSysctls=["*"],
        )
        assert described(policy) == (
            "Name:  restricted\n"
            "\n"
            "Settings:\n"
            "  Allow Privileged:                        false\n"
            "  Allow Privilege Escalation:              false\n"
            "  Default Add Capabilities:                <none>\n"
            "  Required Drop Capabilities:              ALL\n"
            "  Allowed Capabilities:                    <none>\n"
            "  Allowed Volume Types:                    configMap,emptyDir,secret\n"
            "  Forbidden Sysctls:                       *\n"
            "  Allow Host Network:                      false\n"
            "  Allow Host Ports:                        8000-8080\n"
            "  Allow Host PID:                          false\n"
            "  Allow Host IPC:                          false\n"
            "  Read Only Root Filesystem:               false\n"
            "  SELinux Context Strategy: RunAsAny       \n"
            "    User:                                  <none>\n"
            "    Role:                                  <none>\n"
            "    Type:                                  <none>\n"
            "    Level:                                 <none>\n"
            "  Run As User Strategy: MustRunAsNonRoot   \n"
            "    Ranges:                                <none>\n"
            "  FSGroup Strategy: MustRunAs              \n"
            "    Ranges:                                1-65535\n"
            "  Supplemental Groups Strategy: MustRunAs  \n"
            "    Ranges:                                1-65535\n"
        )

    def test_an_unset_privilege_escalation_reads_unset(self) -> None:
        # `if psp.Spec.AllowPrivilegeEscalation != nil ... else "<unset>"` (the API server
        # defaults it to true, so only an object that skipped defaulting shows it).
        text = describe_pod_security_policy(cluster(), psp("open"))
        assert "  Allow Privilege Escalation:             <unset>\n" in text

    def test_through_the_api_server_privilege_escalation_is_defaulted_true(self) -> None:
        assert "  Allow Privilege Escalation:             true\n" in described(psp("open"))


class TestServiceAccount:
    def test_describe_sa_lists_pull_and_mountable_secrets_and_tokens_as_kubectl_132(self) -> None:
        # kubernetes/kubectl v0.32 pkg/describe/describe.go describeServiceAccount (and its
        # TestDescribeServiceAccount): three headers in sorted order, a referenced Secret
        # the namespace lacks marked "(not found)"; kubectl 1.35 dropped the last two.
        account = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "builder", "namespace": "default"},
            "imagePullSecrets": [{"name": "registry"}, {"name": "mirror"}],
            "secrets": [{"name": "deploy-key"}],
        }
        assert described(account) == (
            "Name:                builder\n"
            "Namespace:           default\n"
            "Labels:              <none>\n"
            "Annotations:         <none>\n"
            "Image pull secrets:  registry (not found)\n"
            "                     mirror (not found)\n"
            "Mountable secrets:   deploy-key (not found)\n"
            "Tokens:              <none>\n"
            "Events:              <none>\n"
        )

    def test_describe_sa_lists_the_token_secrets_that_name_it(self) -> None:
        # ServiceAccountDescriber.Describe: a kubernetes.io/service-account-token Secret whose
        # service-account.name and .uid annotations name this account is one of its Tokens.
        c = cluster()
        c.api.create(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "builder", "namespace": "default"},
                "imagePullSecrets": [{"name": "registry"}],
            }
        )
        uid = c.store.get("ServiceAccount", "default", "builder")["metadata"]["uid"]
        for name, kind, notes in (
            ("registry", "kubernetes.io/dockerconfigjson", {}),
            (
                "builder-token",
                "kubernetes.io/service-account-token",
                {
                    "kubernetes.io/service-account.name": "builder",
                    "kubernetes.io/service-account.uid": uid,
                },
            ),
        ):
            c.api.create(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {"name": name, "namespace": "default", "annotations": notes},
                    "type": kind,
                    "data": {},
                }
            )
        text = describe(c, c.store.get("ServiceAccount", "default", "builder"))
        assert "Image pull secrets:  registry\n" in text
        assert "Mountable secrets:   <none>\n" in text
        assert "Tokens:              builder-token\n" in text


class TestPodPreset:
    def test_a_pod_preset_shows_what_it_selects_and_injects(self) -> None:
        # No kubectl describer ever existed (kubectl used its generic one); podtui's own
        # prints the pod describer's Environment / Mounts / Volumes blocks.
        preset = {
            "apiVersion": "settings.k8s.io/v1alpha1",
            "kind": "PodPreset",
            "metadata": {"name": "allow-database", "namespace": "default"},
            "spec": {
                "selector": {"matchLabels": {"role": "frontend"}},
                "env": [{"name": "DB_PORT", "value": "6379"}],
                "envFrom": [{"configMapRef": {"name": "db-settings"}}],
                "volumeMounts": [{"mountPath": "/cache", "name": "cache-volume"}],
                "volumes": [{"name": "cache-volume", "emptyDir": {}}],
            },
        }
        assert described(preset) == (
            "Name:         allow-database\n"
            "Namespace:    default\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "Selector:     role=frontend\n"
            "Environment Variables from:\n"
            "  db-settings  ConfigMap  Optional: false\n"
            "Environment:\n"
            "  DB_PORT:  6379\n"
            "Mounts:\n"
            "  /cache from cache-volume (rw)\n"
            "Volumes:\n"
            "  cache-volume:\n"
            "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
            "    Medium:     \n"
            "    SizeLimit:  <unset>\n"
            "Events:         <none>\n"
        )
