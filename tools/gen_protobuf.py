"""Write engine/rest/protobuf.json: the field numbers of the Kubernetes API's protobuf
messages, for decoding the protobuf bodies kubectl's typed clients send
(`kubectl create configmap|secret|namespace|deployment ...`).

It reads the generated.proto files of a k8s.io/api and a k8s.io/apimachinery checkout and
keeps, per message, each field's number, name (go-to-protobuf names fields by their JSON
name), type and whether it repeats or maps:

    python tools/gen_protobuf.py PATH/TO/api PATH/TO/apimachinery
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "engine" / "rest" / "protobuf.json"

_PACKAGE = re.compile(r"^package\s+([\w.]+);", re.M)
_MESSAGE = re.compile(r"^message\s+(\w+)\s*\{(.*?)^\}", re.M | re.S)
_FIELD = re.compile(
    r"^\s*(optional|repeated)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;",
    re.M,
)
SCALARS = {
    "string",
    "bytes",
    "bool",
    "int32",
    "int64",
    "uint32",
    "uint64",
    "double",
    "float",
    "sint32",
    "sint64",
}


def _resolve(type_name: str, package: str) -> str:
    if type_name in SCALARS:
        return type_name
    if type_name.startswith("."):
        return type_name[1:]
    return f"{package}.{type_name}"


def parse(text: str, out: dict) -> None:
    package = _PACKAGE.search(text).group(1)  # type: ignore[union-attr]
    for message in _MESSAGE.finditer(text):
        fields = {}
        body = re.sub(r"//[^\n]*", "", message.group(2))
        for match in _FIELD.finditer(body):
            label, full_type, key, value, name, number = match.groups()
            if key is not None:
                fields[number] = [name, _resolve(value, package), "map"]
            else:
                fields[number] = [
                    name,
                    _resolve(full_type, package),
                    "repeated" if label == "repeated" else "",
                ]
        out[f"{package}.{message.group(1)}"] = fields


def main(api: str, apimachinery: str) -> None:
    messages: dict = {}
    for root in (Path(api), Path(apimachinery)):
        for path in sorted(root.rglob("generated.proto")):
            if "testapigroup" in path.parts:
                continue
            parse(path.read_text(), messages)
    OUT.write_text(json.dumps(dict(sorted(messages.items())), separators=(",", ":")) + "\n")
    print(f"{len(messages)} messages -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
