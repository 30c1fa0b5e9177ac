"""The PodSecurityPolicy admission plugin (release-1.24): when it is on, policy ordering,
who must be allowed to `use` a policy, the annotation and the refusal messages."""

from __future__ import annotations

import copy

import pytest

from engine.api.admission import ADMIN, UserInfo, controller_user
from engine.api.errors import APIError
from engine.api.kinds import kind_info
from engine.security import admitted_by_policy, admitted_pods, psp_active, refused_pods

from .helpers import (
    JANE,
    binding,
    cluster,
    container,
    create,
    group,
    pod,
    psp,
    service_account,
    use_role,
    user,
)

PRIVILEGED_ERROR = (
    "spec.containers[0].securityContext.privileged: Invalid value: true: "
    "Privileged containers are not allowed"
)
ANNOTATION = "kubernetes.io/psp"


def privileged_pod(name: str = "priv", namespace: str = "default") -> dict:
    return pod(name, namespace, containers=[container(securityContext={"privileged": True})])


def refusal(c, obj, as_user=ADMIN) -> str:
    with pytest.raises(APIError) as err:
        c.api.create(obj, user=as_user)
    assert err.value.reason == "Forbidden"
    return err.value.message


def grant_everyone_in_default(c, *policies: str) -> None:
    """The pods' service accounts in `default` may use these policies."""
    create(c, use_role("use-them", list(policies)))
    create(
        c,
        binding(
            "use-them", "use-them", [group("system:serviceaccounts:default")], namespace="default"
        ),
    )


class TestPluginIsOnWhileAPolicyExists:
    def test_no_policy_means_no_checks(self):
        c = cluster()
        assert not psp_active(c)
        stored = create(c, privileged_pod())
        assert ANNOTATION not in (stored["metadata"].get("annotations") or {})

    def test_deleting_the_last_policy_turns_it_off(self):
        c = cluster()
        create(c, psp("only"))
        assert psp_active(c)
        refusal(c, privileged_pod())
        c.api.delete("PodSecurityPolicy", "", "only")
        assert not psp_active(c)
        assert create(c, privileged_pod())["metadata"]["name"] == "priv"

    def test_a_policy_whose_strategies_cannot_be_built_provides_nothing(self):
        c = cluster()
        create(c, psp("broken", runAsUser={"rule": "MustRunAs"}))
        assert refusal(c, pod()) == (
            'pods "web" is forbidden: PodSecurityPolicy: no providers available to validate pod request'
        )


class TestRefusalMessages:
    def test_errors_of_every_usable_policy_in_name_order(self):
        c = cluster()
        create(c, psp("b-permissive"))
        create(c, psp("a-ports", hostPorts=[{"min": 8000, "max": 8080}]))
        assert refusal(c, privileged_pod()) == (
            f'pods "priv" is forbidden: PodSecurityPolicy: unable to admit pod: '
            f"[{PRIVILEGED_ERROR} {PRIVILEGED_ERROR}]"
        )

    def test_policies_nobody_may_use_add_no_errors(self):
        c = cluster()
        create(c, psp("example"))
        create(c, binding("jane-edit", "edit", [user("jane")], namespace="default"))
        assert refusal(c, privileged_pod(), JANE) == (
            'pods "priv" is forbidden: PodSecurityPolicy: unable to admit pod: []'
        )

    def test_a_generated_name_is_reported_as_its_prefix(self):
        c = cluster()
        create(c, psp("example"))
        obj = privileged_pod()
        del obj["metadata"]["name"]
        obj["metadata"]["generateName"] = "web-7d4b9c8f5-"
        assert refusal(c, obj).startswith('pods "web-7d4b9c8f5-" is forbidden: PodSecurityPolicy:')

    def test_refusals_are_kept_for_the_console(self):
        c = cluster()
        create(c, psp("example"))
        refusal(c, privileged_pod())
        refusal(c, privileged_pod())
        (kept,) = refused_pods(c)
        assert (kept.namespace, kept.name, kept.count) == ("default", "priv", 2)
        assert kept.message.startswith("PodSecurityPolicy: unable to admit pod: [")


