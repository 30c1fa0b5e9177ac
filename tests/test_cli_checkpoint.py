"""`podtui sim --save FILE` and `podtui sim --load FILE`: a checkpoint resumes the very run
it cut, byte for byte, on stdout and on stderr."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from podtui.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_manifests"
ROLLOUT = SAMPLE / "workloads" / "rollout.yaml"
DRAIN = SAMPLE / "scenarios" / "drain-held-by-pdb.yaml"
NODE_FAILURE = SAMPLE / "scenarios" / "node-failure.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cut_and_resume(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    inputs: list[str],
    cut: str,
    until: str,
    output: list[str],
) -> None:
    """The run to `until` and the run cut at `cut` then resumed print the same bytes."""
    code, direct_out, direct_err = run(capsys, "sim", *inputs, "--until", until, *output)
    assert code == 0
    checkpoint = tmp_path / "cut.podtui"
    code, _, before_err = run(capsys, "sim", *inputs, "--until", cut, "--save", checkpoint)
    assert code == 0
    code, resumed_out, after_err = run(
        capsys, "sim", "--load", checkpoint, "--until", until, *output
    )
    assert code == 0
    assert resumed_out == direct_out
    assert before_err + after_err == direct_err


class TestResume:
    def test_the_sample_cluster_resumed_at_60s_prints_what_a_run_to_120s_prints(
        self, capsys, tmp_path: Path
    ):
        cut_and_resume(capsys, tmp_path, [str(SAMPLE)], "60s", "120s", ["-o", "json"])

    @pytest.mark.parametrize(
        ("cut", "output"),
        [
            ("29s", ["-o", "json"]),  # before the setImage step
            ("30s", ["-o", "table"]),  # the setImage step itself runs before the cut
            ("75.5s", ["-o", "wide", "-A"]),  # between the scales, off the tick
            ("119s", ["-o", "yaml"]),  # just before the foreground delete
        ],
    )
    def test_a_scenario_whose_steps_straddle_the_cut_resumes_the_same(
        self, capsys, tmp_path: Path, cut: str, output: list[str]
    ):
        inputs = [str(SAMPLE), "--scenario", str(ROLLOUT)]
        cut_and_resume(capsys, tmp_path, inputs, cut, "150s", output)

    def test_a_drain_retrying_across_the_cut_prints_its_later_lines_after_it(
        self, capsys, tmp_path: Path
    ):
        # The drain starts at 30s and is held by the PDB until the scale at 60s: its retries
        # and evictions are printed on stderr after the cut, by the resumed run.
        inputs = [str(SAMPLE), "--scenario", str(DRAIN)]
        cut_and_resume(capsys, tmp_path, inputs, "45s", "200s", ["-o", "table", "-A"])
        _, _, after = run(capsys, "sim", "--load", tmp_path / "cut.podtui", "--until", "200s")
        assert "[60s] deployment.apps/checkout scaled" in after
        assert "evicted" in after

    def test_a_node_failure_resumes_with_its_timers_and_seed(self, capsys, tmp_path: Path):
        inputs = [str(SAMPLE / "disruption"), "--scenario", str(NODE_FAILURE), "--seed", "7"]
        cut_and_resume(capsys, tmp_path, inputs, "100s", "8m", ["-o", "json"])

    def test_a_checkpoint_of_a_resumed_run_resumes_too(self, capsys, tmp_path: Path):
        first, second = tmp_path / "first", tmp_path / "second"
        inputs = [str(SAMPLE), "--scenario", str(ROLLOUT)]
        _, direct, _ = run(capsys, "sim", *inputs, "--until", "150s", "-o", "json")
        run(capsys, "sim", *inputs, "--until", "40s", "--save", first)
        run(capsys, "sim", "--load", first, "--until", "100s", "--save", second)
        code, resumed, _ = run(capsys, "sim", "--load", second, "--until", "150s", "-o", "json")
        assert code == 0
        assert resumed == direct

    def test_the_steps_still_to_come_are_in_the_checkpoint_not_in_the_scenario_file(
        self, capsys, tmp_path: Path
    ):
        scenario = tmp_path / "rollout.yaml"
        shutil.copy(ROLLOUT, scenario)
        checkpoint = tmp_path / "c"
        run(capsys, "sim", SAMPLE, "--scenario", scenario, "--until", "60s", "--save", checkpoint)
        scenario.unlink()
        _, _, err = run(capsys, "sim", "--load", checkpoint, "--until", "150s")
        assert "[70s] deployment.apps/frontend scaled" in err
        assert '[120s] deployment.apps "frontend" deleted' in err

    def test_without_until_a_checkpoint_prints_the_cluster_as_saved(self, capsys, tmp_path: Path):
        checkpoint = tmp_path / "c"
        _, saved, _ = run(capsys, "sim", SAMPLE / "pods", "--until", "45s", "--save", checkpoint)
        code, loaded, err = run(capsys, "sim", "--load", checkpoint)
        assert (code, loaded, err) == (0, saved, "")

    def test_the_same_run_writes_the_same_bytes(self, capsys, tmp_path: Path):
        a, b = tmp_path / "a", tmp_path / "b"
        run(capsys, "sim", SAMPLE / "pods", "--until", "20s", "--save", a)
        run(capsys, "sim", SAMPLE / "pods", "--until", "20s", "--save", b)
        assert a.read_bytes() == b.read_bytes()

    def test_the_file_says_what_it_is_and_which_podtui_wrote_it(self, capsys, tmp_path: Path):
        checkpoint = tmp_path / "c"
        run(capsys, "sim", SAMPLE / "pods", "--until", "20s", "--save", checkpoint)
        data = json.loads(gzip.decompress(checkpoint.read_bytes()))
        assert data["format"] == "podtui-checkpoint"
        assert data["formatVersion"] == 1
        assert data["podtuiVersion"]
        assert data["at"] == 20.0
        assert {o["kind"] for o in data["objects"]} >= {"Pod", "Node", "Event"}


def _rewrite(source: Path, target: Path, change) -> Path:
    data = json.loads(gzip.decompress(source.read_bytes()))
    change(data)
    target.write_bytes(gzip.compress(json.dumps(data).encode()))
    return target


class TestBadCheckpoints:
    """A checkpoint is user input: `FILE: message`, exit 1, nothing on stdout, no traceback."""

    @pytest.fixture
    def saved(self, capsys, tmp_path: Path) -> Path:
        checkpoint = tmp_path / "good"
        run(capsys, "sim", SAMPLE / "pods", "--until", "30s", "--save", checkpoint)
        return checkpoint

    def refused(self, capsys, path: Path, *extra: str) -> str:
        code, out, err = run(capsys, "sim", "--load", path, *extra)
        assert (code, out) == (1, "")
        assert "Traceback" not in err
        return err.strip()

    def test_a_file_that_is_not_a_checkpoint(self, capsys, tmp_path: Path):
        path = tmp_path / "web.yaml"
        path.write_text("apiVersion: v1\nkind: Pod\n")
        assert self.refused(capsys, path) == f"{path}: not a podtui checkpoint"
        other = tmp_path / "other.gz"
        other.write_bytes(gzip.compress(b'{"hello": 1}'))
        assert self.refused(capsys, other) == f"{other}: not a podtui checkpoint"
        deep = tmp_path / "deep.gz"
        deep.write_bytes(gzip.compress(b"[" * 100_000))
        assert self.refused(capsys, deep).startswith(f"{deep}: not a podtui checkpoint")

    def test_a_truncated_checkpoint(self, capsys, tmp_path: Path, saved: Path):
        cut = tmp_path / "cut"
        cut.write_bytes(saved.read_bytes()[:2000])
        assert self.refused(capsys, cut) == f"{cut}: truncated checkpoint (the file ends too early)"

    def test_a_checkpoint_from_another_podtui_version(self, capsys, tmp_path: Path, saved):
        old = _rewrite(saved, tmp_path / "old", lambda d: d.update(podtuiVersion="0.0.1"))
        err = self.refused(capsys, old)
        assert err.startswith(f"{old}: written by podtui 0.0.1; this is podtui ")

    def test_a_checkpoint_of_another_format_version(self, capsys, tmp_path: Path, saved):
        newer = _rewrite(saved, tmp_path / "newer", lambda d: d.update(formatVersion=2))
        assert self.refused(capsys, newer).startswith(f"{newer}: checkpoint format 2; ")

    def test_a_checkpoint_changed_by_hand_is_refused_not_resumed_elsewhere(
        self, capsys, tmp_path: Path, saved: Path
    ):
        def more_restarts(data: dict) -> None:
            data["entries"][0]["data"]["manifests"][0]["object"]["metadata"]["name"] = "other"

        changed = _rewrite(saved, tmp_path / "changed", more_restarts)
        err = self.refused(capsys, changed)
        assert err.startswith(f"{changed}: the replay did not rebuild the saved cluster")

    def test_a_damaged_entry(self, capsys, tmp_path: Path, saved: Path):
        broken = _rewrite(saved, tmp_path / "broken", lambda d: d["entries"].append({"at": "soon"}))
        assert self.refused(capsys, broken).startswith(f"{broken}: damaged checkpoint: ")

    def test_a_missing_file(self, capsys, tmp_path: Path):
        missing = tmp_path / "missing"
        assert self.refused(capsys, missing) == f"{missing}: No such file or directory"

    def test_until_before_the_checkpoint_is_a_usage_error(self, capsys, saved: Path):
        err = self.refused(capsys, saved, "--until", "10s")
        assert err.startswith("error: --until 10s is before the checkpoint's time (30s)")

    def test_inputs_the_checkpoint_holds_cannot_be_given_again(self, capsys, saved: Path):
        code, out, err = run(capsys, "sim", "--load", saved, SAMPLE / "pods", "--seed", "3")
        assert (code, out) == (1, "")
        assert err.startswith("error: PATH, --seed cannot be used with --load")

    def test_a_checkpoint_that_cannot_be_written(self, capsys, tmp_path: Path):
        target = tmp_path / "no-such-folder" / "c"
        code, out, err = run(capsys, "sim", SAMPLE / "pods", "--until", "5s", "--save", target)
        assert (code, out) == (1, "")
        assert err.strip().endswith(f"{target}: cannot write: No such file or directory")
