"""PodSecurityPolicy's and Pod Security Admission's verdicts on one pod, coloured by the
theme: what admits, what refuses, who may use which policy, which field failed."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from engine.security import Explanation, PolicyReport
from engine.security.psa.admission import Verdict

MODES = ("enforce", "audit", "warn")
MODE_MEANING = {
    "enforce": "refuses the pod",
    "audit": "records an audit annotation",
    "warn": "warns the requester",
}


def split_detail(verdict: Verdict) -> list[str]:
    """`reason (detail), reason (detail)` → one item per failed check."""
    reasons = verdict.reasons.split(", ") if verdict.reasons else []
    detail, items, start = verdict.detail, [], 0
    for index, reason in enumerate(reasons):
        following = reasons[index + 1] if index + 1 < len(reasons) else None
        end = detail.find(", " + following, start + len(reason)) if following else len(detail)
        if not detail.startswith(reason, start) or end < 0:
            return [detail]
        items.append(detail[start:end])
        start = end + 2
    return items or ([detail] if detail else [])


def indented(text: Text, depth: int = 2) -> Padding:
    """Text whose wrapped lines keep the indentation."""
    return Padding(text, (0, 0, 0, depth))


class VerdictView(Static):
    """Base: theme styles by role, re-rendered when the theme changes."""

    COMPONENT_CLASSES = {
        "verdict--ok",
        "verdict--bad",
        "verdict--warn",
        "verdict--dim",
        "verdict--heading",
        "verdict--name",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.explanation: Explanation | None = None

    def show(self, explanation: Explanation) -> None:
        self.explanation = explanation
        self.update(self.build(explanation))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.explanation is not None and self.is_mounted:
            self.update(self.build(self.explanation))

    def style_of(self, role: str) -> Style:
        return self.get_component_rich_style(f"verdict--{role}", partial=True)

    def build(self, explanation: Explanation) -> RenderableType:
        raise NotImplementedError


class PspVerdictView(VerdictView):
    """Every policy in the order the plugin tries them: may the requester and the pod's
    service account use it, what it would change, which fields it refuses."""

    def build(self, explanation: Explanation) -> RenderableType:
        ok, bad, dim = self.style_of("ok"), self.style_of("bad"), self.style_of("dim")
        parts: list[RenderableType] = []
        if not explanation.psp_active:
            parts.append(Text.assemble(("admitted", ok), ": no PodSecurityPolicy exists, so"))
            parts.append(Text("its admission plugin is off and lets every pod in."))
            parts.append(
                Text(
                    "\nOnce a policy exists, every new pod needs one that its requester or "
                    "its service account may use.",
                    dim,
                )
            )
            return Group(*parts)
        if explanation.admitted_by:
            parts.append(Text.assemble(("admitted", ok), f" by {explanation.admitted_by}"))
        else:
            parts.append(Text("refused", bad))
            if explanation.message:
                parts.append(Text(explanation.message, bad))
        parts.append(
            Text(
                "Policies are tried in name order: the first one that may be used and admits "
                "the pod unchanged wins, else the first that admits it with changes.",
                dim,
            )
        )
        for report in explanation.policies:
            parts.append(Text(""))
            parts.extend(self._policy(report))
        return Group(*parts)

    def _policy(self, report: PolicyReport) -> list[RenderableType]:
        ok, bad, warn, dim = (self.style_of(r) for r in ("ok", "bad", "warn", "dim"))
        mark = "●" if report.chosen else ("✓" if report.validates else "✗")
        title = Text.assemble(
            (f"{mark} ", ok if report.validates else bad), (report.name, self.style_of("name"))
        )
        if report.chosen:
            title.append("  chosen", ok)
        out: list[RenderableType] = [title]
        for label, allowed, reason in (
            ("requester may use it", report.requester_may_use, report.requester_reason),
            (
                "service account may use it",
                report.service_account_may_use,
                report.service_account_reason,
            ),
        ):
            answer = Text("yes" if allowed else "no", ok if allowed else bad)
            out.append(indented(Text.assemble(f"{label:<27}", answer)))
            out.append(indented(Text(reason, dim, overflow="fold"), 4))
        if report.provider_error:
            out.append(indented(Text(f"unusable: {report.provider_error}", bad)))
            return out
        if report.errors:
            out.append(indented(Text("refuses the pod:", bad)))
            out.extend(indented(Text(error, bad), 4) for error in report.errors)
            if not report.usable:
                out.append(
                    indented(
                        Text(
                            "not in the refusal message: neither the requester nor the "
                            "service account may use it",
                            dim,
                        )
                    )
                )
            return out
        admits = "admits the pod"
        admits += f", setting {', '.join(report.changes)}" if report.changes else " unchanged"
        if report.usable:
            out.append(indented(Text(admits, ok)))
        else:
            out.append(indented(Text(f"{admits}, but neither may use it", warn)))
        return out


class PsaVerdictView(VerdictView):
    """The namespace's Pod Security Admission modes on the same pod, and what the baseline
    and restricted levels would say: what decides on a cluster without PodSecurityPolicy."""

    def build(self, explanation: Explanation) -> RenderableType:
        heading = self.style_of("heading")
        parts: list[RenderableType] = [Text(f"namespace {explanation.namespace}", heading)]
        for mode in MODES:
            verdict = explanation.psa.get(mode)
            if verdict is not None:
                parts.extend(self._verdict(f"{mode} {verdict.level}", verdict, MODE_MEANING[mode]))
        parts.append(Text(""))
        parts.append(Text("if the namespace enforced", heading))
        for level, verdict in explanation.psa_levels.items():
            parts.extend(self._verdict(level, verdict, "refuses the pod"))
        return Group(*parts)

    def _verdict(self, label: str, verdict: Verdict, consequence: str) -> list[RenderableType]:
        line = Text(f"{label:<26}")
        if verdict.allowed:
            line.append("allowed", self.style_of("ok"))
            return [indented(line)]
        style = self.style_of("bad" if consequence == "refuses the pod" else "warn")
        line.append(f"violates: {consequence}", style)
        return [indented(line), *(indented(Text(item, style), 4) for item in split_detail(verdict))]
