"""Hostile and unusual input (issue 10, items 4-10): every file gets `FILE:LINE: message`,
in bounded time and memory, and what Kubernetes refuses is refused in its words."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from engine.manifests import source
from engine.manifests.loader import load_paths, load_text, manifest_files
from engine.manifests.yamlbuild import MAX_DEPTH, allowed_alias_ratio
from engine.manifests.yamldoc import MAX_FILE_BYTES, parse_documents
from engine.scenario import load_scenario
from engine.sim import load_inputs, simulate
from podtui.cli import main

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: x
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx
"""


def problems_of(text: str, file: str = "m.yaml") -> list[str]:
    return [str(p) for p in load_text(text, file).problems]


def nested_block(depth: int) -> str:
    """A ConfigMap whose `data` nests `depth` mappings in block style."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: deep}", "data:"]
    lines += [f"{'  ' * (level + 1)}k{level}:" for level in range(depth)]
    lines.append(f"{'  ' * (depth + 1)}leaf")
    return "\n".join(lines) + "\n"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- item 4: a folder that cannot be read -------------------------------------------------------
class TestUnreadableFolders:
    @pytest.fixture
    def locked(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """A folder whose listing fails with EACCES (chmod 000 does not stop root, who runs
        the tests, so the refusal is simulated where os.walk lists folders)."""
        (tmp_path / "ok.yaml").write_text(CONFIG_MAP)
        folder = tmp_path / "locked"
        folder.mkdir()
        (folder / "secret.yaml").write_text(CONFIG_MAP.replace("settings", "hidden"))
        real_scandir = os.scandir

        def scandir(path: object = ".") -> object:
            if Path(os.fsdecode(path)) == folder:  # type: ignore[arg-type]
                raise PermissionError(13, "Permission denied", str(folder))
            return real_scandir(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", scandir)
        return folder

    def test_an_unreadable_folder_is_permission_denied_not_skipped(self, locked: Path) -> None:
        files, problems = manifest_files([str(locked.parent)])
        assert [str(p) for p in problems] == [f"{locked}: permission denied"]
        assert files == [locked.parent / "ok.yaml"]

    def test_validate_and_sim_exit_1_on_an_unreadable_folder(self, locked: Path, capsys) -> None:
        for command in ("validate", "sim"):
            code, out, err = run_cli(capsys, command, str(locked.parent))
            assert (code, out) == (1, "")
            assert err == f"{locked}: permission denied\n"

    def test_an_unreadable_file_is_permission_denied(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (tmp_path / "a.yaml").write_text(CONFIG_MAP)

        def refuse(*args: object, **kwargs: object) -> object:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(source, "open", refuse, raising=False)
        result = load_paths([str(tmp_path)])
        assert [str(p) for p in result.problems] == [f"{tmp_path / 'a.yaml'}: permission denied"]

    def test_a_folder_without_read_permission_really_is_refused(self) -> None:
        """The real thing: chmod 000. As root (who reads anyway) the check runs in a forked
        child that has become `nobody`, in a folder `nobody` may traverse."""
        top = Path(tempfile.mkdtemp(prefix="podtui-perm-", dir="/tmp"))
        try:
            top.chmod(0o755)
            (top / "ok.yaml").write_text(CONFIG_MAP)
            (top / "ok.yaml").chmod(0o644)
            locked = top / "locked"
            locked.mkdir()
            locked.chmod(0o000)
            if os.geteuid() != 0:
                _, problems = manifest_files([str(top)])
                assert [str(p) for p in problems] == [f"{locked}: permission denied"]
                return
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: drop root, look, report, leave without cleanup
                try:
                    os.close(read)
                    os.setgid(65534)
                    os.setuid(65534)
                    _, problems = manifest_files([str(top)])
                    os.write(write, json.dumps([str(p) for p in problems]).encode())
                finally:
                    os._exit(0)
            os.close(write)
            with os.fdopen(read) as pipe:
                answer = pipe.read()
            os.waitpid(pid, 0)
            assert json.loads(answer) == [f"{locked}: permission denied"]
        finally:
            (top / "locked").chmod(0o755)
            for path in sorted(top.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            top.rmdir()


# -- item 5: alias bombs and file size -------------------------------------------------------------
def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n"
        + "\n".join(lines)
        + f"\ndata: {{x: *a{levels - 1}}}\n"
    )


class TestAliasBombs:
    def test_billion_laughs_is_refused_as_go_yaml_refuses_it(self) -> None:
        # go-yaml v2 decode.go: "document contains excessive aliasing" (CVE-2019-11253).
        tracemalloc.start()
        try:
            problems = problems_of(billion_laughs())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(problems) == 1
        assert problems[0].endswith(": error parsing YAML: document contains excessive aliasing")
        assert problems[0].startswith("m.yaml:")
        assert peak < 20 * 1024 * 1024  # megabytes, where it took 5.9 GB before

    def test_the_allowed_alias_ratio_follows_go_yaml(self) -> None:
        # decode.go allowedAliasRatio: 99% up to 400,000 decodes, 10% from 4,000,000.
        assert allowed_alias_ratio(1000) == 0.99
        assert allowed_alias_ratio(400_000) == 0.99
        assert allowed_alias_ratio(2_200_000) == pytest.approx(0.545)
        assert allowed_alias_ratio(4_000_000) == 0.10
        assert allowed_alias_ratio(10**9) == 0.10

    def test_ordinary_aliases_still_load(self) -> None:
        text = POD.replace(
            "metadata:\n  name: web", "metadata:\n  name: web\n  labels: &l {app: web}"
        )
        text += "  nodeSelector: *l\n"
        result = load_text(text, "m.yaml")
        assert result.ok, result.problems
        assert result.manifests[0].obj["spec"]["nodeSelector"] == {"app": "web"}

    def test_an_alias_inside_its_own_anchor_is_refused(self) -> None:
        text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &a [1, *a]\n"
        assert problems_of(text) == [
            "m.yaml:4: error parsing YAML: anchor 'a' value contains itself"
        ]

    def test_an_unknown_alias_names_its_line(self) -> None:
        assert problems_of("a: 1\nb: *nope\n") == [
            "m.yaml:2: error parsing YAML: unknown anchor 'nope' referenced"
        ]

    def test_a_file_over_the_api_servers_request_limit_is_refused_unread(
        self, tmp_path: Path
    ) -> None:
        # k8s.io/apiserver MaxRequestBodyBytes: 3 MiB.
        big = tmp_path / "big.yaml"
        big.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
        result = load_paths([str(tmp_path)])
        assert [str(p) for p in result.problems] == [
            f"{big}: the file is larger than 3145728 bytes (3 MiB, the largest request body "
            "the API server accepts)"
        ]


# -- item 6: deep nesting --------------------------------------------------------------------------
class TestDeepNesting:
    @pytest.mark.parametrize(
        "text",
        [
            nested_block(600),
            "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "a: " + "{b: " * 5000 + "c" + "}" * 5000 + "\n",
            "- " * 3000 + "x\n",
        ],
        ids=["block", "flow-sequence", "flow-mapping", "block-sequence"],
    )
    def test_yaml_nested_past_the_limit_is_refused_with_its_line(self, text: str) -> None:
        problems = problems_of(text)
        assert len(problems) == 1
        assert problems[0].endswith(f"error parsing YAML: exceeded max depth of {MAX_DEPTH}")

    def test_json_nested_past_the_limit_is_refused(self) -> None:
        text = '{"apiVersion": "v1",\n "x": ' + "[" * 1100 + "]" * 1100 + "}\n"
        assert problems_of(text, "m.json") == [
            f"m.json:2: error parsing YAML: exceeded max depth of {MAX_DEPTH}"
        ]

    def test_nesting_at_the_limit_parses(self) -> None:
        docs, problems = parse_documents(nested_block(MAX_DEPTH - 1), "m.yaml")
        assert problems == [] and len(docs) == 1
        docs, problems = parse_documents(nested_block(MAX_DEPTH), "m.yaml")
        assert [p.message for p in problems] == [
            f"error parsing YAML: exceeded max depth of {MAX_DEPTH}"
        ]

    def test_an_alias_counts_as_deep_as_what_it_names(self) -> None:
        half = MAX_DEPTH // 2 + 1
        text = "a: &deep " + "[" * half + "]" * half + "\nb: " + "[" * half + "*deep" + "]" * half
        assert problems_of(text + "\n") == [
            f"m.yaml:2: error parsing YAML: exceeded max depth of {MAX_DEPTH}"
        ]

    def test_deep_scenarios_and_the_files_they_apply_are_refused(self, tmp_path: Path) -> None:
        scenario = tmp_path / "s.yaml"
        scenario.write_text("- at: 1s\n  cordon: " + "[" * 2000 + "]" * 2000 + "\n")
        _, problems = load_scenario(str(scenario))
        assert [str(p) for p in problems] == [
            f"{scenario}:2: error parsing YAML: exceeded max depth of {MAX_DEPTH}"
        ]
        (tmp_path / "more").mkdir()
        (tmp_path / "more" / "deep.yaml").write_text(nested_block(800))
        scenario.write_text("- at: 1s\n  apply: more/\n")
        inputs = load_inputs([], str(scenario))
        assert [p.message for p in inputs.problems] == [
            f"error parsing YAML: exceeded max depth of {MAX_DEPTH}"
        ]


# -- item 7: tracebacks that become FILE:LINE ----------------------------------------------------------
class TestNoTracebacks:
    def test_a_control_character_is_refused_on_its_line(self) -> None:
        # go-yaml readerc.go: "control characters are not allowed".
        text = CONFIG_MAP + '  b: "x\x01y"\n'
        assert problems_of(text) == [
            "m.yaml:7: error parsing YAML: control characters are not allowed (#x0001)"
        ]
        assert problems_of(CONFIG_MAP + "  b: x\x00y\n") == [
            "m.yaml:7: error parsing YAML: control characters are not allowed (#x0000)"
        ]

    def test_an_escaped_control_character_is_a_value_as_in_go_yaml(self) -> None:
        result = load_text(CONFIG_MAP + '  b: "x\\x00y"\n', "m.yaml")
        assert result.ok and result.manifests[0].obj["data"]["b"] == "x\x00y"

    def test_utf16_without_a_bom_is_refused_and_with_a_bom_loads(self, tmp_path: Path) -> None:
        (tmp_path / "le.yaml").write_bytes(CONFIG_MAP.encode("utf-16-le"))
        result = load_paths([str(tmp_path)])
        assert [str(p) for p in result.problems] == [
            f"{tmp_path / 'le.yaml'}:1: the file looks like UTF-16 without a byte order mark: "
            "save it as UTF-8 (or UTF-16 with a byte order mark)"
        ]
        (tmp_path / "le.yaml").write_bytes(CONFIG_MAP.encode("utf-16"))  # with its BOM
        result = load_paths([str(tmp_path)])
        assert result.ok and result.manifests[0].name == "settings"

    def test_invalid_utf8_names_its_line(self, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_bytes(CONFIG_MAP.encode() + b"  b: \xff\n")
        result = load_paths([str(tmp_path)])
        assert [str(p) for p in result.problems] == [
            f"{tmp_path / 'a.yaml'}:7: error parsing YAML: invalid UTF-8 (byte 0xff)"
        ]

    def test_a_null_label_key_is_refused_as_yaml_to_json_refuses_it(self) -> None:
        # sigs.k8s.io/yaml convertToJSONableObject: "unsupported map key of type".
        text = CONFIG_MAP.replace("  name: settings", "  name: settings\n  labels: {~: x}")
        assert problems_of(text) == [
            "m.yaml:5: error converting YAML to JSON: unsupported map key of type: <nil>, key: <nil>"
        ]

    @pytest.mark.parametrize(
        ("value", "shown"), [(".nan", "NaN"), (".inf", "+Inf"), ("-.inf", "-Inf")]
    )
    def test_nan_and_infinite_quantities_are_refused_as_json_refuses_them(
        self, value: str, shown: str
    ) -> None:
        text = POD + f"    resources: {{requests: {{cpu: {value}}}}}\n"
        assert problems_of(text) == [
            f"m.yaml:9: error converting YAML to JSON: json: unsupported value: {shown}"
        ]

    def test_a_5000_digit_quantity_is_held_to_the_largest_quantity(self) -> None:
        text = POD + f'    resources: {{requests: {{cpu: "{"9" * 5000}"}}}}\n'
        result = load_text(text, "m.yaml")
        assert result.ok, result.problems
        cluster = simulate(load_inputs_of(result), until=5)
        pod = cluster.store.get("Pod", "default", "web")
        assert pod["status"]["phase"] == "Pending"  # no node has 9.2e18 CPUs

    def test_a_5000_digit_number_is_a_string_as_in_go_yaml(self) -> None:
        # go-yaml v2 resolve.go: neither int64, uint64 nor a finite float64, so a string.
        text = POD.replace("metadata:", f"metadata:\n  generation: {'9' * 5000}")
        problems = problems_of(text)
        assert len(problems) == 1
        assert (
            "cannot unmarshal string into Go struct field ObjectMeta.metadata.generation"
            in (problems[0])
        )
        big = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}, "n": %s}'
        problems = problems_of(big % ("9" * 5000), "m.json")
        assert problems == [
            'm.json:1: ConfigMap in version "v1" cannot be handled as a ConfigMap: '
            'strict decoding error: unknown field "n"'
        ]

    def test_a_scenario_at_of_ten_to_the_400_is_refused(self, tmp_path: Path) -> None:
        scenario = tmp_path / "s.yaml"
        scenario.write_text(f"- at: {10**400}\n  cordon: node-1\n")
        _, problems = load_scenario(str(scenario))
        assert [str(p) for p in problems] == [
            f'{scenario}:1: at: invalid duration "10000000000000000000...(401 characters)": '
            "must be at most 2562047h47m16.854775807s"
        ]

    def test_an_unpaired_surrogate_is_refused_in_yaml_and_json(self) -> None:
        # go-yaml scannerc.go refuses the escape; the API server takes only valid UTF-8.
        expected = (
            "error parsing YAML: while parsing a quoted scalar "
            "found invalid Unicode character escape code"
        )
        assert problems_of(CONFIG_MAP + '  b: "\\ud800"\n') == [f"m.yaml:7: {expected}"]
        text = '{"apiVersion": "v1", "kind": "ConfigMap",\n "data": {"b": "\\ud800"}}'
        assert problems_of(text, "m.json") == [f"m.json:2: {expected}"]

    def test_a_surrogate_in_the_text_itself_is_refused(self) -> None:
        assert problems_of(CONFIG_MAP + "  b: \ud800\n") == [
            "m.yaml:7: error parsing YAML: invalid UTF-8 (an unpaired surrogate)"
        ]


def load_inputs_of(result: object) -> object:
    from engine.sim import Inputs

    return Inputs(result.manifests, None, [], result.files)  # type: ignore[attr-defined]


# -- item 8: numeric ranges ------------------------------------------------------------------------
class TestNumericRanges:
    def test_int32_fields_refuse_numbers_past_2_31(self) -> None:
        # encoding/json decode.go literalStore: UnmarshalTypeError{Value: "number " + s}.
        text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2147483648
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: redis}]}
"""
        assert problems_of(text) == [
            'm.yaml:5: StatefulSet in version "v1" cannot be handled as a StatefulSet: json: '
            "cannot unmarshal number 2147483648 into Go struct field StatefulSetSpec.spec.replicas "
            "of type int32"
        ]
        assert problems_of(text.replace("2147483648", "2147483647")) == []

    def test_int64_fields_refuse_numbers_past_2_63(self) -> None:
        text = POD.replace(
            "spec:\n", "spec:\n  terminationGracePeriodSeconds: 9223372036854775808\n"
        )
        assert problems_of(text) == [
            'm.yaml:6: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '
            "number 9223372036854775808 into Go struct field PodSpec.spec.terminationGracePeriodSeconds "
            "of type int64"
        ]

    def test_a_fraction_in_an_integer_field_is_refused_and_a_whole_float_is_an_int(self) -> None:
        job = """\
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  completions: COUNT
  template:
    spec:
      restartPolicy: Never
      containers: [{name: a, image: busybox}]
"""
        assert problems_of(job.replace("COUNT", "2.5")) == [
            'm.yaml:5: Job in version "v1" cannot be handled as a Job: json: cannot unmarshal '
            "number 2.5 into Go struct field JobSpec.spec.completions of type int32"
        ]
        result = load_text(job.replace("COUNT", "2.0"), "m.yaml")
        assert result.ok
        completions = result.manifests[0].obj["spec"]["completions"]
        assert completions == 2 and type(completions) is int

    def test_int_or_string_refuses_numbers_past_int32(self) -> None:
        # intstr.IntOrString.UnmarshalJSON decodes a number into its int32 IntVal.
        text = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec:
  minAvailable: 4294967296
  selector: {matchLabels: {app: web}}
