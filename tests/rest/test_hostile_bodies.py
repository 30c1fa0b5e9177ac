"""A request body is user input read with the guarded parser: deep nesting, alias bombs
and malformed text are a 400 BadRequest Status in the API server's words, never a
RecursionError (json.loads / yaml.safe_load) or an unbounded expansion."""

from __future__ import annotations

import pytest

from engine.manifests.yamldoc import MAX_FILE_BYTES
from tests.rest.helpers import client_with

PODS = "/api/v1/namespaces/default/pods"
CM = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": {"a": '


@pytest.fixture(scope="module")
def client():
    return client_with(until=1)


def status_of(response) -> dict:
    body = response.json()
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert body["code"] == response.status
    return body


def test_a_malformed_json_body_is_400_as_transform_decode_error_words_it(client):
    # k8s.io/apiserver/pkg/endpoints/handlers/rest.go transformDecodeError and summarizeData:
    # "the object provided is unrecognized (must be of type Pod): <err> (<first 30 bytes>)".
    body = b'{"apiVersion": "v1", "kind": "Pod", "metadata": {'
    response = client.request("POST", PODS, body)
    assert response.status == 400
    status = status_of(response)
    assert status["reason"] == "BadRequest"
    assert status["message"].startswith(
        "the object provided is unrecognized (must be of type Pod): "
        "couldn't get version/kind; json parse error: "
    )
    assert status["message"].endswith(' ({"apiVersion": "v1", "kind": " ...)')


def test_a_json_body_nested_past_the_limit_is_400_not_a_recursion_error(client):
    body = (CM + "[" * 5000 + "]" * 5000 + "}}").encode()
    response = client.request("POST", "/api/v1/namespaces/default/configmaps", body)
    assert response.status == 400
    assert "json parse error: exceeded max depth of 100" in status_of(response)["message"]


def test_a_yaml_body_nested_past_the_limit_is_400(client):
    body = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: {a: "
            + "[" * 600 + "]" * 600 + "}\n").encode()
    response = client.request(
        "POST", "/api/v1/namespaces/default/configmaps", body, content_type="application/yaml"
    )
    assert response.status == 400
    message = status_of(response)["message"]
    assert "error converting YAML to JSON: yaml: line 4: exceeded max depth of 100" in message


def test_an_alias_bomb_in_a_yaml_body_is_refused_as_go_yaml_refuses_it(client):
    # go-yaml v2 decode.go allowedAliasRatio (CVE-2019-11253, reported against the API server).
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    body = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n" + "\n".join(lines)
            + "\ndata: {x: *a8}\n").encode()
    response = client.request(
        "POST", "/api/v1/namespaces/default/configmaps", body, content_type="application/yaml"
    )
    assert response.status == 400
    assert "document contains excessive aliasing" in status_of(response)["message"]


def test_a_deep_merge_patch_is_400(client):
    body = ('{"metadata": {"annotations": {"a": ' + "[" * 5000 + "]" * 5000 + "}}}").encode()
    response = client.request(
        "PATCH", PODS + "/two", body, content_type="application/merge-patch+json"
    )
    assert response.status == 400
    assert status_of(response)["message"] == (
        "couldn't get version/kind; json parse error: exceeded max depth of 100"
    )


def test_a_body_over_3_mib_is_413_as_limited_read_body_answers(client):
    # rest.go limitedReadBody: NewRequestEntityTooLargeError("limit is 3145728").
    body = b'{"a": "' + b"x" * MAX_FILE_BYTES + b'"}'
    response = client.request("POST", PODS, body)
    assert response.status == 413
    status = status_of(response)
    assert status["reason"] == "RequestEntityTooLarge"
    assert status["message"] == "Request entity too large: limit is 3145728"


def test_an_ordinary_json_body_still_creates(client):
    body = (
        b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fine"}, '
        b'"data": {"a": "1e3", "b": "\\u00e9"}}'
    )
    response = client.request("POST", "/api/v1/namespaces/default/configmaps", body)
    assert response.status == 201
    assert response.json()["data"] == {"a": "1e3", "b": "\u00e9"}


def test_a_merge_patch_that_is_not_an_object_is_400_not_a_server_error(client):
    # RFC 7386: such a patch replaces the whole object with a number (found by the fuzz test).
    response = client.request(
        "PATCH", PODS + "/two", b"1", content_type="application/merge-patch+json"
    )
    assert response.status == 400
    assert status_of(response)["message"] == (
        "json: cannot unmarshal number into Go value of type map[string]interface {}"
    )
