"""A drill report as a table (one line per finding), JSON, or JUnit XML for CI systems."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from engine.drill import findings as F
from engine.drill.runner import STEADY_STATE, DrillResult
from engine.tabwriter import tabwrite


def failed(results: list[DrillResult], fail_on: str = F.ERROR) -> bool:
    """Whether the report fails CI: any error, or with `fail_on=warning` any warning too."""
    severities = {F.ERROR} if fail_on == F.ERROR else {F.ERROR, F.WARNING}
    return any(f.severity in severities for r in results for f in r.findings)


def _counts(results: list[DrillResult]) -> tuple[int, int]:
    errors = sum(1 for r in results for f in r.findings if f.severity == F.ERROR)
    warnings = sum(1 for r in results for f in r.findings if f.severity == F.WARNING)
    return errors, warnings


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(results: list[DrillResult]) -> str:
    errors, warnings = _counts(results)
    drills = [r.drill for r in results if r.drill != STEADY_STATE]
    verdicts = ", ".join(
        f"{r.drill} {'FAIL' if any(f.severity == F.ERROR for f in r.findings) else 'ok'}"
        for r in results
    )
    return (
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in "
        f"{_plural(len(drills), 'drill')} ({verdicts})"
    )


def render_table(results: list[DrillResult]) -> str:
    lines = ["SEVERITY\tDRILL\tNAMESPACE\tWORKLOAD\tFINDING"]
    for result in results:
        for finding in result.findings:
            cells = [
                finding.severity,
                finding.drill,
                finding.namespace or "<none>",
                finding.workload,
                finding.why.replace("\t", " "),
            ]
            lines.append("\t".join(cells))
    # kubectl get's alignment: Go's tabwriter, minimum width 10, padding 3.
    rows = tabwrite(lines, min_width=10, padding=3)
    text = "".join(row + "\n" for row in rows) if len(lines) > 1 else "No findings.\n"
    return text + summary(results) + "\n"


def render_json(results: list[DrillResult]) -> str:
    errors, warnings = _counts(results)
    document = {
        "drills": [
            {
                "drill": r.drill,
                "simulatedSeconds": r.simulated_seconds,
                "workloads": [
                    {"kind": w.kind, "namespace": w.namespace, "name": w.name} for w in r.workloads
                ],
                "availability": [
                    {"kind": w.kind, "namespace": w.namespace, "name": w.name, **figures}
                    for w, figures in r.availability.items()
                ],
                "findings": [f.as_dict() for f in r.findings],
            }
            for r in results
        ],
        "errors": errors,
        "warnings": warnings,
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def render_junit(results: list[DrillResult], fail_on: str = F.ERROR) -> str:
    """One testsuite per drill, one testcase per workload (and per other object a finding
    names); a failing finding is a <failure> carrying its evidence, others go to
    <system-out>."""
    failing = {F.ERROR} if fail_on == F.ERROR else {F.ERROR, F.WARNING}
    suites = ET.Element("testsuites", name="podtui drill")
    total_tests = total_failures = 0
    for result in results:
        cases: dict[tuple[str, str], list] = {(w.namespace, w.label): [] for w in result.workloads}
        for finding in result.findings:
            cases.setdefault((finding.namespace, finding.workload), []).append(finding)
        suite = ET.SubElement(suites, "testsuite", name=result.drill)
        failures = 0
        for (namespace, label), found in sorted(cases.items()):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{result.drill}.{namespace or 'cluster'}",
                name=label,
                time=f"{result.simulated_seconds:g}",
            )
            bad = [f for f in found if f.severity in failing]
            if bad:
                failures += 1
                first = bad[0]
                failure = ET.SubElement(case, "failure", message=first.why, type=first.rule)
                failure.text = "\n".join(_evidence_text(f) for f in bad)
            others = [f for f in found if f.severity not in failing]
            if others:
                ET.SubElement(case, "system-out").text = "\n".join(
                    _evidence_text(f) for f in others
                )
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += len(cases)
        total_failures += failures
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _evidence_text(finding) -> str:
    lines = [f"{finding.severity} {finding.rule}: {finding.why}"]
    lines += [f"  {e.render()}" for e in finding.evidence]
    return "\n".join(lines)
