"""Manifests: every mistake reported as FILE:LINE, all at once, nothing applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.manifests.loader import load_paths, load_text

GOOD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""


def problems_of(text: str, file: str = "m.yaml") -> list[str]:
    return [str(p) for p in load_text(text, file).problems]


class TestParsing:
    def test_multi_document_yaml_gives_every_object(self) -> None:
        text = GOOD_POD + "---\n" + GOOD_POD.replace("name: web", "name: api")
        result = load_text(text, "m.yaml")
        assert result.ok
        assert [m.name for m in result.manifests] == ["web", "api"]
        assert [m.line for m in result.manifests] == [1, 10]

    def test_empty_documents_are_skipped(self) -> None:
        assert load_text("---\n---\n" + GOOD_POD, "m.yaml").ok

    def test_json_manifest_is_read(self) -> None:
        text = '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}'
        result = load_text(text, "ns.json")
        assert result.ok and result.manifests[0].kind == "Namespace"

    def test_a_v1_list_gives_its_items(self) -> None:
        text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n"
        assert [m.name for m in load_text(text, "l.yaml").manifests] == ["a"]

    def test_unparsable_yaml_reports_its_line(self) -> None:
        assert problems_of("apiVersion: v1\nkind: Pod\nmetadata: [\n") == [
            # libyaml's words, which go-yaml (a port of it) and so kubectl share
            "m.yaml:4: error parsing YAML: while parsing a flow node did not find expected node content"
        ]

    def test_unparsable_json_reports_its_line(self) -> None:
        problems = problems_of('{"apiVersion": "v1",\n "kind": }', "x.json")
        assert problems == ["x.json:2: error parsing JSON: Expecting value"]

    def test_duplicate_key_is_an_error_as_in_strict_decoding(self) -> None:
        text = GOOD_POD.replace(
            "    image: nginx:1.27\n", "    image: nginx:1.27\n    image: redis\n"
        )
        assert problems_of(text) == ['m.yaml:9: mapping key "image" already defined at line 8']

    def test_yaml_timestamps_stay_strings(self) -> None:
        text = GOOD_POD.replace(
            "  name: web\n", "  name: web\n  annotations:\n    since: 2025-01-01\n"
        )
        manifest = load_text(text, "m.yaml").manifests[0]
        assert manifest.obj["metadata"]["annotations"]["since"] == "2025-01-01"


class TestKindsAndNames:
    def test_unknown_kind_is_reported_on_the_kind_line(self) -> None:
        text = "apiVersion: v1\nkind: Pdo\nmetadata:\n  name: x\n"
        assert problems_of(text) == ['m.yaml:2: no matches for kind "Pdo" in version "v1"']

    def test_unknown_api_version_names_the_versions_served(self) -> None:
        text = GOOD_POD.replace("apiVersion: v1", "apiVersion: v2")
        assert problems_of(text) == [
            'm.yaml:2: no matches for kind "Pod" in version "v2" (podtui serves Pod as v1)'
        ]

    def test_missing_kind_and_api_version(self) -> None:
        assert problems_of("metadata:\n  name: x\n") == [
            "m.yaml:1: apiVersion not set",
            "m.yaml:1: kind not set",
        ]

    def test_missing_metadata_name_is_required(self) -> None:
        text = GOOD_POD.replace("  name: web\n", "  labels: {a: b}\n")
        assert problems_of(text) == [
            'm.yaml:3: The Pod "" is invalid: metadata.name: Required value: name or generateName is required'
        ]

    def test_invalid_name_uses_the_api_servers_words(self) -> None:
        problems = problems_of(GOOD_POD.replace("name: web", "name: Web_1"))
        assert problems[0].startswith(
            'm.yaml:4: The Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain'
        )

    def test_duplicate_objects_across_files_are_reported(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text(GOOD_POD)
        (tmp_path / "b.yaml").write_text(GOOD_POD)
        result = load_paths([str(tmp_path)])
        assert [str(p) for p in result.problems] == [
            f'{tmp_path / "b.yaml"}:1: duplicate Pod "web" in namespace "default" (first defined at {tmp_path / "a.yaml"}:1)'
        ]

    def test_same_name_in_different_namespaces_is_fine(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text(GOOD_POD)
        (tmp_path / "b.yaml").write_text(
            GOOD_POD.replace("  name: web\n", "  name: web\n  namespace: other\n")
        )
        assert load_paths([str(tmp_path)]).ok


class TestFieldTypes:
    def test_wrong_type_in_a_field_reports_the_value_line(self) -> None:
        text = GOOD_POD + '    ports:\n    - containerPort: "80"\n'
        assert problems_of(text) == [
            'm.yaml:10: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string '
            "into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
        ]

    def test_unknown_field_is_a_strict_decoding_error(self) -> None:
        text = GOOD_POD + "    imagee: redis\n"
        assert problems_of(text) == [
            'm.yaml:9: Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
            'unknown field "spec.containers[0].imagee"'
        ]

    def test_missing_image_is_required(self) -> None:
        text = GOOD_POD.replace("    image: nginx:1.27\n", "")
        assert problems_of(text) == ['m.yaml:7: The Pod "web" is invalid: spec.containers[0].image: Required value']

    def test_bad_restart_policy_lists_supported_values(self) -> None:
        text = GOOD_POD.replace("spec:\n", "spec:\n  restartPolicy: Sometimes\n")
        assert problems_of(text) == [
            'm.yaml:6: The Pod "web" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
        ]

    def test_bad_quantity_is_reported(self) -> None:
        text = GOOD_POD + "    resources:\n      requests:\n        cpu: lots\n"
        problems = problems_of(text)
        assert problems == [
            'm.yaml:11: Pod in version "v1" cannot be handled as a Pod: quantities must match the '
            "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        ]

    def test_liveness_success_threshold_must_be_one(self) -> None:
        text = (
            GOOD_POD
            + "    livenessProbe:\n      tcpSocket: {port: 80}\n      successThreshold: 2\n"
        )
        assert problems_of(text) == [
            'm.yaml:11: The Pod "web" is invalid: '
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
        ]

    def test_readiness_probe_on_a_plain_init_container_is_forbidden(self) -> None:
        text = GOOD_POD.replace(
            "spec:\n",
            "spec:\n  initContainers:\n  - name: init\n    image: busybox\n    readinessProbe:\n      exec: {command: ['true']}\n",
        )
        assert problems_of(text) == [
            'm.yaml:9: The Pod "web" is invalid: '
            "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"
        ]

    def test_secret_data_must_be_base64(self) -> None:
        text = (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: not base64!\n"
        )
        assert problems_of(text) == [
            'm.yaml:6: Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'
        ]


class TestAllAtOnce:
    def test_every_problem_of_every_file_is_reported(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text("kind: [\n")
        (tmp_path / "b.yaml").write_text(GOOD_POD.replace("    image: nginx:1.27\n", ""))
        (tmp_path / "c.yaml").write_text(GOOD_POD.replace("name: web", "name: ok"))
        result = load_paths([str(tmp_path)])
        assert len(result.problems) == 2
        assert {Path(p.file).name for p in result.problems} == {"a.yaml", "b.yaml"}

    def test_folders_are_searched_recursively_for_yaml_and_json_only(self, tmp_path: Path) -> None:
        (tmp_path / "sub" / "deeper").mkdir(parents=True)
        (tmp_path / "sub" / "deeper" / "p.yml").write_text(GOOD_POD)
        (tmp_path / "notes.txt").write_text("not a manifest: [")
        (tmp_path / ".hidden.yaml").write_text("broken: [")
        result = load_paths([str(tmp_path)])
        assert result.ok and [m.name for m in result.manifests] == ["web"]

    def test_a_missing_path_is_reported(self, tmp_path: Path) -> None:
        missing = str(tmp_path / "nope")
        assert [str(p) for p in load_paths([missing]).problems] == [
            f'{missing}: the path "{missing}" does not exist'
        ]

    def test_scenario_files_among_manifests_are_not_manifests(self, tmp_path: Path) -> None:
        (tmp_path / "pod.yaml").write_text(GOOD_POD)
        (tmp_path / "scenario.yaml").write_text("- at: 10s\n  delete: pod/web\n")
        result = load_paths([str(tmp_path)])
        assert result.ok and [m.name for m in result.manifests] == ["web"]


@pytest.mark.parametrize(
    "kind_text",
    [
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n",
        "apiVersion: v1\nkind: Node\nmetadata: {name: big-node}\n",
    ],
)
def test_the_core_kinds_load(kind_text: str) -> None:
    assert load_text(kind_text, "k.yaml").ok