class TestPolicyOrdering:
    def test_a_policy_that_admits_the_pod_unchanged_wins_over_an_earlier_mutating_one(self):
        c = cluster()
        create(
            c,
            psp(
                "a-mutating",
                runAsUser={"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
            ),
        )
        create(c, psp("z-as-is"))
        stored = create(c, pod())
        assert stored["metadata"]["annotations"][ANNOTATION] == "z-as-is"
        assert "securityContext" not in stored["spec"]["containers"][0]

    def test_among_mutating_policies_the_first_by_name_wins(self):
        c = cluster()
        create(c, psp("b", runAsUser={"rule": "MustRunAs", "ranges": [{"min": 2000, "max": 2000}]}))
        create(c, psp("a", runAsUser={"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1000}]}))
        stored = create(c, pod())
        assert stored["metadata"]["annotations"][ANNOTATION] == "a"
        assert stored["spec"]["containers"][0]["securityContext"] == {"runAsUser": 1000}

    def test_a_policy_the_pod_fails_is_skipped_for_the_next_one(self):
        c = cluster()
        create(c, psp("a-strict"))
        create(c, psp("b-privileged", privileged=True))
        stored = create(c, privileged_pod())
        assert stored["metadata"]["annotations"][ANNOTATION] == "b-privileged"

    def test_admitted_pods_are_listed_by_policy(self):
        c = cluster()
        create(c, psp("a-strict"))
        create(c, psp("b-privileged", privileged=True))
        create(c, pod("plain"))
        create(c, privileged_pod())
        assert [p["metadata"]["name"] for p in admitted_pods(c, "a-strict")] == ["plain"]
        assert {
            k: [p["metadata"]["name"] for p in v] for k, v in admitted_by_policy(c).items()
        } == {
            "a-strict": ["plain"],
            "b-privileged": ["priv"],
        }


class TestWhoMayUseAPolicy:
    """authorizedForPolicy: the pod's service account first, then the requesting user; `use`
    in API group policy (or extensions), in the pod's namespace."""

    def _jane_can_create_pods(self, c):
        create(c, binding("jane-edit", "edit", [user("jane")], namespace="default"))

    def test_the_requesting_user_may_use_the_policy(self):
        c = cluster()
        create(c, psp("example"))
        self._jane_can_create_pods(c)
        create(c, use_role("psp:example", ["example"]))
        create(c, binding("jane-psp", "psp:example", [user("jane")], namespace="default"))
        assert create(c, pod(), JANE)["metadata"]["annotations"][ANNOTATION] == "example"

    def test_the_pods_service_account_may_use_the_policy(self):
        c = cluster()
        create(c, psp("example"))
        self._jane_can_create_pods(c)
        create(c, use_role("psp:example", ["example"]))
        create(
            c,
            binding(
                "sa-psp",
                "psp:example",
                [service_account("default", "default")],
                namespace="default",
            ),
        )
        assert create(c, pod(), JANE)["metadata"]["annotations"][ANNOTATION] == "example"

    def test_a_grant_in_another_namespace_does_not_count(self):
        c = cluster()
        create(c, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
        create(c, psp("example"))
        self._jane_can_create_pods(c)
        create(c, use_role("psp:example", ["example"]))
        create(c, binding("jane-psp", "psp:example", [user("jane")], namespace="other"))
        assert (
            refusal(c, pod(), JANE)
            == 'pods "web" is forbidden: PodSecurityPolicy: unable to admit pod: []'
        )

    def test_use_in_the_extensions_group_counts_too(self):
        c = cluster()
        create(c, psp("example"))
        self._jane_can_create_pods(c)
        role = use_role("psp:example", ["example"])
        role["rules"][0]["apiGroups"] = ["extensions"]
        create(c, role)
        create(c, binding("jane-psp", "psp:example", [user("jane")], namespace="default"))
        assert create(c, pod(), JANE)["metadata"]["annotations"][ANNOTATION] == "example"

    def test_the_service_account_identity_has_no_system_authenticated_group(self):
        c = cluster()
        create(c, psp("example"))
        create(c, use_role("psp:example", ["example"]))
        create(c, binding("authn", "psp:example", [group("system:authenticated")]))
        rs = controller_user("replicaset-controller")
        # The controller authenticates (system:authenticated): allowed as the requester.
        assert create(c, pod("a"), rs)["metadata"]["annotations"][ANNOTATION] == "example"
        # A user without that group, whose pod's service account has no grant, is refused.
        nobody = UserInfo("nobody", ())
        create(c, binding("nobody-edit", "edit", [user("nobody")], namespace="default"))
        assert refusal(c, pod("b"), nobody).endswith("unable to admit pod: []")

    def test_a_cluster_admin_may_use_every_policy(self):
        c = cluster()
        create(c, psp("example", privileged=True))
        assert create(c, privileged_pod())["metadata"]["annotations"][ANNOTATION] == "example"

    def test_the_same_pod_is_refused_when_a_controller_creates_it_without_a_grant(self):
        """Direct pod vs Deployment: an admin's bare pod is admitted, the replicaset
        controller's identical pod is not (it may use no policy, nor may the pod's SA)."""
        c = cluster()
        create(c, psp("example"))
        assert create(c, pod("direct"))["metadata"]["annotations"][ANNOTATION] == "example"
        rs = controller_user("replicaset-controller")
        assert refusal(c, pod("from-rs"), rs) == (
            'pods "from-rs" is forbidden: PodSecurityPolicy: unable to admit pod: []'
        )
        grant_everyone_in_default(c, "example")
        assert create(c, pod("from-rs"), rs)["metadata"]["annotations"][ANNOTATION] == "example"


@pytest.mark.skipif(kind_info("Deployment") is None, reason="needs engine.workloads")
class TestThroughADeployment:
    def _deployment(self, privileged: bool = False) -> dict:
        sc = {"securityContext": {"privileged": True}} if privileged else {}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [container(**sc)]},
                },
            },
        }

    def _failed_create(self, c) -> list[str]:
        return [
            e["message"] for e in c.store.list("Event", "default") if e["reason"] == "FailedCreate"
        ]

    def test_a_deployment_without_a_grant_gets_no_pods_and_a_failed_create_event(self):
        c = cluster()
        create(c, psp("example"))
        assert create(c, pod("direct"))["metadata"]["annotations"][ANNOTATION] == "example"
        create(c, self._deployment())
        c.run_until(10)
        assert [p["metadata"]["name"] for p in c.store.list("Pod", "default")] == ["direct"]
        (message, *_) = self._failed_create(c)
        assert message.startswith('Error creating: pods "web-')
        assert message.endswith('" is forbidden: PodSecurityPolicy: unable to admit pod: []')

    def test_a_grant_to_the_pods_service_account_lets_the_deployment_make_its_pods(self):
        c = cluster()
        create(c, psp("example"))
        grant_everyone_in_default(c, "example")
        create(c, self._deployment())
        c.run_until(10)
        pods = c.store.list("Pod", "default")
        assert len(pods) == 1
        assert pods[0]["metadata"]["annotations"][ANNOTATION] == "example"


class TestUpdates:
    def test_an_update_must_pass_a_policy_without_changes(self):
        c = cluster()
        create(c, psp("example"))
        stored = copy.deepcopy(create(c, pod()))
        stored["metadata"].setdefault("labels", {})["tier"] = "web"
        assert c.api.update(stored).obj["metadata"]["labels"] == {"tier": "web"}

    def test_updates_to_owner_references_and_finalizers_are_not_checked(self):
        c = cluster()
        stored = copy.deepcopy(create(c, privileged_pod()))
        create(c, psp("strict"))
        stored["metadata"]["finalizers"] = ["example.com/keep"]
        assert c.api.update(stored).obj["metadata"]["finalizers"] == ["example.com/keep"]

    def test_a_pod_created_before_the_policies_is_refused_on_an_update(self):
        c = cluster()
        stored = copy.deepcopy(create(c, privileged_pod()))
        create(c, psp("strict"))
        stored["metadata"]["labels"] = {"a": "b"}
        with pytest.raises(APIError) as err:
            c.api.update(stored)
        assert err.value.message == (
            f'pods "priv" is forbidden: PodSecurityPolicy: unable to validate pod: [{PRIVILEGED_ERROR}]'
        )


class TestKubectlWords:
    def test_created_with_the_extensions_version_and_its_warning(self):
        from engine.apply import apply_object

        c = cluster()
        obj = psp("permissive")
        obj["apiVersion"] = "extensions/v1beta1"
        outcome = apply_object(c, obj)
        assert outcome.line() == "podsecuritypolicy.extensions/permissive created"
        (warning,) = outcome.warnings
        assert warning.endswith(
            "extensions/v1beta1 PodSecurityPolicy is deprecated in v1.11+, unavailable in v1.16+; "
            "use policy/v1beta1 PodSecurityPolicy"
        )
        assert c.store.get("PodSecurityPolicy", "", "permissive")["apiVersion"] == "policy/v1beta1"

    def test_policy_v1beta1_warns_of_its_removal(self):
        c = cluster()
        result = c.api.create(psp("p"))
        assert result.warnings == [
            "policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+"
        ]

    def test_allow_privilege_escalation_defaults_to_true(self):
        c = cluster()
        assert create(c, psp("p"))["spec"]["allowPrivilegeEscalation"] is True

    def test_delete_by_short_name(self):
        from engine.actions import delete

        c = cluster()
        create(c, psp("permissive"))
        assert delete(c, "psp/permissive").lines == [
            'podsecuritypolicy.policy "permissive" deleted'
        ]
