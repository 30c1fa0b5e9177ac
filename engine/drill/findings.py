"""What a drill found: a finding names a workload, the drill, a one-line why, and the
evidence (events and kubectl lines with their simulated times) that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

# Rules, one per kind of finding.
DRAIN_BLOCKED = "drain-blocked"
DRAIN_FAILED = "drain-failed"
OUTAGE = "outage"
BELOW_BUDGET = "below-budget"
NO_BUDGET = "no-budget"
ROLLOUT_STALLED = "rollout-stalled"
ROLLOUT_UNAVAILABLE = "rollout-below-max-unavailable"
NEVER_SCHEDULED = "never-scheduled"
NEVER_READY = "never-ready"
CRASH_LOOP = "crash-loop"
IMAGE_PULL = "image-pull"
CREATE_REFUSED = "create-refused"
NO_READINESS_PROBE = "no-readiness-probe"


@dataclass(frozen=True)
class Evidence:
    """One line that shows a finding: an event or a kubectl line, at its simulated time."""

    at: float
    text: str

    def render(self) -> str:
        from engine.timeutil import format_go_duration

        return f"[{format_go_duration(self.at)}] {self.text}"


@dataclass
class Finding:
    severity: str
    drill: str
    namespace: str
    workload: str
    """`deployment/checkout`, as kubectl names it."""
    rule: str
    why: str
    evidence: list[Evidence] = field(default_factory=list)

    def sort_key(self) -> tuple:
        return (
            SEVERITIES.index(self.severity),
            self.drill,
            self.namespace,
            self.workload,
            self.rule,
            self.why,
        )

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "drill": self.drill,
            "namespace": self.namespace,
            "workload": self.workload,
            "rule": self.rule,
            "why": self.why,
            "evidence": [{"at": e.at, "text": e.text} for e in self.evidence],
        }
