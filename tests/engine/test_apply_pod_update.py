"""ValidatePodUpdate: what an update may change in a pod's spec."""

from __future__ import annotations

import copy

import pytest

from engine.api.core.pod_update import spec_diff, validate_pod_update


def pod(**spec: object) -> dict:
    base = {
        "containers": [{"name": "app", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"}],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
    }
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": base}


def changed(live: dict, **spec: object) -> dict:
    new = copy.deepcopy(live)
    new["spec"].update(spec)
    return new


def messages(live: dict, new: dict) -> list[str]:
    return [m.split("\n")[0] for _, m in validate_pod_update(live, new)]


FORBIDDEN = "spec: Forbidden: pod updates may not change fields other than"


class TestAllowedChanges:
    def test_a_new_image_is_allowed(self) -> None:
        live = pod()
        new = copy.deepcopy(live)
        new["spec"]["containers"][0]["image"] = "nginx:1.27"
        assert messages(live, new) == []

    def test_setting_and_lowering_active_deadline_seconds(self) -> None:
        live = pod()
        assert messages(live, changed(live, activeDeadlineSeconds=60)) == []
        live = pod(activeDeadlineSeconds=60)
        assert messages(live, changed(live, activeDeadlineSeconds=30)) == []

    def test_adding_a_toleration_and_changing_toleration_seconds(self) -> None:
        existing = {
            "key": "k",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 60,
        }
        live = pod(tolerations=[existing])
        longer = {**existing, "tolerationSeconds": 600}
        added = {"key": "other", "operator": "Exists"}
        assert messages(live, changed(live, tolerations=[longer, added])) == []

    def test_removing_a_scheduling_gate(self) -> None:
        live = pod(schedulingGates=[{"name": "a"}, {"name": "b"}])
        assert messages(live, changed(live, schedulingGates=[{"name": "b"}])) == []

    def test_grace_period_from_negative_to_one(self) -> None:
        live = pod(terminationGracePeriodSeconds=-1)
        assert messages(live, changed(live, terminationGracePeriodSeconds=1)) == []


class TestRefusedChanges:
    @pytest.mark.parametrize(
        ("spec", "expected"),
        [
            ({"restartPolicy": "Never"}, FORBIDDEN),
            ({"terminationGracePeriodSeconds": 5}, FORBIDDEN),
            ({"nodeSelector": {"disk": "ssd"}}, FORBIDDEN),
            ({"tolerations": [{"key": "x", "operator": "Exists"}]}, None),
        ],
    )
    def test_other_fields_are_immutable(self, spec: dict, expected: str | None) -> None:
        live = pod()
        result = messages(live, changed(live, **spec))
        if expected is None:
            assert result == []
        else:
            assert len(result) == 1 and result[0].startswith(expected)

    def test_adding_a_container(self) -> None:
        live = pod()
        new = copy.deepcopy(live)
        new["spec"]["containers"].append({"name": "b", "image": "busybox"})
        assert messages(live, new) == [
            "spec.containers: Forbidden: pod updates may not add or remove containers"
        ]

    def test_raising_active_deadline_seconds(self) -> None:
        live = pod(activeDeadlineSeconds=30)
        assert messages(live, changed(live, activeDeadlineSeconds=60)) == [
            "spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"
        ]

    def test_unsetting_active_deadline_seconds(self) -> None:
        live = pod(activeDeadlineSeconds=30)
        new = copy.deepcopy(live)
        del new["spec"]["activeDeadlineSeconds"]
        assert messages(live, new) == [
            'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value'
        ]

    def test_modifying_an_existing_toleration(self) -> None:
        live = pod(tolerations=[{"key": "k", "operator": "Exists"}])
        assert messages(live, changed(live, tolerations=[{"key": "k2", "operator": "Exists"}])) == [
            "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"
        ]

    def test_adding_a_scheduling_gate(self) -> None:
        live = pod(schedulingGates=[{"name": "a"}])
        assert messages(live, changed(live, schedulingGates=[{"name": "a"}, {"name": "new"}])) == [
            "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'new'"
        ]

    def test_an_image_change_with_another_change_is_refused_whole(self) -> None:
        live = pod()
        new = copy.deepcopy(live)
        new["spec"]["containers"][0]["image"] = "nginx:1.27"
        new["spec"]["containers"][0]["args"] = ["--debug"]
        [(path, message)] = validate_pod_update(live, new)
        assert path == ("spec",)
        # The diff shows the old image on both sides: allowed fields are put back first.
        assert "nginx:1.27" not in message
        assert '- \t\t\tArgs: nil,\n+ \t\t\tArgs: {"--debug"},' in message


class TestSpecDiff:
    def test_the_diff_reads_like_go_cmp(self) -> None:
        old = pod()["spec"]
        new = copy.deepcopy(old)
        new["restartPolicy"] = "Never"
        assert spec_diff(old, new) == (
            "  core.PodSpec{\n"
            "  \t... // 2 identical fields\n"
            '  \tContainers: {{Name: "app", Image: "nginx:1.25", ImagePullPolicy: "IfNotPresent"}},\n'
            "  \tEphemeralContainers: nil,\n"
            '- \tRestartPolicy: "Always",\n'
            '+ \tRestartPolicy: "Never",\n'
            "  \tTerminationGracePeriodSeconds: &30,\n"
            "  \tActiveDeadlineSeconds: nil,\n"
            "  \t... // 27 identical fields\n"
            "  }\n"
        )
