"""PodPreset's merge and conflict rules (plugin/pkg/admission/podpreset, release-1.19).

Every preset that matches the pod is checked first, against the pod and against each
other: an env var, a volume mount (by name and by mount path) or a volume that the pod or
an earlier preset already has with a different value is a conflict. Any conflict, in any
container, means no preset is applied at all. Otherwise env, envFrom and volumeMounts go
into every container and init container, volumes into the pod, each only if missing
(envFrom is always appended), and the pod is annotated once per preset with the preset's
resourceVersion.
"""

from __future__ import annotations

import copy
import json

ANNOTATION_PREFIX = "podpreset.admission.kubernetes.io"
EXCLUDE_ANNOTATION = f"{ANNOTATION_PREFIX}/exclude"


def _show(value: dict) -> str:
    # Upstream prints the Go structs with %#v; podtui prints the same values as JSON.
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def merge_env(env: list[dict], presets: list[dict]) -> tuple[list[dict], list[str]]:
    """mergeEnv: same name with a different value or valueFrom is a conflict."""
    original = {v.get("name"): v for v in env}
    merged = list(env)
    problems = []
    for preset in presets:
        for var in (preset.get("spec") or {}).get("env") or []:
            found = original.get(var.get("name"))
            if found is None:
                original[var.get("name")] = var
                merged.append(copy.deepcopy(var))
            elif found != var:
                problems.append(
                    f"merging env for {_name(preset)} has a conflict on {var.get('name')}: "
                    f"{_show(var)} does not match {_show(found)} in container"
                )
    return merged, problems


def merge_env_from(env_from: list[dict], presets: list[dict]) -> list[dict]:
    """mergeEnvFrom: every preset's envFrom is appended (no conflicts)."""
    merged = list(env_from)
    for preset in presets:
        merged += copy.deepcopy((preset.get("spec") or {}).get("envFrom") or [])
    return merged


def merge_volume_mounts(mounts: list[dict], presets: list[dict]) -> tuple[list[dict], list[str]]:
    """mergeVolumeMounts: conflicts by name and, separately, by mount path."""
    by_name = {m.get("name"): m for m in mounts}
    by_path = {m.get("mountPath"): m for m in mounts}
    merged = list(mounts)
    problems = []
    for preset in presets:
        for mount in (preset.get("spec") or {}).get("volumeMounts") or []:
            found = by_name.get(mount.get("name"))
            if found is None:
                by_name[mount.get("name")] = mount
                merged.append(copy.deepcopy(mount))
            elif found != mount:
                problems.append(
                    f"merging volume mounts for {_name(preset)} has a conflict on "
                    f"{mount.get('name')}: {_show(mount)} does not match {_show(found)} in container"
                )
            found = by_path.get(mount.get("mountPath"))
            if found is None:
                by_path[mount.get("mountPath")] = mount
            elif found != mount:
                problems.append(
                    f"merging volume mounts for {_name(preset)} has a conflict on mount path "
                    f"{mount.get('mountPath')}: {_show(mount)} does not match {_show(found)} in container"
                )
    return merged, problems


def merge_volumes(volumes: list[dict], presets: list[dict]) -> tuple[list[dict], list[str]]:
    """mergeVolumes: same name with a different source is a conflict."""
    original = {v.get("name"): v for v in volumes}
    merged = list(volumes)
    problems = []
    for preset in presets:
        for volume in (preset.get("spec") or {}).get("volumes") or []:
            found = original.get(volume.get("name"))
            if found is None:
                original[volume.get("name")] = volume
                merged.append(copy.deepcopy(volume))
            elif found != volume:
                problems.append(
                    f"merging volumes for {_name(preset)} has a conflict on {volume.get('name')}: "
                    f"{_show(volume)} does not match {_show(found)} in container"
                )
    return merged, problems


def _name(preset: dict) -> str:
    return (preset.get("metadata") or {}).get("name", "")


def conflicts(pod: dict, presets: list[dict]) -> list[str]:
    """safeToApplyPodPresetsOnPod: every conflict, pod volumes first, then each container."""
    spec = pod.get("spec") or {}
    problems = merge_volumes(spec.get("volumes") or [], presets)[1]
    for group in ("containers", "initContainers"):
        for container in spec.get(group) or []:
            problems += merge_env(container.get("env") or [], presets)[1]
            problems += merge_volume_mounts(container.get("volumeMounts") or [], presets)[1]
    return problems


def apply_presets(pod: dict, presets: list[dict]) -> None:
    """applyPodPresetsOnPod (call only when `conflicts` found none)."""
    if not presets:
        return
    spec = pod.setdefault("spec", {})
    volumes, _ = merge_volumes(spec.get("volumes") or [], presets)
    if volumes:
        spec["volumes"] = volumes
    for group in ("containers", "initContainers"):
        for container in spec.get(group) or []:
            env, _ = merge_env(container.get("env") or [], presets)
            if env:
                container["env"] = env
            mounts, _ = merge_volume_mounts(container.get("volumeMounts") or [], presets)
            if mounts:
                container["volumeMounts"] = mounts
            env_from = merge_env_from(container.get("envFrom") or [], presets)
            if env_from:
                container["envFrom"] = env_from
    annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
    for preset in presets:
        key = f"{ANNOTATION_PREFIX}/podpreset-{_name(preset)}"
        annotations[key] = (preset.get("metadata") or {}).get("resourceVersion", "")
