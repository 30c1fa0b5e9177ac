"""The few protobuf request bodies kubectl sends (its typed clients prefer
`application/vnd.kubernetes.protobuf`): today the SelfSubjectAccessReview of `kubectl auth
can-i`. Answers are JSON, which client-go decodes by the response's Content-Type.

The envelope is runtime.Unknown after the magic `k8s\\0` (k8s.io/apimachinery/pkg/runtime/
serializer/protobuf); field numbers are those of k8s.io/api/authorization/v1/generated.proto.
"""

from __future__ import annotations

from engine.api import errors

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
