"""PodPreset validation and defaults (pkg/apis/settings/validation, release-1.19)."""

from __future__ import annotations

from engine.api.kinds import FieldErrors
from engine.api.validation import required, validate_object_meta
from engine.labels import SelectorError, label_selector_as_selector


def default_podpreset(obj: dict) -> None:
    """The core defaults the embedded volumes and env vars get (SetDefaults_Volume, ...), so a
    preset's volume compares equal to the same volume in a pod."""
    spec = obj.setdefault("spec", {})
    for volume in spec.get("volumes") or []:
        for source in ("secret", "configMap", "projected", "downwardAPI"):
            if isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", 420)
        if isinstance(volume.get("hostPath"), dict):
            volume["hostPath"].setdefault("type", "")
    for var in spec.get("env") or []:
        field_ref = (var.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")


def validate_podpreset(obj: dict) -> FieldErrors:
    """ValidatePodPreset: metadata, a valid selector, at least one thing to inject."""
    errors = validate_object_meta(obj, namespaced=True)
    spec = obj.get("spec") or {}
    try:
        label_selector_as_selector(spec.get("selector") or {})
    except SelectorError as err:
        errors.append(
            (("spec", "selector"), f"spec.selector: Invalid value: {spec.get('selector')}: {err}")
        )
    if all(spec.get(k) is None for k in ("env", "envFrom", "volumes", "volumeMounts")):
        # The upstream path really is all four names chained together.
        errors.append(
            required(
                ("spec", "volumes", "env", "envFrom", "volumeMounts"), "must specify at least one"
            )
        )
    for index, volume in enumerate(spec.get("volumes") or []):
        if not volume.get("name"):
            errors.append(required(("spec", "volumes", index, "name")))
    for index, var in enumerate(spec.get("env") or []):
        if not var.get("name"):
            errors.append(required(("spec", "env", index, "name")))
    volume_names = {v.get("name") for v in spec.get("volumes") or []}
    for index, mount in enumerate(spec.get("volumeMounts") or []):
        if not mount.get("name"):
            errors.append(required(("spec", "volumeMounts", index, "name")))
        elif mount["name"] not in volume_names:
            errors.append(
                (
                    ("spec", "volumeMounts", index, "name"),
                    f'spec.volumeMounts[{index}].name: Not found: "{mount["name"]}"',
                )
            )
        if not mount.get("mountPath"):
            errors.append(required(("spec", "volumeMounts", index, "mountPath")))
    return errors
