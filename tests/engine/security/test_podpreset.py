"""PodPreset (release-1.19): the merge and conflict tables, selection, opt-out, the
annotation, creation-time injection, and podtui's conflict event."""

from __future__ import annotations

import copy

import pytest

from engine.security.podpreset.merge import (
    apply_presets,
    conflicts,
    merge_env,
    merge_volume_mounts,
    merge_volumes,
)

from .helpers import cluster, container, create, pod


def preset(name: str = "db", selector: dict | None = None, **spec) -> dict:
    body = {"selector": selector if selector is not None else {"matchLabels": {"role": "frontend"}}}
    body.update(copy.deepcopy(spec))
    return {
        "apiVersion": "settings.k8s.io/v1alpha1",
        "kind": "PodPreset",
        "metadata": {"name": name, "namespace": "default", "resourceVersion": "7"},
        "spec": body,
    }


ENV_6379 = {"name": "DB_PORT", "value": "6379"}
ENV_6380 = {"name": "DB_PORT", "value": "6380"}
CACHE_MOUNT = {"name": "cache", "mountPath": "/cache"}
CACHE_VOLUME = {"name": "cache", "emptyDir": {}}


class TestMergeEnv:
    @pytest.mark.parametrize(
        ("existing", "injected", "merged", "conflict"),
        [
            ([], [ENV_6379], [ENV_6379], False),
            ([ENV_6379], [ENV_6379], [ENV_6379], False),  # identical: no conflict, no duplicate
            ([ENV_6380], [ENV_6379], None, True),  # same name, other value
            (
                [{"name": "A", "value": "1"}],
                [ENV_6379],
                [{"name": "A", "value": "1"}, ENV_6379],
                False,
            ),
            (
                [{"name": "DB_PORT", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}],
                [ENV_6379],
                None,
                True,
            ),
        ],
    )
    def test_env_merges_by_name(self, existing, injected, merged, conflict):
        result, problems = merge_env(existing, [preset(env=injected)])
        assert bool(problems) is conflict
        if not conflict:
            assert result == merged

    def test_the_conflict_names_the_preset_and_the_variable(self):
        _, problems = merge_env([ENV_6380], [preset(env=[ENV_6379])])
        assert problems == [
            'merging env for db has a conflict on DB_PORT: {"name":"DB_PORT","value":"6379"} '
            'does not match {"name":"DB_PORT","value":"6380"} in container'
        ]

    def test_two_presets_can_conflict_with_each_other(self):
        _, problems = merge_env([], [preset("a", env=[ENV_6379]), preset("b", env=[ENV_6380])])
        assert problems[0].startswith("merging env for b has a conflict on DB_PORT")


class TestMergeVolumeMounts:
    @pytest.mark.parametrize(
        ("existing", "injected", "conflict_starts"),
        [
            ([], [CACHE_MOUNT], None),
            ([CACHE_MOUNT], [CACHE_MOUNT], None),
            (
                [{"name": "cache", "mountPath": "/other"}],
                [CACHE_MOUNT],
                "merging volume mounts for db has a conflict on cache:",
            ),
            (
                [{"name": "data", "mountPath": "/cache"}],
                [CACHE_MOUNT],
                "merging volume mounts for db has a conflict on mount path /cache:",
            ),
        ],
    )
    def test_mounts_conflict_by_name_and_by_mount_path(self, existing, injected, conflict_starts):
        _, problems = merge_volume_mounts(existing, [preset(volumeMounts=injected)])
        if conflict_starts is None:
            assert problems == []
        else:
            assert len(problems) == 1 and problems[0].startswith(conflict_starts)


class TestMergeVolumes:
    @pytest.mark.parametrize(
        ("existing", "injected", "conflict"),
        [
            ([], [CACHE_VOLUME], False),
            ([CACHE_VOLUME], [CACHE_VOLUME], False),
            ([{"name": "cache", "hostPath": {"path": "/tmp", "type": ""}}], [CACHE_VOLUME], True),
        ],
    )
    def test_volumes_conflict_by_name(self, existing, injected, conflict):
        merged, problems = merge_volumes(existing, [preset(volumes=injected)])
        assert bool(problems) is conflict
        if not conflict:
            assert [v["name"] for v in merged] == ["cache"]


