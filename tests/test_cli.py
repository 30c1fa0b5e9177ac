"""The headless contract: `podtui sim` and `podtui validate` as DESIGN.md specifies them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from podtui.cli import main

ROOT = Path(__file__).resolve().parent.parent
PODS = str(ROOT / "sample_manifests" / "pods")
GOLDEN = Path(__file__).resolve().parent / "golden"

WEB = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestValidate:
    def test_valid_input_prints_a_one_line_summary_and_exits_0(
        self, capsys, tmp_path: Path
    ) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        code, out, err = run(capsys, "validate", str(tmp_path))
        assert code == 0
        assert out == "ok: 1 objects in 1 file (1 Pod)\n"
        assert err == ""

    def test_invalid_input_prints_every_problem_and_exits_1(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text("kind: [\n")
        (tmp_path / "b.yaml").write_text(WEB.replace("    image: nginx:1.27\n", ""))
        code, out, err = run(capsys, "validate", str(tmp_path))
        assert code == 1
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 2
        assert lines[0].startswith(f"{tmp_path / 'a.yaml'}:2: error parsing YAML")
        assert lines[1] == f"{tmp_path / 'b.yaml'}:7: The Pod \"web\" is invalid: spec.containers[0].image: Required value"

    def test_the_bundled_samples_are_valid(self, capsys) -> None:
        code, out, _ = run(capsys, "validate", str(ROOT / "sample_manifests"))
        assert code == 0 and out.startswith("ok: ")

    def test_a_bad_scenario_is_reported_with_file_and_line(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        scenario = tmp_path.parent / f"{tmp_path.name}-scenario.yaml"
        scenario.write_text("- at: 10s\n  explode: pod/web\n")
        code, out, err = run(capsys, "validate", str(tmp_path), "--scenario", str(scenario))
        assert code == 1 and out == ""
        assert err.startswith(f'{scenario}:2: unknown scenario action "explode"')


class TestSim:
    def test_invalid_input_is_never_half_applied(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "a.yaml").write_text(WEB)
        (tmp_path / "b.yaml").write_text(
            WEB.replace("name: web", "name: bad").replace("nginx:1.27", "[x")
        )
        code, out, err = run(capsys, "sim", str(tmp_path))
        assert (code, out) == (1, "")
        assert f"{tmp_path / 'b.yaml'}:" in err

    def test_default_output_is_kubectl_tables(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        code, out, err = run(capsys, "sim", str(tmp_path), "--until", "30s", "--kind", "po")
        assert code == 0
        assert (
            out
            == "NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          30s\n"
        )
        assert err == "pod/web created\n"

    def test_wide_output_adds_ip_and_node(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        _, out, _ = run(
            capsys, "sim", str(tmp_path), "--until", "30s", "--kind", "pods", "-o", "wide"
        )
        header = out.splitlines()[0].split()
        assert header == [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED",
            "NODE",
            "READINESS",
            "GATES",
        ]

    def test_json_output_is_one_v1_list_sorted_by_kind_namespace_name(
        self, capsys, tmp_path: Path
    ) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        _, out, _ = run(capsys, "sim", str(tmp_path), "--until", "10s", "-o", "json")
        data = json.loads(out)
        assert (data["apiVersion"], data["kind"]) == ("v1", "List")
        keys = [
            (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])
            for o in data["items"]
        ]
        assert keys == sorted(keys)
        kinds = {k for k, _, _ in keys}
        assert {
            "Pod",
            "Node",
            "Namespace",
            "ServiceAccount",
            "Event",
            "ConfigMap",
            "Lease",
        } <= kinds

    def test_kind_filter_takes_kubectl_names_and_short_names(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        _, out, _ = run(
            capsys,
            "sim",
            str(tmp_path),
            "--until",
            "5s",
            "-o",
            "yaml",
            "--kind",
            "no",
            "--kind",
            "po",
        )
        kinds = {item["kind"] for item in yaml.safe_load(out)["items"]}
        assert kinds == {"Node", "Pod"}

    def test_unknown_kind_is_an_error(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        code, out, err = run(capsys, "sim", str(tmp_path), "--kind", "flux")
        assert (code, out) == (1, "")
        assert err == 'error: the server doesn\'t have a resource type "flux"\n'

    def test_tables_show_one_namespace_and_all_namespaces_with_a_column(
        self, capsys, tmp_path: Path
    ) -> None:
        (tmp_path / "web.yaml").write_text(
            WEB + "---\n" + WEB.replace("name: web", "name: other\n  namespace: kube-system")
        )
        _, out, _ = run(capsys, "sim", str(tmp_path), "--until", "5s", "--kind", "po")
        assert [line.split()[0] for line in out.splitlines()] == ["NAME", "web"]
        _, out, _ = run(capsys, "sim", str(tmp_path), "--until", "5s", "--kind", "po", "-A")
        assert [line.split()[:2] for line in out.splitlines()] == [
            ["NAMESPACE", "NAME"],
            ["default", "web"],
            ["kube-system", "other"],
        ]

    def test_scenario_steps_report_on_stderr_after_their_time(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        scenario = tmp_path.parent / f"{tmp_path.name}-scenario.yaml"
        scenario.write_text(
            "- at: 10s\n  delete: pod/web\n- at: 20s\n  delete: pod/web\n- at: 25s\n  cordon: node-2\n"
        )
        code, out, err = run(
            capsys,
            "sim",
            str(tmp_path),
            "--scenario",
            str(scenario),
            "--until",
            "30s",
            "--kind",
            "po",
        )
        assert code == 0
        assert err.splitlines() == [
            "pod/web created",
            '[10s] pod "web" deleted',
            '[20s] Error from server (NotFound): pods "web" not found',
            "[25s] node/node-2 cordoned",
            "No resources found in default namespace.",
        ]
        assert out == ""

    def test_apply_and_inject_steps_run_at_their_times(self, capsys, tmp_path: Path) -> None:
        manifests = tmp_path / "manifests"
        manifests.mkdir()
        (manifests / "web.yaml").write_text(WEB)
        later = tmp_path / "later"
        later.mkdir()
        (later / "api.yaml").write_text(WEB.replace("name: web", "name: api"))
        scenario = tmp_path / "scenario.yaml"
        scenario.write_text(
            "- at: 10s\n  apply: later/\n"
            "- at: 20s\n  inject: {fault: crash, pod: web, exitCode: 3}\n"
            "- at: 25s\n  inject: {fault: oom, pod: api}\n"
        )
        code, out, err = run(
            capsys,
            "sim",
            str(manifests),
            "--scenario",
            str(scenario),
            "--until",
            "26s",
            "--kind",
            "po",
        )
        assert code == 0
        assert err.splitlines() == [
            "pod/web created",
            "[10s] pod/api created",
            "[20s] pod/web container nginx crashed (exit code 3)",
            "[25s] pod/api container nginx OOMKilled (exit code 137)",
        ]
        rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
        assert rows["web"][3] == "1" and rows["api"][3] == "1"

    def test_start_time_moves_every_timestamp(self, capsys, tmp_path: Path) -> None:
        (tmp_path / "web.yaml").write_text(WEB)
        _, out, _ = run(
            capsys,
            "sim",
            str(tmp_path),
            "--until",
            "5s",
            "-o",
            "json",
            "--kind",
            "po",
            "--start-time",
            "2030-06-01T12:00:00Z",
        )
        assert (
            json.loads(out)["items"][0]["metadata"]["creationTimestamp"] == "2030-06-01T12:00:00Z"
        )

    def test_bad_duration_is_a_usage_error(self, capsys, tmp_path: Path) -> None:
        with pytest.raises(SystemExit) as exc:
            main(["sim", str(tmp_path), "--until", "soon"])
        assert exc.value.code == 2


class TestDeterminism:
    def _sim(self, *extra: str, hashseed: str = "0") -> bytes:
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "podtui.cli",
                "sim",
                PODS,
                "--until",
                "90s",
                "-o",
                "yaml",
                *extra,
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
        ).stdout

    def test_same_manifests_and_seed_give_byte_identical_output_across_processes(self) -> None:
        assert self._sim(hashseed="1") == self._sim(hashseed="2")

    def test_another_seed_gives_another_story(self, capsys) -> None:
        # In process: this is about the seed, not the process (the test above is).
        def sim(seed: str) -> str:
            code, out, _ = run(capsys, "sim", PODS, "--until", "90s", "-o", "yaml", "--seed", seed)
            assert code == 0
            return out

        assert sim("1") != sim("2")

    def test_a_shorter_run_is_a_prefix_of_a_longer_one(self) -> None:
        """DESIGN.md: a run to 40 s passes through exactly the states of the same run to
        30 s. A run stopped at 80 s and taken on to 130 s must end where a direct run to 130 s
        ends, with the same lines printed, scenario steps on both sides of the cut."""
        from engine.output import to_yaml
        from engine.sim import SimRun, load_inputs

        scenario = str(ROOT / "sample_manifests" / "workloads" / "rollout.yaml")
        steps = load_inputs([str(ROOT / "sample_manifests")], scenario).scenario.steps
        cut, end = 80.0, 130.0
        assert any(s.at < cut for s in steps) and any(cut < s.at <= end for s in steps)

        def play(*stops: float) -> tuple[str, list[str], list[str]]:
            lines: list[str] = []
            run = SimRun.start(
                load_inputs([str(ROOT / "sample_manifests")], scenario), report=lines.append
            )
            states = []
            for stop in stops:
                run.advance(stop)
                states.append(to_yaml(run.cluster.objects()))
            return states[-1], lines, states

        direct, direct_lines, _ = play(end)
        stopped, stopped_lines, states = play(cut, end)
        assert stopped == direct
        assert stopped_lines == direct_lines
        # ... and the state at the cut is the final state of a run to the cut alone.
        short, short_lines, _ = play(cut)
        assert states[0] == short
        assert short_lines == direct_lines[: len(short_lines)]
        assert short != direct


class TestGoldenFiles:
    """`podtui sim -o yaml` of the sample pods; refresh with `pytest --update-goldens`."""

    @pytest.mark.parametrize(
        ("name", "argv"),
        [
            ("sample-pods-90s.yaml", ["sim", PODS, "--until", "90s", "-o", "yaml"]),
            ("sample-pods-5m.txt", ["sim", PODS, "--until", "5m", "-o", "wide", "-A"]),
        ],
    )
    def test_sim_output_matches_the_golden_file(
        self, capsys, update_goldens: bool, name: str, argv: list[str]
    ) -> None:
        code, out, _ = run(capsys, *argv)
        assert code == 0
        out = out.replace(str(ROOT) + "/", "")
        golden = GOLDEN / name
        if update_goldens:
            golden.write_text(out)
        assert golden.exists(), f"{golden} is missing: run `pytest --update-goldens` to write it"
        assert out == golden.read_text()
