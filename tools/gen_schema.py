"""Write engine/schema/openapi.json: a compact field schema of the Kubernetes API.

It is derived from the published OpenAPI schema that the `kubernetes-validate` package ships
(strict variant), keeping only what the engine's validator needs: for every definition its
fields, their types and which are required. Run it when moving podtui to a newer Kubernetes:

    python tools/gen_schema.py 1.32.0
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import kubernetes_validate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "engine" / "schema" / "openapi.json"
PREFIX = "#/$defs/"


def compact(spec: dict) -> object:
    """A field's type: a scalar name, a reference, or [array|map, item]."""
    if "$ref" in spec:
        return spec["$ref"].split("/")[-1]
    if "oneOf" in spec:
        kinds = sorted(t for option in spec["oneOf"] for t in _types(option) if t != "null")
        return "|".join(kinds)
    types = [t for t in _types(spec) if t != "null"]
    kind = types[0] if types else "any"
    if kind == "array":
        return ["array", compact(spec.get("items", {}))]
    if kind == "object":
        if "properties" in spec:
            return "object"
        extra = spec.get("additionalProperties")
        if isinstance(extra, dict):
            return ["map", compact(extra)]
        return "any"
    if kind == "integer":
        return spec.get("format", "int64")
    if kind == "string" and spec.get("format") == "int-or-string":
        return "integer|string"
    return kind


def _types(spec: dict) -> list[str]:
    value = spec.get("type", [])
    return [value] if isinstance(value, str) else list(value)


def main(version: str) -> None:
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    defs = json.loads((base / f"v{version}-local-strict" / "_definitions.json").read_text())
    out: dict[str, dict] = {}
    for name, spec in sorted(defs["$defs"].items()):
        short = name.rsplit(".", 1)[-1] if name.startswith("io.k8s.") else name
        entry: dict[str, object] = {"go": short}
        if "properties" in spec:
            entry["fields"] = {f: compact(s) for f, s in sorted(spec["properties"].items())}
            if spec.get("required"):
                entry["required"] = sorted(spec["required"])
            gvks = spec.get("x-kubernetes-group-version-kind")
            if gvks:
                entry["gvk"] = [[g["group"], g["version"], g["kind"]] for g in gvks]
        else:
            entry["type"] = compact(spec)
        out[name] = entry
    OUT.write_text(json.dumps({"kubernetes": version, "definitions": out}, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(out)} definitions)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1.32.0")