class TestApply:
    def test_any_conflict_in_any_container_means_nothing_is_applied(self):
        subject = pod(
            containers=[container(name="a"), container(name="b", env=[ENV_6380])],
            volumes=[],
        )
        presets = [preset(env=[ENV_6379], volumeMounts=[CACHE_MOUNT], volumes=[CACHE_VOLUME])]
        assert len(conflicts(subject, presets)) == 1

    def test_everything_goes_into_every_container_and_init_container(self):
        subject = pod(initContainers=[container(name="init")])
        presets = [
            preset(
                env=[ENV_6379],
                envFrom=[{"configMapRef": {"name": "settings"}}],
                volumeMounts=[CACHE_MOUNT],
                volumes=[CACHE_VOLUME],
            )
        ]
        assert conflicts(subject, presets) == []
        apply_presets(subject, presets)
        for c in subject["spec"]["containers"] + subject["spec"]["initContainers"]:
            assert c["env"] == [ENV_6379]
            assert c["envFrom"] == [{"configMapRef": {"name": "settings"}}]
            assert c["volumeMounts"] == [CACHE_MOUNT]
        assert subject["spec"]["volumes"] == [CACHE_VOLUME]
        assert subject["metadata"]["annotations"] == {
            "podpreset.admission.kubernetes.io/podpreset-db": "7"
        }

    def test_env_from_is_always_appended(self):
        subject = pod(containers=[container(envFrom=[{"configMapRef": {"name": "settings"}}])])
        apply_presets(subject, [preset(envFrom=[{"configMapRef": {"name": "settings"}}])])
        assert len(subject["spec"]["containers"][0]["envFrom"]) == 2


class TestAdmission:
    def _website(self) -> dict:
        obj = pod("website", containers=[container()])
        obj["metadata"]["labels"] = {"role": "frontend"}
        return obj

    def test_a_matching_preset_is_injected_and_annotated_with_its_resource_version(self):
        c = cluster()
        stored_preset = create(
            c, preset(env=[ENV_6379], volumeMounts=[CACHE_MOUNT], volumes=[CACHE_VOLUME])
        )
        stored = create(c, self._website())
        app = stored["spec"]["containers"][0]
        assert app["env"] == [ENV_6379]
        assert app["volumeMounts"][0] == CACHE_MOUNT  # before the service account token mount
        assert stored["metadata"]["annotations"] == {
            "podpreset.admission.kubernetes.io/podpreset-db": stored_preset["metadata"][
                "resourceVersion"
            ]
        }

    def test_a_preset_in_another_namespace_does_not_apply(self):
        c = cluster()
        create(c, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
        other = preset(env=[ENV_6379])
        other["metadata"]["namespace"] = "other"
        create(c, other)
        assert "env" not in create(c, self._website())["spec"]["containers"][0]

    def test_a_selector_that_does_not_match_does_not_apply(self):
        c = cluster()
        create(c, preset(selector={"matchLabels": {"role": "backend"}}, env=[ENV_6379]))
        assert "env" not in create(c, self._website())["spec"]["containers"][0]

    def test_an_empty_selector_matches_every_pod(self):
        c = cluster()
        create(c, preset(selector={}, env=[ENV_6379]))
        assert create(c, pod("plain"))["spec"]["containers"][0]["env"] == [ENV_6379]

    def test_the_exclude_annotation_opts_out(self):
        c = cluster()
        create(c, preset(env=[ENV_6379]))
        obj = self._website()
        obj["metadata"]["annotations"] = {"podpreset.admission.kubernetes.io/exclude": "true"}
        assert "env" not in create(c, obj)["spec"]["containers"][0]

    def test_presets_apply_at_creation_only(self):
        c = cluster()
        create(c, self._website())
        create(c, preset(env=[ENV_6379]))
        assert "env" not in c.store.get("Pod", "default", "website")["spec"]["containers"][0]

    def test_a_conflict_injects_nothing_and_leaves_a_warning_event_on_the_pod(self):
        c = cluster()
        create(c, preset(env=[ENV_6379], volumeMounts=[CACHE_MOUNT], volumes=[CACHE_VOLUME]))
        obj = self._website()
        obj["spec"]["containers"][0]["env"] = [ENV_6380]
        stored = create(c, obj)
        assert stored["spec"]["containers"][0]["env"] == [ENV_6380]
        assert "podpreset.admission.kubernetes.io/podpreset-db" not in (
            stored["metadata"].get("annotations") or {}
        )
        (event,) = [e for e in c.events.events_for(stored) if e["reason"] == "PodPresetConflict"]
        assert event["type"] == "Warning"
        assert event["message"].startswith(
            "conflict occurred while applying podpresets: db on pod: website err: "
            "merging env for db has a conflict on DB_PORT:"
        )

    def test_a_preset_needs_something_to_inject(self):
        from engine.api.errors import APIError

        c = cluster()
        with pytest.raises(APIError) as err:
            create(c, preset())
        assert err.value.message == (
            'The PodPreset "db" is invalid: spec.volumes.env.envFrom.volumeMounts: '
            "Required value: must specify at least one"
        )
