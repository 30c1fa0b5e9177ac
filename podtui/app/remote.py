"""`podtui --kubeconfig FILE [--context NAME]`: the console on a real cluster.

The same console as on the simulator (PodtuiApp over a Session), its Session on a
KubeBackend: panes over list + watch reflectors, describe and logs fetched from the API
server, the verbs sent as kubectl sends them. What only a simulator does (the clock,
faults, recording, checkpoints, drills, chaos, lessons) stays on screen, dimmed, with the
reason (podtui.app.capabilities).
"""

from __future__ import annotations

import asyncio
import os
import sys

from engine.api.admission import ADMIN, UserInfo
from podtui.app.app import PodtuiApp
from podtui.app.session import Session
from podtui.backends.base import Backend


def remote_session(
    backend: Backend, context: str, server: str, *, user: UserInfo = ADMIN, readonly: bool = False
) -> Session:
    """A console session over a backend that is not in process (a KubeBackend)."""
    session = Session(backend, user=user, readonly=readonly)
    session.context_name = context
    session.server = server
    return session


def remote_app(
    backend: Backend,
    context: str,
    server: str,
    *,
    readonly: bool = False,
    keymap: dict[str, str] | None = None,
    theme: str | None = None,
) -> PodtuiApp:
    """The console over a backend; the header follows its connection."""
    session = remote_session(backend, context, server, readonly=readonly)
    app = PodtuiApp(session, keymap=keymap, theme=theme)
    on_connection = getattr(backend, "on_connection", None)
    if on_connection is not None:
        # The header says at once when the link drops or comes back.
        on_connection(lambda _connection: app.call_later(app.apply_changes))
    return app


def run_remote(
    kubeconfig: str,
    context: str | None,
    *,
    readonly: bool = False,
    keymap: dict[str, str] | None = None,
    theme: str | None = None,
) -> int:
    """Open the console over the cluster a kubeconfig (and context) names."""
    from podtui.backends.kube import KubeBackend, KubeClient

    if not os.path.isfile(kubeconfig):
        # kubectl's words for a --kubeconfig that is not there.
        print(f"error: stat {kubeconfig}: no such file or directory", file=sys.stderr)
        return 1

    async def main() -> int:
        try:
            client = await KubeClient.from_kubeconfig(kubeconfig, context)
        except Exception as err:  # the loader raises ConfigException, OSError, yaml errors
            print(f"error: {kubeconfig}: {err}", file=sys.stderr)
            return 1
        backend = KubeBackend(client)
        try:
            app = remote_app(
                backend, client.context, client.host, readonly=readonly, keymap=keymap, theme=theme
            )
            await app.run_async()
        finally:
            await backend.close()
        return app.return_code or 0

    return asyncio.run(main())


__all__ = ["remote_app", "remote_session", "run_remote"]
