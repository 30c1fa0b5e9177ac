"""The 4.7 lesson watches the drain itself, not only what a drain leaves behind: a check sees
every running `kubectl drain` (engine.disruption.drain.drains_of) as `drains`."""

from __future__ import annotations

from pathlib import Path

from engine import actions
from engine.lessons import LessonRun, check_lesson, load_lessons
from engine.sim import SimRun, load_inputs
from podtui.bundled import lessons as bundled_lessons

from .test_checks import _value

LESSONS, _ = load_lessons(bundled_lessons())
PDB = next(lesson for lesson in LESSONS if lesson.name == "pdb")


def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _start(scenario: Path | None = None) -> SimRun:
    inputs = load_inputs([str(PDB.manifests)], str(scenario) if scenario else None)
    assert not inputs.problems
    run = SimRun.start(inputs, seed=0, report=lambda line: None)
    run.advance(0.0)
    return run


class TestDrainsInTheCheckLanguage:
    def test_a_drain_held_by_a_budget_shows_its_blocked_pod_and_the_budget(self) -> None:
        run = _start(PDB.folder / "solution.yaml")
        run.advance(40.0)
        drains = _value(run.cluster, "drains")
        assert [(d["node"], d["state"]) for d in drains] == [("node-1", "running")]
        blocked = [p for p in drains[0]["pods"] if p["state"] == "blocked"]
        assert blocked and all(p["blocked_by"] == "zk-pdb" for p in blocked)
        # The budget is fixed at 60s; the drain's next retry goes through.
        run.advance(120.0)
        assert _value(run.cluster, "drains[0].state") == "drained"

    def test_no_drain_is_an_empty_list(self) -> None:
        run = _start()
        assert _value(run.cluster, "drains") == []


class TestThePdbLessonNeedsARealDrain:
    def test_cordoning_without_draining_does_not_pass_the_held_step(self, tmp_path) -> None:
        # Before, the step only looked at what a held drain leaves: node cordoned, the
        # budget at 0, the pod still on the node. A bare cordon leaves exactly that.
        scenario = _scenario(tmp_path, "- at: 20s\n  cordon: node-1\n")
        report = check_lesson(PDB, scenario)
        assert not report.verdicts[0].done
        assert report.verdicts[0].failing.startswith("drains[?node=='node-1'")

    def test_emptying_the_node_by_hand_does_not_complete_the_drain_step(self) -> None:
        run = _start()
        run.advance(30.0)
        actions.cordon(run.cluster, "node-1")
        for pod in run.cluster.store.list("Pod", "default"):
            if pod["spec"].get("nodeName") == "node-1":
                actions.delete(run.cluster, f"pod/{pod['metadata']['name']}")
        run.advance(120.0)
        following = LessonRun(PDB, run.cluster, done=1)  # at "Fix the budget"
        assert following.observe() == []
        assert following.verdicts[1].failing == "drains[?node=='node-1' && state=='drained']"

    def test_the_solution_is_held_after_the_drain_starts_and_done_once_it_completes(
        self,
    ) -> None:
        report = check_lesson(PDB, PDB.solution)
        assert report.passed, report.render("en")
        held, fixed = report.verdicts
        assert 20 <= held.done_at < 60  # the drain starts at 20s, the budget is fixed at 60s
        assert fixed.done_at > 60
