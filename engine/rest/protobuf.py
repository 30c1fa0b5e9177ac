"""Protobuf request bodies: kubectl's typed clients send `application/vnd.kubernetes.protobuf`
(`kubectl create configmap|secret|namespace|deployment|serviceaccount|role ...`, `auth
can-i`). Answers are JSON, which client-go decodes by the response's Content-Type.

The envelope is runtime.Unknown after the magic `k8s\\0` (k8s.io/apimachinery/pkg/runtime/
serializer/protobuf); the message is decoded with the field numbers of k8s.io/api's
generated.proto files (engine/rest/protobuf.json, written by tools/gen_protobuf.py). Go
writes non-pointer scalars even when zero, where JSON's omitempty leaves them out: zero
scalars are dropped, so the object reads as kubectl's JSON would (an explicit `false` or `0`
in a pointer field is lost with them; it is the default in the fields kubectl's generators
set).
"""

from __future__ import annotations

import base64
import json
import struct
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from engine.api import errors
from engine.manifests.jsonread import load_json
from engine.manifests.yamlbuild import MAX_DEPTH

MESSAGES_FILE = Path(__file__).resolve().parent / "protobuf.json"
_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_GO_ZERO_TIME = -62135596800  # 0001-01-01T00:00:00Z
_VARINT_TYPES = {"bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64"}

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

Fields = dict[int, list[object]]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> Fields:
    """A message's fields: number -> values (ints for varints, bytes for length-delimited)."""
    out: Fields = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value = data[pos : pos + length]
            pos += length
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _text(found: Fields, number: int) -> str:
    values = found.get(number)
    return values[-1].decode() if values and isinstance(values[-1], bytes) else ""


def _message(found: Fields, number: int) -> Fields | None:
    values = found.get(number)
    return fields(values[-1]) if values and isinstance(values[-1], bytes) else None


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw object) of a runtime.Unknown envelope."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("the protobuf body has no k8s magic prefix")
    envelope = fields(body[len(MAGIC) :])
    type_meta = _message(envelope, 1) or {}
    raw = envelope.get(2, [b""])[-1]
    assert isinstance(raw, bytes)
    return _text(type_meta, 1), _text(type_meta, 2), raw


def self_subject_access_review(body: bytes) -> dict:
    """A SelfSubjectAccessReview from its protobuf body, as the JSON shape."""
    try:
        _api_version, _kind, raw = unwrap(body)
        review = fields(raw)
        spec = _message(review, 2) or {}
        out: dict = {}
        resource = _message(spec, 1)
        if resource is not None:
            names = ("namespace", "verb", "group", "version", "resource", "subresource", "name")
            out["resourceAttributes"] = {
                name: _text(resource, number)
                for number, name in enumerate(names, start=1)
                if _text(resource, number)
            }
        non_resource = _message(spec, 2)
        if non_resource is not None:
            out["nonResourceAttributes"] = {
                "path": _text(non_resource, 1),
                "verb": _text(non_resource, 2),
            }
    except (ValueError, UnicodeDecodeError) as err:
        raise errors.bad_request(f"the protobuf body could not be decoded: {err}") from err
    return {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "spec": out,
    }


@cache
def messages() -> dict[str, dict[str, list[str]]]:
    return json.loads(MESSAGES_FILE.read_text())


def message_name(definition: str) -> str:
    """`io.k8s.api.core.v1.ConfigMap` (the schema's name) -> `k8s.io.api.core.v1.ConfigMap`."""
    return (
        "k8s.io." + definition[len("io.k8s.") :] if definition.startswith("io.k8s.") else definition
    )


def _signed(value: int, bits: int = 64) -> int:
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _scalar(value: object, type_name: str) -> object:
    if type_name == "string":
        assert isinstance(value, bytes)
        return value.decode()
    if type_name == "bytes":
        assert isinstance(value, bytes)
        return base64.b64encode(value).decode()
    if type_name == "bool":
        return bool(value)
    if type_name in ("double", "float"):
        assert isinstance(value, bytes)
        return struct.unpack("<d" if len(value) == 8 else "<f", value)[0]
    assert isinstance(value, int)
    return _signed(value, 32 if type_name == "int32" else 64)


