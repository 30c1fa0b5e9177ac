"""The console: `podtui [PATH ...]` opens it over the simulated cluster."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from engine.api.admission import ADMIN, UserInfo

if TYPE_CHECKING:
    from podtui.app.app import PodtuiApp


def base_dir_of(paths: list[str]) -> Path:
    """Where `create -f ./x.yaml` looks first: the first PATH folder (or a file's folder)."""
    if not paths:
        return Path.cwd()
    first = Path(paths[0])
    return first if first.is_dir() else first.parent


def run_app(
    paths: list[str],
    *,
    seed: int = 0,
    start: datetime | None = None,
    readonly: bool = False,
    user: UserInfo = ADMIN,
    keymap: str | None = None,
    theme: str | None = None,
    load: str | None = None,
    serve: tuple[int, Path] | None = None,
    make_app: Callable[..., PodtuiApp] | None = None,
    binding_ids: Iterable[str] | None = None,
) -> int:
    """Load the manifests, boot the cluster and run the console; returns the exit status.

    Invalid manifests are reported as `FILE:LINE: message` on stderr and the console does
    not open (exit status 1), exactly as `podtui sim` and `podtui validate` behave: nothing
    is half-applied, and the same command works once the files are fixed.

    With `load`, the cluster is a checkpoint's (podtui.app.checkpoint.load); a checkpoint
    that cannot be resumed is reported as `FILE: message` (exit status 1).

    `make_app` builds the app instead of PodtuiApp (`podtui learn`: the lesson console);
    `binding_ids` are then the ids its keymap may name (its class's `binding_ids()`).
    """
    from engine.sim import load_inputs
    from podtui.app.app import PodtuiApp
    from podtui.app.checkpoint.log import log_of
    from podtui.app.keymap import KeymapError, load_keymap
    from podtui.app.session import Session
    from podtui.reload import Reloader, read_texts

    bindings: dict[str, str] = {}
    if keymap:
        try:
            known = binding_ids if binding_ids is not None else PodtuiApp.binding_ids()
            bindings = load_keymap(keymap, known)
        except KeymapError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    if load is not None:
        from engine.checkpoint import CheckpointError
        from engine.result import ActionResult
        from podtui.app.checkpoint.load import load_session

        try:
            loaded = load_session(load, readonly=readonly)
        except CheckpointError as err:
            print(str(err), file=sys.stderr)
            return 1
        session, paths = loaded.session, loaded.paths
        session.base_dir = base_dir_of(paths)
        manifests, texts = loaded.manifests, loaded.sources
        outcome = ActionResult()
        notices = [f"resumed {load} at {loaded.checkpoint.at:g}s", *loaded.notes]
    else:
        # Read before loading, so the watcher can tell which files are still what was applied.
        texts = read_texts(paths)
        inputs = load_inputs(paths)
        if inputs.problems:
            for problem in inputs.problems:
                print(str(problem), file=sys.stderr)
            return 1
        session, outcome = Session.boot(
            inputs.manifests,
            seed=seed,
            start=start,
            user=user,
            readonly=readonly,
            base_dir=base_dir_of(paths),
        )
        manifests = inputs.manifests
        notices = []
    session.watched = [Path(p) for p in paths]
    # The PATHs are the source of truth from now on: each save is applied (hot reload).
    reloader = Reloader(session.cluster, paths, lock=session.lock, user=session.user)
    # The reloader adopts what was applied at start, refusals too, without sending anything
    # again: the console plays what `podtui sim` plays.
    reloader.adopt(manifests, texts, session.refused_at_start)
    log_of(session).follow_reloads(reloader, paths, texts)
    app = (make_app or PodtuiApp)(session, keymap=bindings, startup=outcome, reloader=reloader)
    app.notices = notices
    if theme:
        if theme not in app.available_themes:
            known = ", ".join(sorted(app.available_themes))
            print(f'error: unknown theme "{theme}" (known: {known})', file=sys.stderr)
            return 1
        app.theme = theme
    if serve is not None:
        # `podtui --serve`: kubectl reaches the same cluster, on the console's loop.
        from podtui.serve.console import run_console_with_server

        port, kubeconfig = serve
        run_console_with_server(app, session.cluster, session.lock, port, kubeconfig)
    else:
        app.run()
    for line in app.farewell:
        print(line, file=sys.stderr)
    return app.return_code or 0


__all__ = ["base_dir_of", "run_app"]
