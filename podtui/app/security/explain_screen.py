"""The explain view: why PodSecurityPolicy admits or refuses a pod, every policy with who
may use it and what failed, and Pod Security Admission's verdicts beside it, so a user
moving off PodSecurityPolicy sees both. Kept live: editing a policy or a grant re-explains."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from engine.output import to_yaml
from engine.security import Explanation
from podtui.app.security.subjects import Subject, plugin_state, refusal_subject
from podtui.app.security.verdict_views import PsaVerdictView, PspVerdictView
from podtui.app.session import Session
from podtui.app.widgets.text_views import YamlView

WATCHED_KINDS = frozenset(
    {
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "Namespace",
        "ServiceAccount",
        "PodPreset",
    }
)
"""What the verdicts depend on: a change to any of these explains the pod again."""


class ExplainScreen(Screen):
    """One pod's admission, explained. Escape goes back."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="explain.back"),
        Binding("y", "toggle_yaml", "Pod YAML", id="explain.yaml"),
    ]

    show_yaml: reactive[bool] = reactive(False, init=False)

    def __init__(self, session: Session, subject: Subject) -> None:
        super().__init__()
        self.session = session
        self.subject = subject
        self.explanation: Explanation | None = None
        self._count = subject.refusal.count if subject.refusal else 0

    def compose(self) -> ComposeResult:
        namespace, name = self.subject.key
        yield Label(f"explain pod {namespace}/{name}", id="explain-title", markup=False)
        yield Static("", id="explain-summary")
        with Horizontal(id="explain-columns"):
            with VerticalScroll(id="explain-psp", classes="explain-column"):
                yield PspVerdictView(id="psp-verdict")
            with VerticalScroll(id="explain-psa", classes="explain-column") as psa:
                psa.border_title = "Pod Security Admission"
                yield PsaVerdictView(id="psa-verdict")
        with VerticalScroll(id="explain-yaml"):
            yield YamlView(id="explain-yaml-view")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#explain-yaml").display = False
        self.refresh_explanation()
        self.query_one("#explain-psp").focus()

    def refresh_explanation(self) -> None:
        with self.session.lock:
            cluster = self.session.cluster
            explanation = self.subject.explain(cluster)
            state = plugin_state(cluster)
        self.explanation = explanation
        self.query_one("#explain-summary", Static).update(self._summary(explanation, state))
        self.query_one(PspVerdictView).show(explanation)
        self.query_one(PsaVerdictView).show(explanation)
        psp = self.query_one("#explain-psp")
        if not explanation.psp_active:
            psp.border_title = "PodSecurityPolicy: off"
        elif explanation.admitted_by:
            psp.border_title = f"PodSecurityPolicy: admitted by {explanation.admitted_by}"
        else:
            psp.border_title = "PodSecurityPolicy: refused"
        psp.set_class(bool(explanation.psp_active and not explanation.admitted_by), "-refused")
        enforce = explanation.psa.get("enforce")
        psa = self.query_one("#explain-psa")
        if enforce is not None:
            verdict = "allowed" if enforce.allowed else "refused"
            psa.border_title = f"Pod Security Admission: {verdict}"
            psa.set_class(not enforce.allowed, "-refused")
        self.query_one(YamlView).show(to_yaml(self.subject.pod))

    def _summary(self, explanation: Explanation, state: str) -> Text:
        text = Text()
        rows = [
            ("what", self.subject.source),
            ("requested by", explanation.requester),
            ("service account", explanation.service_account or "<none>"),
            ("admission", state),
        ]
        if self.subject.admitted_by:
            rows.append(("kubernetes.io/psp", f"{self.subject.admitted_by} (when it was created)"))
        for index, (label, value) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(f"{label:<18}", "bold")
            text.append(value)
        return text

    def apply_changes(self, changes: dict) -> None:
        """Explain again when a policy, a grant or the namespace changed, or the refused
        pod was refused again."""
        if not self.is_mounted:
            return
        refusal = self.subject.refusal
        again = refusal is not None and refusal.count != self._count
        if again or any(kind in WATCHED_KINDS for kind, _, _ in changes):
            if refusal is not None:
                self._count = refusal.count
                self.subject = refusal_subject(refusal)  # the newest attempt, counted
            self.refresh_explanation()

    def watch_show_yaml(self, show: bool) -> None:
        self.query_one("#explain-columns").display = not show
        self.query_one("#explain-yaml").display = show

    def action_toggle_yaml(self) -> None:
        self.show_yaml = not self.show_yaml

    def action_back(self) -> None:
        self.dismiss()
