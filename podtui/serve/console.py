"""`podtui --serve`: the API server beside the console, on the console's own event loop.

The console ticks the clock (pause, speed and step stay its own); kubectl sees the same
cluster live. The console may advance the engine on a worker thread, so the facade takes
the session's lock, and watch streams wake the loop thread-safely.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from podtui.serve.command import start_server


def run_console_with_server(app: Any, cluster: Any, lock: Any, port: int, path: Path) -> Any:
    """Run the Textual app and the HTTPS server together; the server stops with the app."""

    async def main() -> Any:
        server = await start_server(cluster, port, path, lock=lock)

        async def announce() -> None:
            while not app.is_running:
                await asyncio.sleep(0.05)
            app.notify(
                f"Serving the cluster at {server.url}\nexport KUBECONFIG={path}",
                title="kubectl",
                timeout=20,
                markup=False,
            )

        task = asyncio.create_task(announce())
        try:
            return await app.run_async()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await server.stop()

    return asyncio.run(main())
