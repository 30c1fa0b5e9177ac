"""Pod Security Admission: the baseline and restricted checks (upstream's reasons and
details), versions, namespace labels, and the plugin's refusals and warnings."""

from __future__ import annotations

import pytest

from engine.api.errors import APIError
from engine.security.psa.admission import LevelVersion, policy_from_labels
from engine.security.psa.checks import checks_for, evaluate, forbidden_detail

from .helpers import cluster, container, create, namespace, pod

LATEST = (1, 32)


def detail(level: str, subject: dict, version=LATEST) -> str:
    return forbidden_detail(evaluate(level, version, subject["metadata"], subject["spec"]))


def with_sc(**sc) -> dict:
    return pod(containers=[container(securityContext=sc)])


RESTRICTED_OK = pod(
    securityContext={"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    containers=[
        container(
            securityContext={"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
        )
    ],
)


class TestBaseline:
    @pytest.mark.parametrize(
        ("subject", "expected"),
        [
            (pod(), ""),
            (
                pod(hostNetwork=True, hostPID=True),
                "host namespaces (hostNetwork=true, hostPID=true)",
            ),
            (
                with_sc(privileged=True),
                'privileged (container "app" must not set securityContext.privileged=true)',
            ),
            (
                with_sc(capabilities={"add": ["NET_ADMIN", "CHOWN"]}),
                'non-default capabilities (container "app" must not include "NET_ADMIN" in '
                "securityContext.capabilities.add)",
            ),
            (
                pod(volumes=[{"name": "h", "hostPath": {"path": "/"}}]),
                'hostPath volumes (volume "h")',
            ),
            (
                pod(containers=[container(ports=[{"containerPort": 80, "hostPort": 8080}])]),
                'hostPort (container "app" uses hostPort 8080)',
            ),
            (
                with_sc(procMount="Unmasked"),
                'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
            ),
            (
                with_sc(seLinuxOptions={"type": "spc_t", "user": "u"}),
                'seLinuxOptions (container "app" set forbidden securityContext.seLinuxOptions: '
                'type "spc_t"; user may not be set)',
            ),
            (
                pod(securityContext={"seccompProfile": {"type": "Unconfined"}}),
                'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
            ),
            (
                pod(securityContext={"sysctls": [{"name": "net.core.somaxconn", "value": "1"}]}),
                "forbidden sysctls (net.core.somaxconn)",
            ),
        ],
    )
    def test_baseline_checks(self, subject, expected):
        assert detail("baseline", subject) == expected

    def test_several_violations_are_listed_in_check_id_order(self):
        subject = pod(
            hostNetwork=True, containers=[container(securityContext={"privileged": True})]
        )
        assert detail("baseline", subject) == (
            "host namespaces (hostNetwork=true), "
            'privileged (container "app" must not set securityContext.privileged=true)'
        )

    def test_privileged_level_checks_nothing(self):
        assert checks_for("privileged", LATEST) == []


class TestRestricted:
    def test_a_plain_pod_misses_four_rules(self):
        assert detail("restricted", pod()) == (
            'allowPrivilegeEscalation != false (container "app" must set '
            "securityContext.allowPrivilegeEscalation=false), "
            'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), '
            'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), '
            'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to '
            '"RuntimeDefault" or "Localhost")'
        )

    def test_a_hardened_pod_passes(self):
        assert detail("restricted", RESTRICTED_OK) == ""

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            (
                {"runAsUser": 0},
                'runAsUser=0 (container "app" must not set runAsUser=0)',
            ),
            (
                {"runAsNonRoot": False},
                'runAsNonRoot != true (container "app" must not set securityContext.runAsNonRoot=false)',
            ),
            (
                {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "SYS_TIME"]}},
                'unrestricted capabilities (container "app" must not include "SYS_TIME" in '
                "securityContext.capabilities.add)",
            ),
        ],
    )
    def test_restricted_container_rules(self, change, expected):
        import copy

        subject = copy.deepcopy(RESTRICTED_OK)
        subject["spec"]["containers"][0]["securityContext"].update(change)
        assert detail("restricted", subject) == expected

    def test_restricted_volume_types_replace_the_host_path_check(self):
        subject = {
            **RESTRICTED_OK,
            "spec": {
                **RESTRICTED_OK["spec"],
                "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
            },
        }
        assert detail("restricted", subject) == (
            'restricted volume types (volume "h" uses restricted volume type "hostPath")'
        )

    def test_an_older_version_has_fewer_checks(self):
        # runAsUser=0 became a restricted check in 1.23, capabilities drop ALL in 1.22.
        ids = [i for i, _ in checks_for("restricted", (1, 21))]
        assert "runAsUser" not in ids and "capabilities_restricted" not in ids
        assert "capabilities_baseline" in ids


