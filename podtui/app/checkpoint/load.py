"""`podtui --load FILE`: the console on a checkpoint's cluster.

The checkpoint is replayed on a fresh session (engine.checkpoint), so the console's own
bookkeeping (pod timelines, counts) sees the whole story; the PATHs it was started on are
watched again from the content last applied, so a file saved since is applied as a change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from engine.checkpoint import CheckpointError, read_checkpoint
from engine.checkpoint.fileformat import Checkpoint
from engine.checkpoint.replay import new_cluster, replay, verify
from engine.manifests.loader import Manifest
from podtui.app.checkpoint.log import log_of
from podtui.app.session import Session
from podtui.reload.state import display_name


@dataclass
class Loaded:
    """A session replayed from a checkpoint, and what the hot reload takes over."""

    session: Session
    checkpoint: Checkpoint
    paths: list[str]
    """The checkpoint's PATHs that still exist (watched again)."""
    manifests: list[Manifest]
    """What the watched files last applied."""
    sources: dict[str, str]
    """The watched files' text as last applied, by name as the hot reload names them."""
    notes: list[str]
    """What the console should tell the user (scenario steps it will not play)."""


def load_session(
    path: str | os.PathLike[str], *, readonly: bool = False, base_dir: Path | None = None
) -> Loaded:
    """Replay a checkpoint into a new session; raises CheckpointError (`FILE: message`)."""
    checkpoint = read_checkpoint(path)
    cluster = new_cluster(checkpoint)
    session = Session.simulating(cluster, base_dir=base_dir, user=checkpoint.user, readonly=readonly)
    done = checkpoint.done()
    if not done or not done[0].data.get("initial"):
        raise CheckpointError(path, "damaged checkpoint: it does not start with its manifests")
    session.boot_entry = done[0]
    session.default_nodes = checkpoint.default_nodes
    session.manifest_files = list(
        dict.fromkeys(m.get("file", "") for m in done[0].data.get("manifests") or [])
    )
    try:
        with session.lock:
            replay(cluster, done, checkpoint.at, user=checkpoint.user, settled=checkpoint.settled)
    except Exception as err:  # a hand-edited entry can fail anywhere in the engine
        raise CheckpointError(
            path, f"damaged checkpoint: cannot replay it ({type(err).__name__}: {err})"
        ) from err
    verify(cluster, checkpoint, path)
    log = log_of(session)
    log.entries = list(done)
    notes = []
    if checkpoint.to_come():
        # The console has no scenario runner: the steps to come stay out of its story, so a
        # checkpoint saved from it replays to what the console showed.
        notes.append(
            f"{len(checkpoint.to_come())} scenario step(s) after {checkpoint.at:g}s are not "
            f"played by the console (podtui sim --load {path} plays them)"
        )
    session.take_changes()  # the replay's changes are the starting state, not news
    session.take_reports()
    workdir = Path(checkpoint.workdir or Path.cwd())

    def here(name: str) -> str:
        # Names were written relative to the folder podtui ran in then.
        return display_name(workdir / name)

    paths = [here(p) for p in checkpoint.paths if (workdir / p).exists()]
    manifests = [replace(m, file=here(m.file)) for m in log.applied_manifests()]
    sources = {here(name): text for name, text in checkpoint.sources.items()}
    return Loaded(session, checkpoint, paths, manifests, sources, notes)
