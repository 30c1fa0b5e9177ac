"""ValidatePodSecurityPolicy: what each spec field may hold, in the API server's words."""

from __future__ import annotations

import pytest

from engine.api.errors import APIError

from .helpers import cluster, create, psp


def refusal(**spec) -> str:
    c = cluster()
    with pytest.raises(APIError) as err:
        create(c, psp("p", **spec))
    prefix = 'The PodSecurityPolicy "p" is invalid: '
    assert err.value.message.startswith(prefix)
    return err.value.message[len(prefix) :]


class TestPSPValidation:
    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            (
                {"runAsUser": {"rule": "Root"}},
                'spec.runAsUser.rule: Unsupported value: "Root": supported values: "MustRunAs", '
                '"MustRunAsNonRoot", "RunAsAny"',
            ),
            (
                {"seLinux": {"rule": "MayRunAs"}},
                'spec.seLinux.rule: Unsupported value: "MayRunAs": supported values: "MustRunAs", "RunAsAny"',
            ),
            (
                {"fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 5, "max": 1}]}},
                "spec.fsGroup.ranges[0].min: Invalid value: 5: min cannot be greater than max",
            ),
            (
                {"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": -1, "max": 1}]}},
                "spec.supplementalGroups.ranges[0].min: Invalid value: -1: min cannot be negative",
            ),
            (
                {"runAsGroup": {"rule": "MustRunAs"}},
                "spec.runAsGroup.ranges: Invalid value: []policy.IDRange(nil): must provide at least one range",
            ),
            (
                {"runAsGroup": {"rule": "RunAsAny", "ranges": [{"min": 1, "max": 2}]}},
                "spec.runAsGroup.ranges: Invalid value: []policy.IDRange{policy.IDRange{Min:1, Max:2}}: "
                "Ranges must be empty",
            ),
            (
                {"allowedCapabilities": ["*"], "requiredDropCapabilities": ["ALL"]},
                'requiredDropCapabilities: Invalid value: []core.Capability{"ALL"}: must be empty '
                "when all capabilities are allowed by a wildcard",
            ),
            (
                {"allowedCapabilities": ["NET_RAW"], "requiredDropCapabilities": ["NET_RAW"]},
                'allowedCapabilities: Invalid value: "NET_RAW": capability is listed in '
                "allowedCapabilities and requiredDropCapabilities",
            ),
            (
                {"allowPrivilegeEscalation": False, "defaultAllowPrivilegeEscalation": True},
                "spec.defaultAllowPrivilegeEscalation: Invalid value: true: Cannot set "
                "DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true",
            ),
            (
                {"allowedHostPaths": [{"pathPrefix": "/var/../etc"}]},
                "spec.allowedHostPaths[0]: Invalid value: \"/var/../etc\": must not contain '..'",
            ),
            (
                {"allowedUnsafeSysctls": ["net.*"], "forbiddenSysctls": ["net.core.somaxconn"]},
                'spec.forbiddenSysctls[0]: Invalid value: "net.core.somaxconn": sysctl overlaps with net.*',
            ),
        ],
    )
    def test_spec_validation(self, spec, message):
        assert refusal(**spec) == message

    def test_unknown_volume_types_list_the_supported_ones(self):
        message = refusal(volumes=["bindMount"])
        assert message.startswith(
            'spec.volumes: Unsupported value: "bindMount": supported values: "*", '
        )
        assert '"hostPath"' in message and '"projected"' in message

    def test_a_policy_without_ranges_for_must_run_as_is_accepted_but_unusable(self):
        c = cluster()
        stored = create(c, psp("p", runAsUser={"rule": "MustRunAs"}))
        assert stored["metadata"]["name"] == "p"

    def test_seccomp_annotations_must_name_profiles(self):
        c = cluster()
        obj = psp("p")
        obj["metadata"]["annotations"] = {
            "seccomp.security.alpha.kubernetes.io/defaultProfileName": "strict"
        }
        with pytest.raises(APIError) as err:
            create(c, obj)
        assert err.value.message == (
            'The PodSecurityPolicy "p" is invalid: metadata.annotations[seccomp.security.alpha.'
            'kubernetes.io/defaultProfileName]: Invalid value: "strict": must be a valid seccomp profile'
        )
