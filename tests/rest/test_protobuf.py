"""Protobuf request bodies, as kubectl's typed clients send them (`kubectl create configmap`,
`create deployment`, `auth can-i`): runtime.Unknown around the message, decoded with
k8s.io/api's generated.proto field numbers (k8s.io/apimachinery/pkg/runtime/serializer/
protobuf/protobuf.go)."""

from __future__ import annotations

from engine.rest.protobuf import MAGIC, decode_object
from tests.rest.helpers import client_with

PROTOBUF = "application/vnd.kubernetes.protobuf"


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = b""
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def num(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def msg(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return varint((number << 3) | 2) + varint(len(data)) + data


def entry(number: int, key: str, value: bytes | str) -> bytes:
    return msg(number, msg(1, key) + msg(2, value))


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return MAGIC + msg(1, msg(1, api_version) + msg(2, kind)) + msg(2, raw)


CONFIG_MAP = envelope(
    "v1",
    "ConfigMap",
    msg(1, msg(1, "settings") + entry(11, "app", "web"))  # metadata: name, labels
    + entry(2, "mode", "fast")  # data
    + num(4, 0),  # immutable=false, as Go writes a zero bool
)


def test_a_config_map_decodes_to_its_json_shape():
    obj = decode_object(CONFIG_MAP, "io.k8s.api.core.v1.ConfigMap", "v1", "ConfigMap")
    assert obj == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "labels": {"app": "web"}},
        "data": {"mode": "fast"},
    }


def test_a_deployment_with_int_or_string_times_and_repeated_messages():
    container = msg(1, "nginx") + msg(2, "nginx:1.27") + msg(6, num(3, 80) + msg(4, "TCP"))
    template = msg(1, msg(8, b"") + entry(11, "app", "web")) + msg(2, msg(2, container))
    strategy = msg(1, "RollingUpdate") + msg(2, msg(2, num(1, 1) + msg(3, "25%")))
    spec = num(1, 3) + msg(2, entry(1, "app", "web")) + msg(3, template) + msg(4, strategy)
    raw = msg(1, msg(1, "web")) + msg(2, spec)
    obj = decode_object(
        envelope("apps/v1", "Deployment", raw),
        "io.k8s.api.apps.v1.Deployment",
        "apps/v1",
        "Deployment",
    )
    assert obj["spec"]["replicas"] == 3
    assert obj["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert obj["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%"},
    }
    # Go's zero creationTimestamp is JSON null: left out.
    assert obj["spec"]["template"]["metadata"] == {"labels": {"app": "web"}}
    assert obj["spec"]["template"]["spec"]["containers"] == [
        {
            "name": "nginx",
            "image": "nginx:1.27",
            "ports": [{"containerPort": 80, "protocol": "TCP"}],
        }
    ]


def test_kubectl_create_configmap_body_is_created():
    client = client_with(until=1)
    response = client.request(
        "POST", "/api/v1/namespaces/default/configmaps", CONFIG_MAP, content_type=PROTOBUF
    )
    assert response.status == 201, response.body
    assert client.cluster.store.get("ConfigMap", "default", "settings")["data"] == {"mode": "fast"}


def test_a_broken_protobuf_body_is_400():
    client = client_with(until=1)
    response = client.request(
        "POST", "/api/v1/namespaces/default/configmaps", b"k8s\x00\x0a\xff", content_type=PROTOBUF
    )
    assert response.status == 400