class TestNamespaceLabels:
    @pytest.mark.parametrize(
        ("labels", "enforce", "warn"),
        [
            ({}, "privileged:latest", "privileged:latest"),
            (
                {"pod-security.kubernetes.io/enforce": "baseline"},
                "baseline:latest",
                "baseline:latest",
            ),
            (
                {
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/enforce-version": "v1.24",
                },
                "baseline:v1.24",
                "baseline:v1.24",
            ),
            (
                {
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
                "baseline:latest",
                "restricted:latest",
            ),
            # an invalid enforce level fails closed
            (
                {"pod-security.kubernetes.io/enforce": "strict"},
                "restricted:latest",
                "privileged:latest",
            ),
        ],
    )
    def test_policy_from_labels(self, labels, enforce, warn):
        policy, _ = policy_from_labels(labels)
        assert (str(policy.enforce), str(policy.warn)) == (enforce, warn)

    def test_invalid_labels_are_refused_on_the_namespace(self):
        c = cluster()
        with pytest.raises(APIError) as err:
            create(c, namespace("x", {"pod-security.kubernetes.io/enforce": "strict"}))
        assert err.value.message == (
            'The Namespace "x" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: '
            'Invalid value: "strict": must be one of privileged, baseline, restricted'
        )

    def test_tightening_enforce_warns_about_the_pods_already_running(self):
        c = cluster()
        create(c, namespace("shop"))
        create(c, pod("a", "shop", hostNetwork=True))
        create(c, pod("b", "shop", hostNetwork=True))
        live = c.store.get("Namespace", "", "shop")
        import copy

        updated = copy.deepcopy(live)
        updated["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"
        result = c.api.update(updated)
        assert result.warnings == [
            'existing pods in namespace "shop" violate the new PodSecurity enforce level "baseline:latest"',
            "a (and 1 other pod): host namespaces",
        ]


class TestPlugin:
    def test_enforce_refuses_in_kubernetes_words(self):
        c = cluster()
        create(c, namespace("shop", {"pod-security.kubernetes.io/enforce": "baseline"}))
        with pytest.raises(APIError) as err:
            create(c, pod("web", "shop", hostNetwork=True))
        assert err.value.message == (
            'pods "web" is forbidden: violates PodSecurity "baseline:latest": '
            "host namespaces (hostNetwork=true)"
        )

    def test_warn_admits_with_a_warning(self):
        c = cluster()
        create(c, namespace("shop", {"pod-security.kubernetes.io/warn": "baseline"}))
        result = c.api.create(pod("web", "shop", hostNetwork=True))
        assert result.warnings == [
            'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'
        ]

    def test_a_namespace_without_labels_is_privileged(self):
        c = cluster()
        assert c.api.create(pod(hostNetwork=True)).warnings == []

    def test_psa_judges_the_pod_after_podsecuritypolicy_has_changed_it(self):
        from .helpers import psp

        c = cluster()
        create(c, namespace("shop", {"pod-security.kubernetes.io/enforce": "restricted"}))
        hardening = psp(
            "hardening",
            requiredDropCapabilities=["ALL"],
            allowPrivilegeEscalation=False,
            runAsUser={"rule": "MustRunAsNonRoot"},
        )
        # Without this a 1.24 PSP refuses any seccomp profile ("seccomp may not be set").
        hardening["metadata"]["annotations"] = {
            "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default"
        }
        create(c, hardening)
        subject = pod("web", "shop", securityContext={"seccompProfile": {"type": "RuntimeDefault"}})
        # PSP fills in drop ALL, no escalation and runAsNonRoot, which restricted requires.
        assert create(c, subject)["metadata"]["annotations"]["kubernetes.io/psp"] == "hardening"

    def test_level_version_prints_as_upstream(self):
        assert str(LevelVersion("restricted", (1, 24))) == "restricted:v1.24"
        assert str(LevelVersion("baseline")) == "baseline:latest"