"""
        assert problems_of(text) == [
            'm.yaml:5: PodDisruptionBudget in version "v1" cannot be handled as a '
            "PodDisruptionBudget: json: cannot unmarshal number 4294967296 into Go value of "
            "type int32"
        ]

    def test_scenario_numbers_are_range_checked(self, tmp_path: Path) -> None:
        scenario = tmp_path / "s.yaml"
        scenario.write_text(
            "- at: 1s\n  scale: {target: deployment/web, replicas: 2147483648}\n"
            "- at: 2s\n  inject: {fault: crash, pod: web, exitCode: 256}\n"
            "- at: 3s\n  inject: {fault: probeFail, pod: web, duration: 999999999999h}\n"
            "- at: 4s\n  delete: pod/web\n  gracePeriod: 9223372036854775808\n"
            "- at: 5s\n  inject: {fault: podKill, selector: app=web, count: 0}\n"
        )
        _, problems = load_scenario(str(scenario))
        assert [p.message for p in problems] == [
            "replicas must be at most 2147483647 (an int32, as spec.replicas is)",
            "exitCode must be between 0 and 255 (a process's exit status)",
            "inject.duration must be a duration such as 30s, 5m or 1h30m",
            "gracePeriod must be between -9223372036854775808 and 9223372036854775807 (an int64)",
            "count must be between 1 and 2147483647",
        ]

    @pytest.mark.parametrize("at", [".nan", ".inf", "1e400"])
    def test_scenario_times_must_be_finite(self, tmp_path: Path, at: str) -> None:
        scenario = tmp_path / "s.yaml"
        scenario.write_text(f"- at: {at}\n  cordon: node-1\n")
        _, problems = load_scenario(str(scenario))
        assert len(problems) == 1 and problems[0].line == 1


# -- item 9: keys and JSON -------------------------------------------------------------------------
class TestKubernetesYaml:
    def test_keys_become_strings_as_yaml_to_json_makes_them(self) -> None:
        # sigs.k8s.io/yaml convertToJSONableObject: int, bool and float keys become strings.
        result = load_text(CONFIG_MAP + "  1: c\n  true: d\n  1.5: e\n  0x10: f\n", "m.yaml")
        assert result.ok, result.problems
        data = result.manifests[0].obj["data"]
        assert data == {"a": "x", "1": "c", "true": "d", "1.5": "e", "16": "f"}

    def test_yaml_1_1_booleans_are_go_yamls(self) -> None:
        # go-yaml v2 resolve.go: y, yes, on (and n, no, off) are booleans.
        result = load_text(CONFIG_MAP + "  y: c\n  off: d\n", "m.yaml")
        assert result.ok, result.problems
        assert result.manifests[0].obj["data"] == {"a": "x", "true": "c", "false": "d"}

    def test_two_keys_that_become_the_same_string_are_a_duplicate(self) -> None:
        assert problems_of(CONFIG_MAP + "  1: c\n  '1': d\n") == [
            'm.yaml:8: mapping key "1" already defined at line 7'
        ]

    def test_a_json_file_with_a_tab_after_a_colon_loads(self) -> None:
        text = '{"apiVersion":\t"v1", "kind":\t"ConfigMap",\n\t"metadata": {"name":\t"tab"}}\n'
        result = load_text(text, "m.json")
        assert result.ok and result.manifests[0].name == "tab"

    def test_a_json_file_with_a_utf8_bom_loads(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.json"
        text = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bom"}}'
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        result = load_paths([str(path)])
        assert result.ok and result.manifests[0].name == "bom"
        assert load_text("\ufeff" + text, "m.json").ok  # as the reloader reads it

    def test_json_nan_is_refused_as_encoding_json_refuses_it(self) -> None:
        text = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}, "x": NaN}'
        assert problems_of(text, "m.json") == [
            "m.json:1: error parsing JSON: invalid character 'N' looking for beginning of value"
        ]


# -- item 10: what the API server validates ------------------------------------------------------------
class TestApiServerLimits:
    def test_negative_resource_quantities_are_refused(self) -> None:
        # core validation.go ValidateNonnegativeQuantity: "must be greater than or equal to 0".
        text = POD + '    resources: {requests: {cpu: "-1"}, limits: {memory: -5Mi}}\n'
        # One 422 for the object, its causes joined as the aggregate joins them.
        assert problems_of(text) == [
            'm.yaml:9: The Pod "web" is invalid: ['
            'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": '
            "must be greater than or equal to 0, "
            # defaulting copies the limit into requests before validation, as it does there
            'spec.containers[0].resources.requests[memory]: Invalid value: "-5Mi": '
            "must be greater than or equal to 0, "
            'spec.containers[0].resources.limits[memory]: Invalid value: "-5Mi": '
            "must be greater than or equal to 0]"
        ]

    def test_negative_node_capacity_is_refused(self) -> None:
        text = (
            "apiVersion: v1\nkind: Node\nmetadata: {name: node-9}\nstatus:\n  capacity: {cpu: -2}\n"
        )
        assert problems_of(text) == [
            'm.yaml:5: The Node "node-9" is invalid: '
            'status.capacity[cpu]: Invalid value: "-2": must be greater than or equal to 0'
        ]

    def test_annotations_past_256_kib_are_too_long(self) -> None:
        # apimachinery objectmeta.go TotalAnnotationSizeLimitB = 256 KiB, keys and values.
        value = "x" * (256 * 1024 - len("note"))
        text = CONFIG_MAP.replace(
            "  name: settings", f"  name: settings\n  annotations:\n    note: {value}"
        )
        assert problems_of(text) == []
        assert problems_of(text.replace(value, value + "x")) == [
            'm.yaml:5: The ConfigMap "settings" is invalid: '
            "metadata.annotations: Too long: may not be more than 262144 bytes"
        ]

    def test_config_map_data_past_1_mib_is_too_long(self) -> None:
        # core validation.go ValidateConfigMap: MaxSecretSize, on the whole object (`[]`).
        half = "x" * (512 * 1024)
        text = CONFIG_MAP.replace("  a: x", f"  a: {half}\n  b: {half}")
        assert problems_of(text) == []
        assert problems_of(text + "  c: x\n") == [
            'm.yaml:1: The ConfigMap "settings" is invalid: '
            "[]: Too long: may not be more than 1048576 bytes"
        ]

    def test_secret_data_past_1_mib_is_too_long(self) -> None:
        # core validation.go ValidateSecret: the decoded data (stringData folded in).
        encoded = base64.b64encode(b"x" * (1024 * 1024)).decode()
        text = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ndata:\n  a: {encoded}\n"
        assert problems_of(text) == []
        assert problems_of(text + "stringData: {b: more}\n") == [
            'm.yaml:4: The Secret "s" is invalid: data: Too long: may not be more than 1048576 bytes'
        ]

    def test_apply_refuses_generate_name_as_kubectl_does(self, tmp_path: Path) -> None:
        # kubectl apply.go: "from %s: cannot use generate name with apply".
        text = POD.replace("  name: web", "  generateName: web-")
        assert problems_of(text) == ["m.yaml:4: from web-: cannot use generate name with apply"]
        (tmp_path / "p.yaml").write_text(text)
        assert load_paths([str(tmp_path)], verb="create").ok  # kubectl create -f allows it

    def test_api_version_and_kind_of_the_wrong_type_say_so(self) -> None:
        # runtime/serializer/json meta.go Interpret: an anonymous struct of two strings.
        text = "apiVersion: 1\nkind: [ConfigMap]\nmetadata: {name: x}\n"
        prefix = "couldn't get version/kind; json parse error: json: cannot unmarshal"
        assert problems_of(text) == [
            f"m.yaml:1: {prefix} number into Go struct field .apiVersion of type string",
            f"m.yaml:2: {prefix} array into Go struct field .kind of type string",
        ]


def test_a_hostile_last_applied_annotation_is_no_previous_configuration() -> None:
    # Whatever a manifest puts in kubectl.kubernetes.io/last-applied-configuration (a
    # 256 KiB annotation may nest past Python's json recursion), apply never raises.
    from engine.apply import LAST_APPLIED, previous_configuration

    for text in ["[" * 100_000 + "]" * 100_000, "9" * 5000, "{not json"]:
        live = {"metadata": {"annotations": {LAST_APPLIED: text}}}
        assert previous_configuration(live) is None


class TestFoundByFuzzing:
    def test_a_number_in_a_map_typed_field_is_a_type_error(self) -> None:
        text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: 2147483648\n"
        problems = problems_of(text)
        assert problems == [
            'm.yaml:4: ConfigMap in version "v1" cannot be handled as a ConfigMap: json: '
            "cannot unmarshal number into Go struct field ConfigMap.data of type "
            "map[string]string"
        ]

    def test_a_problem_quoting_a_control_character_stays_one_line(self) -> None:
        problems = problems_of('"\\r": []\n' + CONFIG_MAP)
        assert problems == [
            'm.yaml:1: ConfigMap in version "v1" cannot be handled as a ConfigMap: '
            'strict decoding error: unknown field "\\r"'
        ]

    def test_a_grace_period_of_centuries_stops_at_gos_duration_range(self, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(POD)
        scenario = tmp_path / "s.yaml"
        scenario.write_text("- at: 10s\n  delete: pod/web\n  gracePeriod: 251666611198\n")
        inputs = load_inputs([str(tmp_path / "web.yaml")], str(scenario))
        assert inputs.problems == []
        cluster = simulate(inputs, until=12)
        assert cluster.clock.datetime_at(10**12).year == 2317  # 2025 + ~292 years
