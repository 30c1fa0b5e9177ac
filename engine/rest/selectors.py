"""Field selectors (`?fieldSelector=spec.nodeName=node-1,status.phase!=Failed`).

The fields each kind can be selected by are the API server's field label conversions
(pkg/registry/core/pod/strategy.go `ToSelectableFields`, .../event/strategy.go, the
`AddFieldLabelConversionFunc`s of pkg/apis/core/v1/conversion.go); any kind has
metadata.name and metadata.namespace. Parsing is fields.ParseSelector's: terms joined
by `,`, each `field=value`, `field==value` or `field!=value`, `\\` escaping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.api import errors


def _get(obj: dict, *path: str) -> str:
    value: object = obj
    for part in path:
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _source(event: dict) -> str:
    source = event.get("source") or {}
    return source.get("component") or event.get("reportingComponent") or ""


Getter = Callable[[dict], str]

_COMMON: dict[str, Getter] = {
    "metadata.name": lambda o: _get(o, "metadata", "name"),
    "metadata.namespace": lambda o: _get(o, "metadata", "namespace"),
}

FIELDS: dict[str, dict[str, Getter]] = {
    "Pod": {
        "spec.nodeName": lambda o: _get(o, "spec", "nodeName"),
        "spec.restartPolicy": lambda o: _get(o, "spec", "restartPolicy"),
        "spec.schedulerName": lambda o: _get(o, "spec", "schedulerName"),
        "spec.serviceAccountName": lambda o: _get(o, "spec", "serviceAccountName"),
        "spec.hostNetwork": lambda o: _get(o, "spec", "hostNetwork") or "false",
        "status.phase": lambda o: _get(o, "status", "phase"),
        "status.podIP": lambda o: _get(o, "status", "podIP"),
        "status.nominatedNodeName": lambda o: _get(o, "status", "nominatedNodeName"),
    },
    "Event": {
        **{
            f"involvedObject.{field}": (lambda f: lambda o: _get(o, "involvedObject", f))(field)
            for field in (
                "kind",
                "namespace",
                "name",
                "uid",
                "apiVersion",
                "resourceVersion",
                "fieldPath",
            )
        },
        "reason": lambda o: _get(o, "reason"),
        "reportingComponent": lambda o: _get(o, "reportingComponent"),
        "source": _source,
        "type": lambda o: _get(o, "type"),
    },
    "Node": {"spec.unschedulable": lambda o: _get(o, "spec", "unschedulable") or "false"},
    "Namespace": {"status.phase": lambda o: _get(o, "status", "phase")},
    "Secret": {"type": lambda o: _get(o, "type")},
    "ReplicaSet": {"status.replicas": lambda o: _get(o, "status", "replicas")},
    "Job": {"status.successful": lambda o: _get(o, "status", "succeeded")},
}


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    value: str
    equal: bool
    getter: Getter

    def matches(self, obj: dict) -> bool:
        return (self.getter(obj) == self.value) == self.equal


class FieldSelector:
    def __init__(self, requirements: list[FieldRequirement]) -> None:
        self.requirements = requirements

    def matches(self, obj: dict) -> bool:
        return all(r.matches(obj) for r in self.requirements)

    def empty(self) -> bool:
        return not self.requirements

    def exact_name(self) -> str | None:
        """The name a `metadata.name=NAME` term pins (a fast path for get-by-name lists)."""
        return self.exact("metadata.name")

    def exact(self, field: str) -> str | None:
        """The value a `FIELD=VALUE` term pins, if the selector has one."""
        for r in self.requirements:
            if r.field == field and r.equal:
                return r.value
        return None


def _split(text: str, separator: str) -> list[str]:
    """Split on an unescaped separator."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _unescape(value: str) -> str:
    out, escaped = "", False
    for char in value:
        if escaped:
            out += char
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out += char
    return out


def parse_field_selector(text: str, kind: str) -> FieldSelector:
    """fields.ParseSelector plus the kind's field label conversion; 400 for what neither takes."""
    requirements: list[FieldRequirement] = []
    if not text:
        return FieldSelector(requirements)
    allowed = {**_COMMON, **FIELDS.get(kind, {})}
    for term in _split(text, ","):
        if not term:
            continue
        if "!=" in term:
            field, _, value = term.partition("!=")
            equal = False
        elif "==" in term:
            field, _, value = term.partition("==")
            equal = True
        elif "=" in term:
            field, _, value = term.partition("=")
            equal = True
        else:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        field = field.strip()
        getter = allowed.get(field)
        if getter is None:
            raise errors.bad_request(f"field label not supported: {field}")
        requirements.append(FieldRequirement(field, _unescape(value), equal, getter))
    return FieldSelector(requirements)