def _packed(value: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(value):
        number, pos = _varint(value, pos)
        out.append(number)
    return out


def _special(data: bytes, type_name: str) -> tuple[bool, object]:
    found = fields(data)
    if type_name in (_META + "Time", _META + "MicroTime"):
        seconds = _signed(int(found.get(1, [0])[-1]))  # type: ignore[arg-type]
        nanos = int(found.get(2, [0])[-1])  # type: ignore[arg-type]
        if seconds in (0, _GO_ZERO_TIME) and nanos == 0:
            return True, None  # Go's zero Time, which JSON writes as null
        when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
            seconds=seconds, microseconds=nanos // 1000
        )
        if type_name.endswith("MicroTime"):
            return True, when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return True, when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if type_name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        if int(found.get(1, [0])[-1]) == 1:  # type: ignore[arg-type]
            return True, _text(found, 3)
        return True, _signed(int(found.get(2, [0])[-1]), 32)  # type: ignore[arg-type]
    if type_name == "k8s.io.apimachinery.pkg.api.resource.Quantity":
        return True, _text(found, 1)
    if type_name in ("k8s.io.apimachinery.pkg.runtime.RawExtension", _META + "FieldsV1"):
        raw = found.get(1, [b""])[-1]
        assert isinstance(raw, bytes)
        # User JSON inside protobuf: read within limits (JSONRefused is a ValueError: a 400).
        return True, load_json(raw, MAX_DEPTH) if raw else {}
    if type_name == _META + "Duration":
        return True, f"{_signed(int(found.get(1, [0])[-1])) / 1e9:g}s"  # type: ignore[arg-type]
    return False, None


def _value(value: object, type_name: str) -> object:
    if type_name in _SCALAR_NAMES:
        return _scalar(value, type_name)
    assert isinstance(value, bytes)
    return decode_message(value, type_name)


_SCALAR_NAMES = _VARINT_TYPES | {"string", "bytes", "double", "float"}


def _empty(value: object) -> bool:
    return value in ("", 0, False) and not isinstance(value, dict | list)


def decode_message(data: bytes, type_name: str) -> object:
    """One message as the JSON the same Go object would marshal to."""
    handled, special = _special(data, type_name)
    if handled:
        return special
    spec = messages().get(type_name, {})
    out: dict = {}
    for number, values in fields(data).items():
        field = spec.get(str(number))
        if field is None:
            continue
        name, field_type, mode = field
        if mode == "map":
            mapping: dict = {}
            for entry in values:
                assert isinstance(entry, bytes)
                parts = fields(entry)
                key = _scalar(parts.get(1, [b""])[-1], "string")
                raw = parts.get(2)
                mapping[key] = (
                    _value(raw[-1], field_type)
                    if raw
                    else ("" if field_type in ("string", "bytes") else {})
                )
            out[name] = mapping
        elif mode == "repeated":
            items: list = []
            for value in values:
                if field_type in _VARINT_TYPES and isinstance(value, bytes):
                    items.extend(_scalar(v, field_type) for v in _packed(value))
                else:
                    items.append(_value(value, field_type))
            out[name] = items
        else:
            decoded = _value(values[-1], field_type)
            if decoded is None or (field_type in _SCALAR_NAMES and _empty(decoded)):
                continue
            out[name] = decoded
    return out


def decode_object(body: bytes, definition: str, api_version: str, kind: str) -> dict:
    """A protobuf request body as the object JSON would have sent (400 if it is not one)."""
    try:
        envelope_version, envelope_kind, raw = unwrap(body)
        obj = decode_message(raw, message_name(definition))
    except (ValueError, UnicodeDecodeError, AssertionError, struct.error) as err:
        raise errors.bad_request(f"the protobuf body could not be decoded: {err}") from err
    assert isinstance(obj, dict)
    return {"apiVersion": envelope_version or api_version, "kind": envelope_kind or kind, **obj}
