"""OpenAPI v3: the root index and one document per group-version, from the schema the
engine decodes with (engine/schema/*.json, a compact form of Kubernetes' definitions).

kubectl 1.32 refuses to `create` or `apply` without OpenAPI (`failed to download
openapi`); with a document whose PATCH operations name the kind
(`x-kubernetes-group-version-kind`) and take `fieldValidation`, it sends
`fieldValidation=Strict` and leaves validation to the server (kubectl's
queryParamVerifierV3). `kubectl explain` walks the component schemas.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from engine.api.schema import definitions
from engine.rest.discovery import ServedResource, served_resources

KUBERNETES_VERSION = "v1.32.0"
_REF = "#/components/schemas/"


def _schema_of(spec: object) -> dict:
    """One field's schema from the compact form."""
    if isinstance(spec, list):
        container, item = spec
        if container == "array":
            return {"type": "array", "items": _schema_of(item)}
        return {"type": "object", "additionalProperties": _schema_of(item)}
    if spec == "string":
        return {"type": "string"}
    if spec == "boolean":
        return {"type": "boolean"}
    if spec == "number":
        return {"type": "number", "format": "double"}
    if spec in ("int32", "int64"):
        return {"type": "integer", "format": spec}
    if spec in ("any", "object"):
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {"allOf": [{"$ref": _REF + str(spec)}]}


def _definition(name: str, entry: dict) -> dict:
    if "fields" not in entry:
        scalar = str(entry.get("type", "any"))
        if scalar == "integer|string":
            return {
                "x-kubernetes-int-or-string": True,
                "anyOf": [{"type": "integer"}, {"type": "string"}],
            }
        if scalar == "number|string":
            return {"oneOf": [{"type": "string"}, {"type": "number"}]}
        if entry.get("go") == "Time":
            return {"type": "string", "format": "date-time"}
        if scalar in ("string", "boolean", "number", "integer"):
            return {"type": scalar}
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    schema: dict = {
        "type": "object",
        "properties": {field: _schema_of(spec) for field, spec in sorted(entry["fields"].items())},
    }
    if entry.get("required"):
        schema["required"] = list(entry["required"])
    if entry.get("gvk"):
        schema["x-kubernetes-group-version-kind"] = [
            {"group": g, "version": v, "kind": k} for g, v, k in entry["gvk"]
        ]
    return schema


def _refs(name: str, seen: set[str]) -> None:
    """Every definition `name` reaches (its closure), into `seen`."""
    stack = [name]
    defs = definitions()
    while stack:
        current = stack.pop()
        if current in seen or current not in defs:
            continue
        seen.add(current)
        for spec in (defs[current].get("fields") or {}).values():
            while isinstance(spec, list):
                spec = spec[1]
            if isinstance(spec, str) and spec in defs and spec not in seen:
                stack.append(spec)


def _definition_for(served: ServedResource) -> str | None:
    if served.info is None:
        return None
    return served.info.schema.get(served.version) or next(iter(served.info.schema.values()), None)


def _gvk(served: ServedResource) -> dict:
    return {"group": served.group, "version": served.version, "kind": served.kind}


_FIELD_VALIDATION = {
    "name": "fieldValidation",
    "in": "query",
    "description": "Ignore, Warn or Strict: how the server treats unknown and duplicate fields.",
    "schema": {"type": "string", "uniqueItems": True},
}


def _operation(served: ServedResource, action: str, definition: str | None, body: bool) -> dict:
    op: dict = {
        "operationId": f"{action}{served.kind}",
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": _gvk(served),
        "responses": {"200": {"description": "OK"}},
    }
    if definition is not None:
        op["responses"]["200"]["content"] = {
            "application/json": {"schema": {"$ref": _REF + definition}}
        }
    if body:
        op["parameters"] = [
            _FIELD_VALIDATION,
            {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
        ]
        op["requestBody"] = {
            "content": {"*/*": {"schema": {"$ref": _REF + definition}}} if definition else {}
        }
    return op


def _base(group: str, version: str) -> str:
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


@lru_cache(maxsize=64)
def _document_cached(group: str, version: str, _generation: int) -> str | None:
    served = [
        s
        for s in served_resources()
        if s.group == group and s.version == version and s.info is not None
    ]
    if not served:
        return None
    paths: dict = {}
    wanted: set[str] = set()
    for s in served:
        definition = _definition_for(s)
        if definition is not None:
            _refs(definition, wanted)
        prefix = _base(group, version) + ("/namespaces/{namespace}" if s.namespaced else "")
        paths[f"{prefix}/{s.plural}"] = {
            "get": _operation(s, "list", None, False),
            "post": _operation(s, "post", definition, True),
        }
        paths[f"{prefix}/{s.plural}/{{name}}"] = {
            "get": _operation(s, "get", definition, False),
            "put": _operation(s, "put", definition, True),
            "patch": _operation(s, "patch", definition, True),
            "delete": _operation(s, "delete", None, False),
        }
    _refs("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", wanted)
    defs = definitions()
    schemas = {name: _definition(name, defs[name]) for name in sorted(wanted)}
    # A legacy definition may not name its kind: the served group-version does.
    for s in served:
        definition = _definition_for(s)
        if definition in schemas:
            gvks = schemas[definition].setdefault("x-kubernetes-group-version-kind", [])
            if _gvk(s) not in gvks:
                gvks.append(_gvk(s))
    document = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    return json.dumps(document, separators=(",", ":"))


def _generation() -> int:
    """Changes when a kind is registered, so cached documents follow the registry."""
    return len(served_resources())


def document(group: str, version: str) -> str | None:
    """The OpenAPI v3 document of one group-version, as JSON text (None if not served)."""
    return _document_cached(group, version, _generation())


def root() -> dict:
    """GET /openapi/v3: where each group-version's document is, with a content hash."""
    paths: dict = {}
    seen: set[tuple[str, str]] = set()
    for s in served_resources():
        if s.info is None or (s.group, s.version) in seen:
            continue
        seen.add((s.group, s.version))
        text = document(s.group, s.version) or ""
        digest = hashlib.sha512(text.encode()).hexdigest()[:64].upper()
        key = _base(s.group, s.version).lstrip("/")
        paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
    return {"paths": paths}
