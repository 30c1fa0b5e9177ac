"""The security keys of the main screen: `x` explains the admission of the selected pod, a
workload's pods or the pod behind an event (a FailedCreate); on the PSP pane, `x` lists the
refused pods. Enter on a policy opens its detail view with the pods it admitted.

Mixed into MainScreen, whose BINDINGS hold the keys (`check_security_action` routes `x` by
kind). The `:explain` and `:refused` verbs (podtui.app.security.verbs) call `open_explain`
and `open_refused`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podtui.app.security.subjects import (
    WORKLOAD_KINDS,
    Subject,
    event_subject,
    pod_subject,
    workload_subject,
)

if TYPE_CHECKING:
    from podtui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object

EXPLAINABLE = frozenset({"Pod", "Event", *WORKLOAD_KINDS})


class SecurityKeys(_Base):
    """Mixed into MainScreen: explain admission, the refused pods."""

    def check_security_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a security key applies here (None: not a security key)."""
        if action == "explain":
            return self.kind in EXPLAINABLE
        if action == "refused":
            return self.kind == "PodSecurityPolicy"
        return None

    def open_explain(self, subject: Subject) -> None:
        from podtui.app.security.explain_screen import ExplainScreen

        self.app.push_screen(ExplainScreen(self.session, subject))

    def open_refused(self) -> None:
        from podtui.app.security.refused_screen import RefusedScreen

        self.app.push_screen(RefusedScreen(self.session))

    def action_refused(self) -> None:
        self.open_refused()

    def action_explain(self) -> None:
        row = self.table.cursor_row
        if row is None:
            self.notify("nothing selected", severity="warning")
            return
        kind = self.kind
        with self.session.lock:
            cluster = self.session.cluster
            if kind == "Pod":
                subject: Subject | None = pod_subject(cluster, row.obj, self.session.user)
            elif kind == "Event":
                subject = event_subject(cluster, row.obj, self.session.user)
            else:
                subject = workload_subject(cluster, kind, row.obj)
        if subject is None:
            self.notify(
                "nothing to explain: this event is not about a pod or a workload's pods",
                severity="warning",
            )
            return
        self.open_explain(subject)
