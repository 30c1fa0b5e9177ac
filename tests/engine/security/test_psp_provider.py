"""One PodSecurityPolicy against one pod (provider.go, 1.24): MutatePod's defaults and
ValidatePod's messages, field by field and strategy by strategy."""

from __future__ import annotations

import copy

import pytest

from engine.security.fielderr import GoSlice, go_value
from engine.security.psp.provider import mutate_pod, new_provider, validate_pod
from engine.security.psp.strategies import ProviderError, create_strategies, equal_levels
from engine.security.psp.volumes import has_path_prefix, only_service_account_token_sources

from .helpers import container, pod, psp

C0 = "spec.containers[0]"
SC = f"{C0}.securityContext"


def admit(policy: dict, subject: dict) -> tuple[dict, list[str]]:
    """MutatePod then ValidatePod on a copy, as admission does."""
    provider = new_provider(policy)
    candidate = copy.deepcopy(subject)
    mutate_pod(provider, candidate)
    return candidate, validate_pod(provider, candidate)


def errors_of(policy: dict, subject: dict) -> list[str]:
    return admit(policy, subject)[1]


def with_sc(**sc) -> dict:
    return pod(containers=[container(securityContext=sc)])


class TestGoValues:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (None, '"null"'),
            (True, "true"),
            (0, "0"),
            ("secret", '"secret"'),
            (GoSlice("int64", [1, 2]), "[]int64{1, 2}"),
            (GoSlice("int64", None), "[]int64(nil)"),
            (GoSlice("core.Capability", ["FOO"]), '[]core.Capability{"FOO"}'),
        ],
    )
    def test_field_error_values_print_as_go_prints_them(self, value, text):
        assert go_value(value) == text


class TestHostNamespacesAndPrivileges:
    @pytest.mark.parametrize(
        ("spec", "policy_field", "message"),
        [
            (
                {"hostNetwork": True},
                "hostNetwork",
                "spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used",
            ),
            (
                {"hostPID": True},
                "hostPID",
                "spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used",
            ),
            (
                {"hostIPC": True},
                "hostIPC",
                "spec.securityContext.hostIPC: Invalid value: true: Host IPC is not allowed to be used",
            ),
        ],
    )
    def test_host_namespaces_need_the_policy_to_allow_them(self, spec, policy_field, message):
        subject = pod(**spec)
        assert errors_of(psp("p"), subject) == [message]
        assert errors_of(psp("p", **{policy_field: True}), subject) == []

    def test_privileged_containers_need_a_privileged_policy(self):
        subject = with_sc(privileged=True)
        assert errors_of(psp("p"), subject) == [
            f"{SC}.privileged: Invalid value: true: Privileged containers are not allowed"
        ]
        assert errors_of(psp("p", privileged=True), subject) == []

    @pytest.mark.parametrize(
        ("allowed", "proc_mount", "ok"),
        [
            (None, None, True),
            (None, "Default", True),
            (None, "Unmasked", False),
            (["Default", "Unmasked"], "Unmasked", True),
        ],
    )
    def test_proc_mount_defaults_to_only_default_allowed(self, allowed, proc_mount, ok):
        policy = psp("p", **({"allowedProcMountTypes": allowed} if allowed else {}))
        subject = with_sc(procMount=proc_mount) if proc_mount else pod()
        expected = (
            []
            if ok
            else [f'{SC}.procMount: Invalid value: "Unmasked": ProcMountType is not allowed']
        )
        assert errors_of(policy, subject) == expected


