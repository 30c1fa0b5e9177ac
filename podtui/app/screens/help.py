"""`?`: every key in effect (after the user's keymap), grouped, and the `:` verbs."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Panes", ("pane.", "namespace.", "command.")),
    ("Table", ("table.", "sort.")),
    ("Views", ("view.",)),
    ("Actions", ("action.",)),
    ("Clock", ("clock.",)),
    ("Drain panel", ("drain.",)),
    ("Console", ("app.",)),
)

COMMANDS: tuple[tuple[str, str], ...] = (
    (
        "po | deploy | sts | ds | no | psp | pdb | ev | …",
        "switch to a kind's pane (kubectl's names)",
    ),
    ("get KIND [NAME] [-n NS | -A]", "show a kind, filtered to NAME"),
    ("describe KIND NAME", "kubectl describe"),
    ("logs POD [-c C] [-p]", "what the containers printed"),
    (
        "create -f PATH / apply -f PATH",
        "create or apply manifests (path relative to the first PATH folder)",
    ),
    ("edit KIND NAME", "edit the live object; ctrl+s applies it"),
    ("delete KIND NAME [--grace-period=N] [--force] [--now]", "delete objects"),
    ("scale KIND/NAME --replicas=N", "scale a workload"),
    ("rollout restart|undo KIND/NAME [--to-revision=N]", "restart or roll back a workload"),
    ("rollout history KIND/NAME [--revision=N]", "its revisions (or one revision's template)"),
    ("set image KIND/NAME CONTAINER=IMAGE ...", "change images (a new rollout)"),
    ("cordon | uncordon NODE", "mark a node (un)schedulable"),
    (
        "drain NODE [--ignore-daemonsets] [--force] [--timeout=D] ...",
        "evict a node's pods; opens the drain panel",
    ),
    ("drains [NODE]", "the drain panel on the newest drain"),
    (
        "chaos start [--interval=30s] [-l SEL] [--seed=N] | stop",
        "kill random pods, repeatably",
    ),
    ("record | record save FILE", "save this session as a scenario for podtui sim"),
    ("evict POD", "the Eviction API (a PDB may refuse it)"),
    (
        "inject FAULT POD|NODE [-c C] [--probe P] [--duration D]",
        "crash, oom, probeFail, imagePullFail, sandboxKill, nodeDown, nodeUp, podKill",
    ),
    (
        "explain [pod NAME | deploy NAME | -f PATH] [--as U]",
        "why PSP and PSA admit or refuse a pod",
    ),
    ("refused", "the pods PodSecurityPolicy refused (enter explains)"),
    ("drill [NAME]...", "rehearse disruptions on copies of the cluster; enter replays one"),
    ("reloads", "the hot reload log (saves applied, errors, live edits replaced)"),
    ("ns NAME | ns all", "namespace to show; `ns` alone: the Namespaces view (enter picks)"),
    ("aliases", "every kind and the names `:` takes for it (ctrl+a)"),
    ("ctx", "the contexts: the simulated cluster"),
    ("pause | resume | step [N] | speed X", "the simulated clock"),
    ("theme [NAME]", "list or choose a theme"),
    ("help | q", "this help, quit"),
)


class HelpScreen(ModalScreen[None]):
    """Keys and commands."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, source: Screen) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog") as box:
            box.border_title = "Help"
            yield Static(self._keys(), id="help-keys")
            yield Static(self._commands(), id="help-commands")

    def _keys(self) -> Table:
        by_id: dict[str, tuple[Binding, list[str]]] = {}
        for key, active in self.source.active_bindings.items():
            binding = active.binding
            if binding.system or not binding.description:
                continue
            ident = binding.id or binding.action
            entry = by_id.setdefault(ident, (binding, []))
            display = self.app.get_key_display(Binding(key, binding.action))
            if display not in entry[1]:
                entry[1].append(display)
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="dim")
        for title, prefixes in GROUPS:
            rows = [
                (binding, keys, ident)
                for ident, (binding, keys) in by_id.items()
                if ident.startswith(prefixes)
            ]
            if not rows:
                continue
            table.add_row(Text(title, style="bold"), "", "")
            for binding, keys, ident in rows:
                reason = self._unavailable(binding)
                if reason:  # dimmed, with why (a real cluster: podtui.app.capabilities)
                    table.add_row(
                        Text(" ".join(keys), style="dim"),
                        Text(binding.description, style="dim"),
                        f"unavailable: {reason}",  # in place of the id, wrapped
                    )
                    continue
                table.add_row(Text(" ".join(keys), style="bold"), binding.description, ident)
            table.add_row("", "", "")
        return table

    def _unavailable(self, binding: Binding) -> str:
        from podtui.app.capabilities import action_needs

        session = getattr(self.app, "session", None)
        name, _, args = binding.action.partition("(")
        needs = action_needs(name, (args.strip("')\""),) if args else ())
        if session is None or needs is None or session.has(needs):
            return ""
        return session.reason(needs)

    def _commands(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column()
        table.add_row(Text(":command line", style="bold"), "")
        for usage, meaning in COMMANDS:
            table.add_row(Text(usage, style="bold"), meaning)
        return table

    def action_close(self) -> None:
        self.dismiss()
