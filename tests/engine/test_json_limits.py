"""JSON that is not a manifest (a checkpoint, a continue token, JSON inside protobuf) is
read within limits: deep nesting is refused by a scan that does not recurse, as
encoding/json refuses it (scanner.go maxNestingDepth, "exceeded max depth"), instead of a
RecursionError or a document that loads and then breaks the replay."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from engine.checkpoint.fileformat import MAX_DEPTH as CHECKPOINT_DEPTH
from engine.manifests.jsonread import JSONRefused, load_json
from podtui.cli import main
from tests.rest.helpers import client_with

SAMPLE = Path(__file__).resolve().parents[2] / "sample_manifests"


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


class TestLoadJSON:
    def test_nesting_past_the_limit_is_refused_with_its_line(self) -> None:
        data = b'{"a": 1,\n "b": ' + b"[" * 11 + b"]" * 11 + b"}"
        with pytest.raises(JSONRefused) as refused:
            load_json(data, 10)
        assert (refused.value.message, refused.value.line) == ("exceeded max depth of 10", 2)

    def test_nesting_at_the_limit_loads(self) -> None:
        assert load_json(json.dumps(nested(10)).encode(), 10) == nested(10)

    def test_brackets_inside_strings_do_not_count(self) -> None:
        data = json.dumps({"a": "[[[[[[[[[[[[" + '\\"[[[[', "b": ["]]]]"]}).encode()
        assert load_json(data, 2) == json.loads(data)

    def test_a_recursion_deep_document_is_refused_not_a_recursion_error(self) -> None:
        with pytest.raises(JSONRefused, match="exceeded max depth of 100"):
            load_json(b"[" * 100_000, 100)

    @pytest.mark.parametrize("text", [b"[NaN]", b'{"a": Infinity}', b"[-Infinity]"])
    def test_nan_and_infinity_are_refused_as_encoding_json_refuses_them(self, text) -> None:
        with pytest.raises(JSONRefused, match="looking for beginning of value"):
            load_json(text, 10)

    def test_a_5000_digit_integer_is_refused_not_a_conversion_error(self) -> None:
        with pytest.raises(JSONRefused, match="more than 4300 digits"):
            load_json(b"[" + b"9" * 5000 + b"]", 10)


def test_a_checkpoint_nested_too_deep_is_file_message_not_a_failed_replay(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "saved"
    assert main(["sim", str(SAMPLE / "pods"), "--until", "5s", "--save", str(saved)]) == 0
    data = json.loads(gzip.decompress(saved.read_bytes()))
    # Under Python's recursion limit, so json.loads read it and the replay broke on it.
    data["entries"][0]["data"]["manifests"][0]["object"]["metadata"]["annotations"] = {
        "x": nested(900)
    }
    deep = tmp_path / "deep"
    deep.write_bytes(gzip.compress(json.dumps(data).encode()))
    capsys.readouterr()
    assert main(["sim", "--load", str(deep)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{deep}: damaged checkpoint: exceeded max depth of {CHECKPOINT_DEPTH}\n"


def test_a_continue_token_nested_deep_is_400_not_a_server_error() -> None:
    client = client_with(until=1)
    token = base64.urlsafe_b64encode(b'{"start": ' + b"[" * 5000 + b"]" * 5000 + b"}").decode()
    response = client.get("/api/v1/namespaces/default/pods", query={"limit": "1", "continue": token})
    assert response.status == 400
    assert response.json()["message"].startswith("continue key is not valid: exceeded max depth")