class TestHostPorts:
    @pytest.mark.parametrize(
        ("ranges", "port", "message"),
        [
            ([{"min": 8000, "max": 8080}], 8080, None),
            ([{"min": 8000, "max": 8080}], 8000, None),
            (
                [{"min": 8000, "max": 8080}],
                9000,
                "Host port 9000 is not allowed to be used. Allowed ports: [8000-8080]",
            ),
            ([], 80, "Host port 80 is not allowed to be used. Allowed ports: []"),
            # hasInvalidHostPort skips only hostPort 0 (unset): port 1 is checked like any
            # other, at both ends of a range (psp/provider.go isValidHostPort, 1.24).
            ([{"min": 1, "max": 1}], 1, None),
            (
                [{"min": 8000, "max": 8080}],
                1,
                "Host port 1 is not allowed to be used. Allowed ports: [8000-8080]",
            ),
            (
                [{"min": 2, "max": 65535}],
                1,
                "Host port 1 is not allowed to be used. Allowed ports: [2-65535]",
            ),
            (
                [{"min": 80, "max": 80}, {"min": 8000, "max": 8080}],
                443,
                "Host port 443 is not allowed to be used. Allowed ports: [80,8000-8080]",
            ),
        ],
    )
    def test_host_ports_must_fall_in_an_allowed_range(self, ranges, port, message):
        subject = pod(containers=[container(ports=[{"containerPort": 80, "hostPort": port}])])
        expected = [] if message is None else [f"{C0}.hostPort: Invalid value: {port}: {message}"]
        assert errors_of(psp("p", hostPorts=ranges), subject) == expected

    def test_container_ports_without_host_ports_are_always_fine(self):
        subject = pod(containers=[container(ports=[{"containerPort": 80}])])
        assert errors_of(psp("p"), subject) == []


class TestVolumes:
    @pytest.mark.parametrize(
        ("allowed", "volume", "message"),
        [
            (["*"], {"name": "v", "hostPath": {"path": "/etc"}}, None),
            (["emptyDir"], {"name": "v", "emptyDir": {}}, None),
            (
                ["emptyDir"],
                {"name": "v", "secret": {"secretName": "s"}},
                'spec.volumes[0]: Invalid value: "secret": secret volumes are not allowed to be used',
            ),
            (
                [],
                {"name": "v", "configMap": {"name": "c"}},
                'spec.volumes[0]: Invalid value: "configMap": configMap volumes are not allowed to be used',
            ),
        ],
    )
    def test_volume_types_must_be_listed_empty_allows_none(self, allowed, volume, message):
        subject = pod(volumes=[volume])
        expected = [] if message is None else [message]
        assert errors_of(psp("p", volumes=allowed), subject) == expected

    def test_the_service_account_token_volume_counts_as_a_secret(self):
        token = {
            "name": "kube-api-access-abcde",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "name": "kube-root-ca.crt",
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                }
                            ]
                        }
                    },
                ]
            },
        }
        assert only_service_account_token_sources(token["projected"])
        assert errors_of(psp("p", volumes=["secret"]), pod(volumes=[token])) == []
        assert errors_of(psp("p", volumes=["emptyDir"]), pod(volumes=[token])) == [
            'spec.volumes[0]: Invalid value: "projected": projected volumes are not allowed to be used'
        ]

    @pytest.mark.parametrize(
        ("path", "prefix", "matches"),
        [
            ("/foo", "/foo", True),
            ("/foo/", "/foo", True),
            ("/foo/bar", "/foo", True),
            ("/foo/bar", "/foo/", True),
            ("/food", "/foo", False),
            ("/etc/foo", "/foo", False),
        ],
    )
    def test_host_path_prefixes_match_whole_path_segments(self, path, prefix, matches):
        assert has_path_prefix(path, prefix) is matches

    def test_host_path_outside_the_allowed_prefixes_is_refused(self):
        subject = pod(volumes=[{"name": "h", "hostPath": {"path": "/tmp"}}])
        policy = psp("p", allowedHostPaths=[{"pathPrefix": "/var/log"}])
        assert errors_of(policy, subject) == [
            'spec.volumes[0].hostPath.pathPrefix: Invalid value: "/tmp": is not allowed to be used'
        ]

    def test_a_read_only_host_path_needs_read_only_mounts(self):
        subject = pod(
            containers=[container(volumeMounts=[{"name": "h", "mountPath": "/logs"}])],
            volumes=[{"name": "h", "hostPath": {"path": "/var/log/app"}}],
        )
        policy = psp("p", allowedHostPaths=[{"pathPrefix": "/var/log", "readOnly": True}])
        assert errors_of(policy, subject) == [
            f"{C0}.volumeMounts[0].readOnly: Invalid value: false: must be read-only"
        ]
        subject["spec"]["containers"][0]["volumeMounts"][0]["readOnly"] = True
        assert errors_of(policy, subject) == []

    def test_flex_volume_drivers_must_be_listed_when_the_list_is_set(self):
        subject = pod(volumes=[{"name": "f", "flexVolume": {"driver": "example/cifs"}}])
        assert errors_of(psp("p"), subject) == []
        policy = psp("p", allowedFlexVolumes=[{"driver": "example/lvm"}])
        assert errors_of(policy, subject) == [
            'spec.volumes[0].driver: Invalid value: "example/cifs": Flexvolume driver is not allowed to be used'
        ]

    def test_inline_csi_drivers_must_be_listed_when_the_list_is_set(self):
        subject = pod(volumes=[{"name": "c", "csi": {"driver": "csi.example.com"}}])
        policy = psp("p", allowedCSIDrivers=[{"name": "other.example.com"}])
        assert errors_of(policy, subject) == [
            'spec.volumes[0].csi.driver: Invalid value: "csi.example.com": Inline CSI driver is not allowed to be used'
        ]


