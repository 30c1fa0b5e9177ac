"""Strategies for the small core kinds: Namespace, ServiceAccount, ConfigMap, Secret, Node, Lease."""

from __future__ import annotations

import base64
import binascii
import re

from engine.api.kinds import FieldErrors
from engine.api.validation import (
    MAX_SECRET_SIZE,
    byte_size,
    invalid,
    nonnegative_quantity,
    too_long,
    validate_object_meta,
)

_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"


def validate_namespace(obj: dict) -> FieldErrors:
    return validate_object_meta(obj, namespaced=False, name_rule="label")


def default_namespace(obj: dict) -> None:
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")
    labels = obj["metadata"].setdefault("labels", {})
    labels["kubernetes.io/metadata.name"] = obj["metadata"]["name"]


def validate_plain(obj: dict) -> FieldErrors:
    return validate_object_meta(obj, namespaced=True)


def validate_cluster_plain(obj: dict) -> FieldErrors:
    return validate_object_meta(obj, namespaced=False)


def validate_config_map(obj: dict) -> FieldErrors:
    errors = validate_object_meta(obj, namespaced=True)
    for section in ("data", "binaryData"):
        for key in obj.get(section) or {}:
            if not _CONFIG_KEY.match(str(key)):
                errors.append(invalid((section, key), key, _CONFIG_KEY_MSG))
    # ValidateConfigMap: data values and binaryData's decoded bytes, at most MaxSecretSize,
    # reported on the whole object (field.NewPath(""), printed `[]`).
    total = sum(byte_size(v or "") for v in (obj.get("data") or {}).values())
    total += sum(_decoded_size(v) for v in (obj.get("binaryData") or {}).values())
    if total > MAX_SECRET_SIZE:
        errors.append(too_long((), MAX_SECRET_SIZE))
    return errors


def _decoded_size(value: object) -> int:
    try:
        return len(base64.b64decode(str(value or ""), validate=True))
    except (binascii.Error, ValueError):
        return byte_size(value)


def validate_secret(obj: dict) -> FieldErrors:
    errors = validate_object_meta(obj, namespaced=True)
    for section in ("data", "stringData"):
        for key in obj.get(section) or {}:
            if not _CONFIG_KEY.match(str(key)):
                errors.append(invalid((section, key), key, _CONFIG_KEY_MSG))
    for key, value in (obj.get("data") or {}).items():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            errors.append(
                (
                    ("data", key),
                    f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte {_bad_byte(str(value))}',
                )
            )
    # ValidateSecret: the decoded data (stringData is folded in by then), at most 1 MiB.
    total = sum(_decoded_size(v) for v in (obj.get("data") or {}).values())
    if total > MAX_SECRET_SIZE:
        errors.append(too_long(("data",), MAX_SECRET_SIZE))
    return errors


def _bad_byte(value: str) -> int:
    for index, char in enumerate(value):
        if not (char.isalnum() or char in "+/="):
            return index
    return len(value) - len(value) % 4


def default_secret(obj: dict) -> None:
    """The API server folds stringData into data and defaults the type to Opaque."""
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None) or {}
    if string_data:
        data = obj.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def validate_node(obj: dict) -> FieldErrors:
    errors = validate_object_meta(obj, namespaced=False)
    # ValidateNode: status.capacity and status.allocatable are ValidateResourceQuantityValue'd.
    status = obj.get("status") or {}
    for section in ("capacity", "allocatable"):
        for resource, value in (status.get(section) or {}).items():
            errors += nonnegative_quantity(("status", section, resource), value)
    for index, taint in enumerate((obj.get("spec") or {}).get("taints") or []):
        effect = taint.get("effect")
        if effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            from engine.api.validation import unsupported

            errors.append(
                unsupported(
                    ("spec", "taints", index, "effect"),
                    effect,
                    ["NoExecute", "NoSchedule", "PreferNoSchedule"],
                )
            )
        if not taint.get("key"):
            from engine.api.validation import required

            errors.append(required(("spec", "taints", index, "key")))
    return errors
