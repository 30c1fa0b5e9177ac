"""`podtui drill PATH... [--drill NAME]... [--nodes N] [--seed N] [-o table|json|junit]
[--fail-on error|warning]`: a report CI can read, and an exit status it can act on."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from podtui.cli import main

ROOT = Path(__file__).resolve().parents[1]
DISRUPTION = str(ROOT / "sample_manifests" / "disruption")

LOOSE = """apiVersion: apps/v1
kind: Deployment
metadata: {name: loose}
spec:
  replicas: 3
  selector: {matchLabels: {app: loose}}
  template:
    metadata: {labels: {app: loose}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_sample_budget_fails_the_drain_drill_by_name(capsys) -> None:
    code, out, _ = run(capsys, "drill", DISRUPTION, "--drill", "drain")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["SEVERITY", "DRILL", "NAMESPACE", "WORKLOAD", "FINDING"]
    assert lines[1].startswith("error      drain     default     deployment/checkout   ")
    assert "checkout-pdb has minAvailable 3 for 3 pods" in lines[1]
    assert lines[-1] == "3 errors, 0 warnings in 1 drill (steady-state ok, drain FAIL)"


def test_warnings_pass_unless_fail_on_warning(capsys, tmp_path: Path) -> None:
    (tmp_path / "loose.yaml").write_text(LOOSE)
    code, out, _ = run(capsys, "drill", str(tmp_path), "--drill", "drain")
    assert code == 0
    assert "no PodDisruptionBudget" in out
    code, _, _ = run(capsys, "drill", str(tmp_path), "--drill", "drain", "--fail-on", "warning")
    assert code == 1


def test_json_carries_findings_evidence_and_availability(capsys) -> None:
    code, out, _ = run(capsys, "drill", DISRUPTION, "--drill", "drain", "-o", "json")
    assert code == 1
    report = json.loads(out)
    assert report["errors"] == 3
    drain = report["drills"][1]
    assert drain["drill"] == "drain"
    finding = drain["findings"][0]
    assert finding["rule"] == "drain-blocked" and finding["workload"] == "deployment/checkout"
    assert any("disruption budget" in e["text"] for e in finding["evidence"])
    assert drain["availability"][0]["budgetDesiredHealthy"] == 3


def test_junit_has_a_testcase_per_workload_and_drill_with_the_evidence(capsys) -> None:
    code, out, _ = run(capsys, "drill", DISRUPTION, "--drill", "drain", "-o", "junit")
    assert code == 1
    suites = ET.fromstring(out.split("\n", 1)[1])
    assert suites.get("failures") == "1"
    drain = suites.find("testsuite[@name='drain']")
    case = drain.find("testcase[@name='deployment/checkout']")
    failure = case.find("failure")
    assert failure.get("type") == "drain-blocked"
    assert "Cannot evict pod as it would violate the pod's disruption budget." in failure.text
    steady = suites.find("testsuite[@name='steady-state']")
    assert steady.find("testcase/failure") is None


def test_nodes_sizes_the_default_cluster(capsys, tmp_path: Path) -> None:
    (tmp_path / "loose.yaml").write_text(LOOSE)
    code, out, _ = run(
        capsys, "drill", str(tmp_path), "--drill", "node-failure", "--nodes", "5", "-o", "json"
    )
    assert code == 0
    # Five nodes, each down for 10 minutes in turn.
    assert json.loads(out)["drills"][1]["simulatedSeconds"] >= 5 * 600


def test_the_same_input_gives_the_same_report(capsys) -> None:
    first = run(capsys, "drill", DISRUPTION, "--seed", "3", "-o", "json")
    again = run(capsys, "drill", DISRUPTION, "--seed", "3", "-o", "json")
    assert first == again


def test_bad_manifests_are_file_line_errors(capsys, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x\n")
    code, out, err = run(capsys, "drill", str(tmp_path))
    assert code == 1
    assert out == ""
    assert err.startswith(f"{tmp_path / 'bad.yaml'}:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--drill", "earthquake"], "invalid choice: 'earthquake'"),
        (["--nodes", "0"], "must be between 1 and 1000"),
        (["--nodes", "many"], 'invalid value "many": not a number'),
    ],
)
def test_bad_flags_are_usage_errors(capsys, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["drill", DISRUPTION, *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