class TestRunAsUser:
    RANGES = [{"min": 1000, "max": 2000}]

    def test_must_run_as_defaults_the_first_range_min(self):
        mutated, errors = admit(
            psp("p", runAsUser={"rule": "MustRunAs", "ranges": self.RANGES}), pod()
        )
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"] == {"runAsUser": 1000}

    def test_must_run_as_refuses_a_uid_outside_the_ranges(self):
        policy = psp("p", runAsUser={"rule": "MustRunAs", "ranges": self.RANGES})
        assert errors_of(policy, with_sc(runAsUser=5)) == [
            f"{SC}.runAsUser: Invalid value: 5: must be in the ranges: [{{1000 2000}}]"
        ]

    def test_a_pod_level_uid_is_inherited_and_not_copied_into_containers(self):
        policy = psp("p", runAsUser={"rule": "MustRunAs", "ranges": self.RANGES})
        subject = pod(securityContext={"runAsUser": 1500})
        mutated, errors = admit(policy, subject)
        assert errors == []
        assert "securityContext" not in mutated["spec"]["containers"][0]

    @pytest.mark.parametrize(
        ("sc", "expected_sc", "errors"),
        [
            # unset: the plugin asks the kubelet to check the image (runAsNonRoot: true)
            ({}, {"runAsNonRoot": True}, []),
            ({"runAsUser": 1000}, {"runAsUser": 1000}, []),
            (
                {"runAsUser": 0},
                {"runAsUser": 0},
                [f"{SC}.runAsUser: Invalid value: 0: running with the root UID is forbidden"],
            ),
            (
                {"runAsNonRoot": False},
                {"runAsNonRoot": False},
                [f"{SC}.runAsNonRoot: Invalid value: false: must be true"],
            ),
        ],
    )
    def test_must_run_as_non_root(self, sc, expected_sc, errors):
        policy = psp("p", runAsUser={"rule": "MustRunAsNonRoot"})
        subject = with_sc(**sc) if sc else pod()
        mutated, found = admit(policy, subject)
        assert found == errors
        assert mutated["spec"]["containers"][0].get("securityContext") == expected_sc

    def test_run_as_any_accepts_root(self):
        assert errors_of(psp("p"), with_sc(runAsUser=0)) == []


