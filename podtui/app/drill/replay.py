"""`enter` on a finding: the drill replayed in the console, up to where it went wrong.

The same path as `podtui --load` (podtui.app.checkpoint.load): a fresh session, the
drill's steps replayed on it as checkpoint entries (engine.drill.replay) so the console's
bookkeeping sees the whole story, then the console swaps to it, clock paused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.checkpoint.replay import replay
from engine.cluster import Cluster
from engine.drill.findings import Finding
from engine.drill.replay import drill_entries, went_wrong_at
from engine.drill.runner import DrillResult
from engine.manifests.loader import Manifest
from engine.printers.duration import human_duration
from podtui.app.checkpoint.log import log_of
from podtui.app.session import Session

if TYPE_CHECKING:
    from podtui.app.app import PodtuiApp


def replay_session(
    old: Session, manifests: list[Manifest], result: DrillResult, until: float
) -> Session:
    """A new session on a cluster booted as the drill's was, the drill played to `until`."""
    cluster = Cluster(seed=old.cluster.seed, start=old.cluster.clock.start)
    has_nodes = any(m.kind == "Node" for m in manifests)
    cluster.boot(default_nodes=not has_nodes)
    session = Session.simulating(cluster, base_dir=old.base_dir, user=old.user, readonly=old.readonly)
    entries = drill_entries(manifests, result)
    session.boot_entry = entries[0]
    session.default_nodes = not has_nodes
    session.manifest_files = list(dict.fromkeys(m.file for m in manifests))
    with session.lock:
        # The drills run as cluster-admin (engine.drill.runner applies with ADMIN).
        replay(cluster, entries, until)
    # A checkpoint saved from here (`:w`) replays the same story.
    log_of(session).entries = [entry for entry in entries if entry.at <= until]
    session.take_changes()  # the replay's changes are the starting state, not news
    session.take_reports()
    return session


def replay_in_console(
    app: PodtuiApp, manifests: list[Manifest], result: DrillResult, finding: Finding
) -> None:
    """Swap the console onto the drill's cluster at the finding's moment, clock paused."""
    from podtui.app.messages import Outcome
    from podtui.app.plugins import main_screen

    until = went_wrong_at(finding, result)
    session = replay_session(app.session, manifests, result, until)
    session.replaying = f"drill {result.drill} @{human_duration(until)}"
    if app.hot_reload is not None:
        # Saves would go to the cluster the console left; the replay is not the files' story.
        app.hot_reload.stop()
        app.hot_reload = None
    app.paused = True
    app.session = session
    while len(app.screen_stack) > 2:
        app.pop_screen()
    app.switch_screen(main_screen(session))
    lines = [f"replaying drill {result.drill} up to {human_duration(until)}: {finding.why}"]
    app.post_message(Outcome(lines, []))
