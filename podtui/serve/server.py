"""The HTTP adapter: aiohttp on 127.0.0.1, HTTPS, bearer token, the facade behind it.

aiohttp's AppRunner and TCPSite start inside an event loop that is already running (the
console's Textual loop, or `podtui serve`'s own) and install no signal handlers; a
StreamResponse with chunked encoding carries a watch for as long as it lasts, while the
clock ticks on the same loop. Every request goes through `RestFacade.handle`; this module
only moves bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from engine.rest import Request, Response, RestFacade
from engine.rest.logs import LogStream
from engine.rest.watch import WatchStream
from podtui.serve.tls import Certificates, make_certificates, server_context

HOST = "127.0.0.1"
BOOKMARK_INTERVAL = 30.0
"""Wall seconds between BOOKMARK events on a watch that allows them."""
LOG_POLL_INTERVAL = 0.25
WATCH_WRITE_BYTES = 256 * 1024
"""Most bytes a watch hands to the TLS transport at once. asyncio's SSL transport encrypts
everything it is given at once, on the loop the clock ticks on; in pieces, each awaited
until the socket drains, a watcher is encrypted at the pace its client reads, and what it
has not taken yet waits as the shared lines the hub queued (no per-watcher copies)."""


def warning_header(message: str) -> str:
    """RFC 7234 warning with code 299, as the API server writes it (`Warning: 299 - "..."`)."""
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'


@dataclass
class ServeOptions:
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    bookmark_interval: float = BOOKMARK_INTERVAL


class APIServer:
    """The running server: start() inside a loop, stop() to close."""

    def __init__(
        self, facade_factory: Callable[[str, str], RestFacade], options: ServeOptions
    ) -> None:
        self.facade_factory = facade_factory
        self.options = options
        self.certs: Certificates = make_certificates(HOST)
        self.facade: RestFacade | None = None
        self.runner: web.AppRunner | None = None
        self.port = 0
        self._streams: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(
            self.runner, HOST, self.options.port, ssl_context=server_context(self.certs)
        )
        await site.start()
        sockets = site._server.sockets if site._server is not None else []  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1] if sockets else self.options.port
        self.facade = self.facade_factory(self.options.token, f"{HOST}:{self.port}")

    async def stop(self) -> None:
        if self.facade is not None:
            self.facade.close()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    # -- requests ----------------------------------------------------------------------
    async def _handle(self, http: web.Request) -> web.StreamResponse:
        assert self.facade is not None
        body = await http.read()
        request = Request(
            http.method,
            http.path,
            {key: http.query.getall(key)[-1] for key in http.query},
            list(http.headers.items()),
            body,
        )
        response = self.facade.handle(request)
        headers = [("Content-Type", response.content_type)]
        headers += [("Warning", warning_header(w)) for w in response.warnings]
        if response.watch is not None:
            return await self._watch(http, response, response.watch, headers)
        if response.log is not None:
            return await self._follow(http, response, response.log, headers)
        out = web.Response(status=response.status, body=response.body)
        for name, value in headers:
            out.headers.add(name, value)
        return out

    async def _start_stream(
        self, http: web.Request, response: Response, headers: list
    ) -> web.StreamResponse:
        out = web.StreamResponse(status=response.status)
        for name, value in headers:
            out.headers.add(name, value)
        out.enable_chunked_encoding()
        await out.prepare(http)
        return out

    async def _watch(
        self, http: web.Request, response: Response, stream: WatchStream, headers: list
    ) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        loop_thread = threading.get_ident()

        def wakeup() -> None:
            if threading.get_ident() == loop_thread:
                # A change made on the loop (podtui serve's clock, a request): no need to
                # write to the loop's wake-up pipe, once per watcher and burst.
                ready.set()
                return
            # The console's worker thread. The stream may be closed after the loop has
            # ended (a console quitting).
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ready.set)

        stream.wakeup = wakeup
        out = await self._start_stream(http, response, headers)
        # The request was handled in this step: the first chunk of an initial state is
        # encoded in the next one, so that the clock may tick in between.
        await asyncio.sleep(0)
        deadline = loop.time() + (response.timeout or 1800.0)
        next_bookmark = loop.time() + self.options.bookmark_interval
        try:
            while True:
                closed = stream.closed
                await self._send(out, stream.take())
                if closed:
                    break  # closed before the last take: everything queued was sent
                now = loop.time()
                if now >= deadline:
                    break
                if now >= next_bookmark:
                    stream.bookmark()
                    next_bookmark = now + self.options.bookmark_interval
                    continue
                ready.clear()
                if stream.pending():
                    # A watch's initial state is encoded a chunk per take: let the clock
                    # and other requests run between chunks even if no write had to wait.
                    await asyncio.sleep(0)
                    continue
                wait = min(deadline, next_bookmark) - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ready.wait(), timeout=max(wait, 0.001))
                if http.transport is None or http.transport.is_closing():
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            assert self.facade is not None
            with self.facade.lock:
                stream.close()
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await out.write_eof()
        return out

    @staticmethod
    async def _send(out: web.StreamResponse, lines: list[bytes]) -> None:
        """Write the lines as chunks of about WATCH_WRITE_BYTES (whole lines each);
        StreamResponse.write awaits the transport's drain past 64 KiB, so each piece waits
        until the client has read enough of the previous ones."""
        if not lines:
            return
        # Lines of one kind are of a size: as many per piece as fit on average (no
        # per-line Python work on a backlog of thousands).
        average = sum(map(len, lines)) / len(lines)
        step = max(1, int(WATCH_WRITE_BYTES // average))
        for start in range(0, len(lines), step):
            await out.write(b"".join(lines[start : start + step]))

    async def _follow(
        self, http: web.Request, response: Response, stream: LogStream, headers: list
    ) -> web.StreamResponse:
        out = await self._start_stream(http, response, headers)
        try:
            await out.write(response.body)
            while True:
                await asyncio.sleep(LOG_POLL_INTERVAL)
                lines, done = stream.poll()
                if lines:
                    await out.write(b"".join(lines))
                if done or http.transport is None or http.transport.is_closing():
                    break
            await out.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            stream.close()
        return out


def client_ssl(server: APIServer) -> ssl.SSLContext:
    from podtui.serve.tls import client_context

    return client_context(server.certs)