class TestGroups:
    RANGES = [{"min": 1, "max": 65535}]

    def test_must_run_as_fills_fs_group_and_supplemental_groups(self):
        policy = psp(
            "p",
            fsGroup={"rule": "MustRunAs", "ranges": self.RANGES},
            supplementalGroups={"rule": "MustRunAs", "ranges": self.RANGES},
        )
        mutated, errors = admit(policy, pod(securityContext={}))
        assert errors == []
        assert mutated["spec"]["securityContext"] == {"fsGroup": 1, "supplementalGroups": [1]}

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            (
                "fsGroup",
                0,
                "spec.securityContext.fsGroup: Invalid value: []int64{0}: group 0 must be in the ranges: [{1 65535}]",
            ),
            (
                "supplementalGroups",
                [0, 5],
                "spec.securityContext.supplementalGroups: Invalid value: []int64{0, 5}: group 0 must be in the ranges: [{1 65535}]",
            ),
        ],
    )
    def test_must_run_as_refuses_groups_outside_the_ranges(self, field, value, message):
        policy = psp("p", **{field: {"rule": "MustRunAs", "ranges": self.RANGES}})
        assert errors_of(policy, pod(securityContext={field: value})) == [message]

    def test_may_run_as_leaves_unset_groups_unset_but_checks_set_ones(self):
        policy = psp("p", fsGroup={"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]})
        mutated, errors = admit(policy, pod(securityContext={}))
        assert errors == [] and mutated["spec"]["securityContext"] == {}
        assert errors_of(policy, pod(securityContext={"fsGroup": 5})) == [
            "spec.securityContext.fsGroup: Invalid value: []int64{5}: group 5 must be in the ranges: [{100 200}]"
        ]

    def test_run_as_group_errors_carry_the_security_context_path(self):
        policy = psp("p", runAsGroup={"rule": "MustRunAs", "ranges": [{"min": 10, "max": 20}]})
        assert errors_of(policy, with_sc(runAsGroup=0)) == [
            f"{SC}: Invalid value: []int64{{0}}: group 0 must be in the ranges: [{{10 20}}]"
        ]
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"] == {"runAsGroup": 10}


class TestSELinux:
    OPTIONS = {"level": "s0:c0,c6", "role": "r", "type": "t", "user": "u"}

    def test_must_run_as_sets_the_pod_options_containers_inherit(self):
        policy = psp("p", seLinux={"rule": "MustRunAs", "seLinuxOptions": self.OPTIONS})
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["spec"]["securityContext"]["seLinuxOptions"] == self.OPTIONS
        assert "securityContext" not in mutated["spec"]["containers"][0]

    def test_must_run_as_refuses_other_options(self):
        policy = psp("p", seLinux={"rule": "MustRunAs", "seLinuxOptions": self.OPTIONS})
        subject = with_sc(seLinuxOptions={"level": "s0:c1", "role": "r", "type": "x", "user": "u"})
        assert errors_of(policy, subject) == [
            f'{SC}.seLinuxOptions.level: Invalid value: "s0:c1": must be s0:c0,c6',
            f'{SC}.seLinuxOptions.type: Invalid value: "x": must be t',
        ]

    @pytest.mark.parametrize(
        ("expected", "actual", "equal"),
        [
            ("s0:c0,c6", "s0:c6,c0", True),
            ("s0:c0,c6", "s0:c0", False),
            ("s0", "s0", True),
            ("s0:c0", "s1:c0", False),
        ],
    )
    def test_levels_compare_categories_in_any_order(self, expected, actual, equal):
        assert equal_levels(expected, actual) is equal


class TestCapabilities:
    def test_required_drops_and_default_adds_are_filled_in(self):
        policy = psp(
            "p", requiredDropCapabilities=["ALL"], defaultAddCapabilities=["NET_BIND_SERVICE"]
        )
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"] == {
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}
        }

    def test_a_default_add_the_container_drops_is_not_added(self):
        policy = psp("p", defaultAddCapabilities=["NET_RAW"])
        mutated, errors = admit(policy, with_sc(capabilities={"drop": ["NET_RAW"]}))
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"]["capabilities"] == {
            "drop": ["NET_RAW"]
        }

    @pytest.mark.parametrize(
        ("policy_spec", "caps", "errors"),
        [
            (
                {},
                {"add": ["NET_ADMIN"]},
                [f'{SC}.capabilities.add: Invalid value: "NET_ADMIN": capability may not be added'],
            ),
            ({"allowedCapabilities": ["NET_ADMIN"]}, {"add": ["NET_ADMIN"]}, []),
            ({"allowedCapabilities": ["*"]}, {"add": ["SYS_ADMIN"]}, []),
            ({"defaultAddCapabilities": ["CHOWN"]}, {"add": ["CHOWN"]}, []),
        ],
    )
    def test_added_capabilities_must_be_allowed_or_default(self, policy_spec, caps, errors):
        assert errors_of(psp("p", **policy_spec), with_sc(capabilities=caps)) == errors

    def test_validation_alone_reports_a_missing_required_drop(self):
        provider = new_provider(psp("p", requiredDropCapabilities=["NET_RAW"]))
        subject = with_sc(capabilities={"drop": ["CHOWN"]})
        assert validate_pod(provider, subject) == [
            f'{SC}.capabilities.drop: Invalid value: []core.Capability{{"CHOWN"}}: NET_RAW is required to be dropped but was not found'
        ]
        assert validate_pod(provider, pod()) == [
            f'{SC}.capabilities: Invalid value: "null": required capabilities are not set on the securityContext'
        ]


