"""Semantic validation as the API server's registry strategies apply it.

Messages follow apimachinery's field.Error format: `<path>: Required value`,
`<path>: Invalid value: "x": <detail>`, `<path>: Unsupported value: "x": supported values: ...`,
`<path>: Duplicate value: "x"`, `<path>: Forbidden: <detail>`.
"""

from __future__ import annotations

import json
import re

from engine.api.kinds import FieldErrors
from engine.quantity import QuantityError, parse_quantity

Path = tuple[str | int, ...]

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def render(path: Path) -> str:
    """apimachinery's field path: `spec.containers[0].image`, `metadata.labels[app]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out and part.startswith("["):
            out += part
        else:
            out += f".{part}" if out else part
    return out


def quote(value: object) -> str:
    """A value as field errors print it: strings quoted, numbers and bools bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True)


def required(path: Path, detail: str = "") -> tuple[Path, str]:
    return path, f"{render(path)}: Required value" + (f": {detail}" if detail else "")


def invalid(path: Path, value: object, detail: str) -> tuple[Path, str]:
    return path, f"{render(path)}: Invalid value: {quote(value)}: {detail}"


def unsupported(path: Path, value: object, supported: list[str]) -> tuple[Path, str]:
    values = ", ".join(json.dumps(s) for s in supported)
    return path, f"{render(path)}: Unsupported value: {quote(value)}: supported values: {values}"


def duplicate(path: Path, value: object) -> tuple[Path, str]:
    return path, f"{render(path)}: Duplicate value: {quote(value)}"


def forbidden(path: Path, detail: str) -> tuple[Path, str]:
    return path, f"{render(path)}: Forbidden: {detail}"


def too_long(path: Path, max_bytes: int) -> tuple[Path, str]:
    """field.TooLong; the empty path (a whole object) prints as `[]`, as field.NewPath("")."""
    return path, f"{render(path) or '[]'}: Too long: may not be more than {max_bytes} bytes"


# apimachinery api/validation/objectmeta.go: every key and value of an object's annotations,
# together, may hold at most 256 KiB.
TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10)
# pkg/apis/core/types.go MaxSecretSize: a ConfigMap's or a Secret's data, at most 1 MiB.
MAX_SECRET_SIZE = 1 * 1024 * 1024
IS_NEGATIVE_ERROR_MSG = "must be greater than or equal to 0"


def nonnegative_quantity(path: Path, value: object) -> FieldErrors:
    """ValidateNonnegativeQuantity (core validation.go): a resource quantity below zero."""
    try:
        negative = parse_quantity(value) < 0  # type: ignore[arg-type]
    except (QuantityError, TypeError):
        return []  # decoding reports a malformed quantity
    if not negative:
        return []
    from engine.api.schema import go_json_number

    text = value if isinstance(value, str) else go_json_number(value)
    # The quantity is a map entry (requests, capacity): apimachinery prints it `requests[cpu]`.
    shown = render((*path[:-1], f"[{path[-1]}]"))
    return [(path, f"{shown}: Invalid value: {quote(str(text).strip())}: {IS_NEGATIVE_ERROR_MSG}")]


def byte_size(text: object) -> int:
    """len() of a Go string: its UTF-8 bytes."""
    return len(str(text).encode("utf-8", "surrogatepass"))


def validate_object_meta(
    obj: dict, *, namespaced: bool, name_rule: str = "subdomain"
) -> FieldErrors:
    """ValidateObjectMeta: name, namespace, labels, annotations."""
    errors: FieldErrors = []
    meta = obj.get("metadata") or {}
    name = meta.get("name")
    if not name and not meta.get("generateName"):
        errors.append(required(("metadata", "name"), "name or generateName is required"))
    elif name:
        pattern, message, limit = (
            (DNS1123_LABEL, LABEL_MSG, 63)
            if name_rule == "label"
            else (DNS1123_SUBDOMAIN, SUBDOMAIN_MSG, 253)
        )
        if not pattern.match(name):
            errors.append(invalid(("metadata", "name"), name, message))
        elif len(name) > limit:
            errors.append(
                invalid(("metadata", "name"), name, f"must be no more than {limit} characters")
            )
    namespace = meta.get("namespace")
    if namespaced and namespace and not DNS1123_LABEL.match(namespace):
        errors.append(invalid(("metadata", "namespace"), namespace, LABEL_MSG))
    for key, value in (meta.get("labels") or {}).items():
        errors.extend(_label_key_errors(("metadata", "labels"), key))
        value = "" if value is None else value
        if not isinstance(value, str):
            continue
        if len(value) > 63:
            errors.append(
                invalid(("metadata", "labels", key), value, "must be no more than 63 characters")
            )
        elif not _LABEL_VALUE.match(value):
            errors.append(
                invalid(
                    ("metadata", "labels", key),
                    value,
                    "a valid label must be an empty string or consist of alphanumeric characters, "
                    "'-', '_' or '.', and must start and end with an alphanumeric character "
                    "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                )
            )
    annotations = meta.get("annotations") or {}
    if isinstance(annotations, dict):
        for key in annotations:
            errors.extend(_label_key_errors(("metadata", "annotations"), key))
        total = sum(byte_size(k) + byte_size(v or "") for k, v in annotations.items())
        if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
            errors.append(too_long(("metadata", "annotations"), TOTAL_ANNOTATION_SIZE_LIMIT_B))
    return errors


def _label_key_errors(path: Path, key: object) -> FieldErrors:
    key = str(key)
    prefix, _, name = key.rpartition("/")
    problems: list[str] = []
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        problems.append("prefix part " + SUBDOMAIN_MSG)
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        problems.append(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
            "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
            "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        )
    return [((*path, key), f"{render(path)}: Invalid value: {quote(key)}: {p}") for p in problems]


def quantity_errors(path: Path, value: object) -> FieldErrors:
    try:
        parse_quantity(value)  # type: ignore[arg-type]
    except (QuantityError, TypeError):
        return [
            (
                path,
                "quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            )
        ]
    return []
