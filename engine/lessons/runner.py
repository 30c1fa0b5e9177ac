"""Following a reader through a lesson: each step's check, watched as the cluster runs.

Steps are done in order. After every tick (and every action in the console) the current
step's checks are evaluated over the cluster as it is; when all hold, the step is done for
good, what it `remember`s is saved for later steps, and the next step is looked at at once
(a state that already satisfies it counts). A check may therefore describe a moment (the pod
is in `Init:1/2`), and a lesson a story (Pending, then Running, then Succeeded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.lessons.checks import CheckError, cluster_view, evaluate, truthy
from engine.lessons.model import Lesson, LessonStep
from engine.manifests.yamldoc import Problem

if TYPE_CHECKING:
    from engine.cluster import Cluster


@dataclass
class StepVerdict:
    """How one step went: done (and when), or the check that did not hold."""

    index: int
    step: LessonStep
    done_at: float | None = None
    failing: str = ""

    @property
    def done(self) -> bool:
        return self.done_at is not None


class LessonRun:
    """The reader's progress through one lesson over one cluster."""

    def __init__(self, lesson: Lesson, cluster: Cluster, done: int = 0) -> None:
        self.lesson = lesson
        self.cluster = cluster
        self.saved: dict[str, Any] = {}
        self.verdicts = [StepVerdict(i, step) for i, step in enumerate(lesson.steps)]
        self.current = 0
        self.step_started = cluster.now
        self.errors: list[str] = []
        # Steps already done in an earlier session are not asked again.
        for verdict in self.verdicts[:done]:
            verdict.done_at = cluster.now
        self.current = min(done, len(self.verdicts))

    @property
    def finished(self) -> bool:
        return self.current >= len(self.verdicts)

    @property
    def step(self) -> LessonStep | None:
        return None if self.finished else self.lesson.steps[self.current]

    def hint_due(self) -> bool:
        """The hint shows by itself once the reader has been on a step for its hintAfter."""
        step = self.step
        return step is not None and self.cluster.now - self.step_started >= step.hint_after

    def observe(self) -> list[int]:
        """Look at the cluster now; the indexes of the steps that just got done."""
        passed: list[int] = []
        view: dict[str, Any] | None = None
        while not self.finished:
            verdict = self.verdicts[self.current]
            if view is None:
                view = cluster_view(self.cluster, self.saved)
            failing = self._failing(verdict.step, view)
            if failing is not None:
                verdict.failing = failing
                break
            verdict.done_at = self.cluster.now
            verdict.failing = ""
            for name, expression in verdict.step.remember.items():
                self.saved[name] = self._value(expression, view)
            view["saved"] = dict(self.saved)
            passed.append(self.current)
            self.current += 1
            self.step_started = self.cluster.now
        return passed

    def _value(self, expression: Any, view: dict[str, Any]) -> Any:
        try:
            return evaluate(self.cluster, expression, view)
        except CheckError as err:
            self.errors.append(str(err))
            return None

    def _failing(self, step: LessonStep, view: dict[str, Any]) -> str | None:
        """The first check that does not hold (its text), or None when all do."""
        for source, expression in zip(step.sources, step.checks, strict=True):
            if not truthy(self._value(expression, view)):
                return source
        return None


@dataclass
class CheckReport:
    """`podtui learn --check`: every step's verdict and the scenario's own lines."""

    lesson: Lesson
    verdicts: list[StepVerdict]
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    until: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(v.done for v in self.verdicts)

    def render(self, lang: str = "en") -> str:
        out = [f"lesson {self.lesson.name}: {self.lesson.heading(lang)}"]
        for verdict in self.verdicts:
            title = verdict.step.title.get(lang)
            if verdict.done:
                out.append(f"  ok    {verdict.index + 1}. {title} (at {verdict.done_at:g}s)")
            elif verdict.failing:
                out.append(
                    f"  FAIL  {verdict.index + 1}. {title}: not done by {self.until:g}s "
                    f"(still false: {verdict.failing})"
                )
            else:
                out.append(f"  --    {verdict.index + 1}. {title}: not reached")
        for error in dict.fromkeys(self.errors):
            out.append(f"  error in a check: {error}")
        done = sum(v.done for v in self.verdicts)
        out.append(f"{done}/{len(self.verdicts)} steps done")
        return "\n".join(out) + "\n"


def check_lesson(
    lesson: Lesson,
    scenario: str | Path | None,
    *,
    seed: int = 0,
    report: Callable[[str], None] | None = None,
) -> CheckReport:
    """Play the lesson's cluster headless with `scenario` (None: the reader does nothing)
    until every step is done or the lesson's `until`, watching the steps after every tick."""
    from engine.sim import SimRun, load_inputs

    inputs = load_inputs([str(lesson.manifests)], str(scenario) if scenario else None)
    result = CheckReport(lesson, [], until=lesson.until)
    if inputs.problems:
        result.problems = list(inputs.problems)
        result.verdicts = [StepVerdict(i, s) for i, s in enumerate(lesson.steps)]
        return result

    def collect(line: str) -> None:
        result.lines.append(line)
        if report is not None:
            report(line)

    run = SimRun.start(inputs, seed=seed, report=collect)
    run.advance(0.0)
    following = LessonRun(lesson, run.cluster)
    following.observe()
    step = run.cluster.clock.step
    while not following.finished and run.cluster.now + step <= lesson.until + 1e-9:
        run.advance(run.cluster.now + step)
        following.observe()
    result.verdicts = following.verdicts
    result.errors = following.errors
    return result