class TestContainerFlags:
    def test_read_only_root_filesystem_is_defaulted_then_enforced(self):
        policy = psp("p", readOnlyRootFilesystem=True)
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"] == {
            "readOnlyRootFilesystem": True
        }
        assert errors_of(policy, with_sc(readOnlyRootFilesystem=False)) == [
            f"{SC}.readOnlyRootFilesystem: Invalid value: false: ReadOnlyRootFilesystem must be set to true"
        ]

    def test_allow_privilege_escalation_false_defaults_then_refuses_true(self):
        policy = psp("p", allowPrivilegeEscalation=False)
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"] == {
            "allowPrivilegeEscalation": False
        }
        assert errors_of(policy, with_sc(allowPrivilegeEscalation=True)) == [
            f"{SC}.allowPrivilegeEscalation: Invalid value: true: Allowing privilege escalation for containers is not allowed"
        ]

    def test_default_allow_privilege_escalation_fills_unset_containers(self):
        policy = psp("p", defaultAllowPrivilegeEscalation=False)
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["spec"]["containers"][0]["securityContext"] == {
            "allowPrivilegeEscalation": False
        }

    def test_init_containers_are_checked_before_containers(self):
        subject = pod(
            initContainers=[container(name="init", securityContext={"privileged": True})],
            containers=[container(securityContext={"privileged": True})],
        )
        assert errors_of(psp("p"), subject) == [
            "spec.initContainers[0].securityContext.privileged: Invalid value: true: Privileged containers are not allowed",
            f"{SC}.privileged: Invalid value: true: Privileged containers are not allowed",
        ]


class TestSysctlsSeccompAppArmor:
    @pytest.mark.parametrize(
        ("policy_spec", "name", "message"),
        [
            ({}, "kernel.shm_rmid_forced", None),
            ({}, "net.core.somaxconn", 'unsafe sysctl "net.core.somaxconn" is not allowed'),
            ({"allowedUnsafeSysctls": ["net.core.*"]}, "net.core.somaxconn", None),
            (
                {"forbiddenSysctls": ["kernel.*"]},
                "kernel.shm_rmid_forced",
                'sysctl "kernel.shm_rmid_forced" is not allowed',
            ),
        ],
    )
    def test_sysctls(self, policy_spec, name, message):
        subject = pod(securityContext={"sysctls": [{"name": name, "value": "1"}]})
        expected = (
            []
            if message is None
            else [f"pod.spec.securityContext.sysctls[0]: Forbidden: {message}"]
        )
        assert errors_of(psp("p", **policy_spec), subject) == expected

    def test_seccomp_default_profile_is_set_and_others_refused(self):
        policy = psp("p")
        policy["metadata"]["annotations"] = {
            "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "runtime/default",
            "seccomp.security.alpha.kubernetes.io/defaultProfileName": "runtime/default",
        }
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["metadata"]["annotations"] == {
            "seccomp.security.alpha.kubernetes.io/pod": "runtime/default"
        }
        unconfined = pod(securityContext={"seccompProfile": {"type": "Unconfined"}})
        assert errors_of(policy, unconfined) == [
            "pod.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: "
            "unconfined is not an allowed seccomp profile. Valid values are runtime/default",
            "pod.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: "
            "Forbidden: unconfined is not an allowed seccomp profile. Valid values are runtime/default",
        ]

    def test_seccomp_may_not_be_set_when_the_policy_lists_no_profiles(self):
        subject = pod(securityContext={"seccompProfile": {"type": "RuntimeDefault"}})
        assert errors_of(psp("p"), subject)[0] == (
            "pod.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: "
            "seccomp may not be set"
        )

    def test_apparmor_default_is_set_per_container(self):
        policy = psp("p")
        policy["metadata"]["annotations"] = {
            "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default",
            "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default",
        }
        mutated, errors = admit(policy, pod())
        assert errors == []
        assert mutated["metadata"]["annotations"] == {
            "container.apparmor.security.beta.kubernetes.io/app": "runtime/default"
        }


class TestStrategyFactory:
    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ({"runAsUser": {"rule": "MustRunAs"}}, "MustRunAs requires at least one range"),
            ({"runAsUser": {"rule": "Nobody"}}, "Unrecognized RunAsUser strategy type Nobody"),
            ({"fsGroup": {"rule": "MustRunAs"}}, "ranges must be supplied for MustRunAs"),
            ({"seLinux": {"rule": "MustRunAs"}}, "MustRunAs requires SELinuxOptions"),
        ],
    )
    def test_policies_whose_strategies_cannot_be_built_give_no_provider(self, spec, message):
        with pytest.raises(ProviderError) as err:
            create_strategies(psp("p", **spec))
        assert str(err.value) == message
